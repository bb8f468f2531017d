import { stepOfErrorPath } from "../definition/issues";
import type { Slot } from "../definition/structure";
import type { AppSlice } from "./types";

export type PanelTab = "properties" | "authenticate";

/** What is being dragged over the canvas: a connector from the panel, or a step being moved. */
export type DragItem = { kind: "connector"; connector: string } | { kind: "step"; name: string };

/** A connector-snake being drawn from a field's mapping icon. */
export interface Snake {
  /** The step whose field is mapped: it may read only the steps that run before it. */
  viewer: string;
  /** The field's title, for messages. */
  field: string;
  origin: { x: number; y: number };
  /** Writes the picked jsonpath into the field. */
  onPick: (path: string) => void;
}

export interface SelectionSlice {
  /** The step shown in the properties panel (`trigger` for the trigger), or null. */
  selectedStep: string | null;
  panelTab: PanelTab;
  dragging: DragItem | null;
  /** The drop zone whose "+" picker is open. */
  pickerSlot: Slot | null;
  snake: Snake | null;
  /** A container waiting for "Delete" to be confirmed. */
  confirmingDelete: string | null;
  /** The step whose title field should take the focus (Rename). */
  titleFocusFor: string | null;
  /** The field (a problem's path, `steps.totango-1.properties.query`) that should take the focus. */
  fieldFocus: string | null;
  selectStep: (name: string | null, tab?: PanelTab) => void;
  setPanelTab: (tab: PanelTab) => void;
  setDragging: (item: DragItem | null) => void;
  openPicker: (slot: Slot | null) => void;
  setSnake: (snake: Snake | null) => void;
  confirmDelete: (name: string | null) => void;
  requestTitleFocus: (name: string | null) => void;
  /**
   * Shows a problem: selects its step in the properties panel (closing the debug panel), on the
   * tab holding its field, and asks that field to take the focus.
   */
  focusProblem: (path: string) => void;
  clearFieldFocus: () => void;
}

export const createSelectionSlice: AppSlice<SelectionSlice> = (set, get) => ({
  selectedStep: null,
  panelTab: "properties",
  dragging: null,
  pickerSlot: null,
  snake: null,
  confirmingDelete: null,
  titleFocusFor: null,
  fieldFocus: null,

  selectStep: (name, tab) =>
    set((state) => ({
      selectedStep: name,
      panelTab: tab ?? (name === state.selectedStep ? state.panelTab : "properties"),
    })),
  setPanelTab: (tab) => set({ panelTab: tab }),
  setDragging: (item) => set({ dragging: item }),
  openPicker: (slot) => set({ pickerSlot: slot }),
  setSnake: (snake) => set({ snake }),
  confirmDelete: (name) => set({ confirmingDelete: name }),
  requestTitleFocus: (name) => set({ titleFocusFor: name }),
  focusProblem: (path) => {
    const step = stepOfErrorPath(path);
    if (step === null) return;
    get().setDebugOpen(false);
    set({ selectedStep: step, panelTab: path.endsWith(".authentication") ? "authenticate" : "properties", fieldFocus: path });
  },
  clearFieldFocus: () => set({ fieldFocus: null }),
});
