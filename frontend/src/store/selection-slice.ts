import type { Slot } from "../definition/structure";
import type { AppSlice } from "./types";

export type PanelTab = "properties" | "authenticate";

/** What is being dragged over the canvas: a connector from the panel, or a step being moved. */
export type DragItem = { kind: "connector"; connector: string } | { kind: "step"; name: string };

export interface SelectionSlice {
  /** The step shown in the properties panel (`trigger` for the trigger), or null. */
  selectedStep: string | null;
  panelTab: PanelTab;
  dragging: DragItem | null;
  /** The drop zone whose "+" picker is open. */
  pickerSlot: Slot | null;
  selectStep: (name: string | null, tab?: PanelTab) => void;
  setPanelTab: (tab: PanelTab) => void;
  setDragging: (item: DragItem | null) => void;
  openPicker: (slot: Slot | null) => void;
}

export const createSelectionSlice: AppSlice<SelectionSlice> = (set) => ({
  selectedStep: null,
  panelTab: "properties",
  dragging: null,
  pickerSlot: null,

  selectStep: (name, tab) =>
    set((state) => ({
      selectedStep: name,
      panelTab: tab ?? (name === state.selectedStep ? state.panelTab : "properties"),
    })),
  setPanelTab: (tab) => set({ panelTab: tab }),
  setDragging: (item) => set({ dragging: item }),
  openPicker: (slot) => set({ pickerSlot: slot }),
});
