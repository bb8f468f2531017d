import type { CanvasStepState } from "../debug/canvas-status";
import type { AppSlice } from "./types";

/** What the debug panel shows of a step clicked on the canvas: its data in the run, or its properties. */
export type InspectorTab = "data" | "properties";

/**
 * Run state: the run the canvas and the debug panel show, the state of each step in it (computed
 * from the polled run and its step runs by the run provider), whether the debug panel is open, and
 * the last output of each step that has run, which the connector-snake merges into the output
 * properties it offers ("Use output").
 */
export interface RunSlice {
  stepSamples: Record<string, unknown>;
  setStepSample: (name: string, output: unknown) => void;
  /** The run selected in the debug panel (the one just started, by default). */
  activeRunId: string | null;
  selectRun: (id: string | null) => void;
  debugOpen: boolean;
  /** Closing the debug panel also leaves the step it inspected: the properties panel takes over. */
  setDebugOpen: (open: boolean) => void;
  /**
   * The step whose input and output for the selected run the debug panel shows (a step clicked on
   * the canvas while a run is selected), or null for the whole run.
   */
  inspectedStep: string | null;
  /** What the debug panel shows of the inspected step: its data in the run, or its properties. */
  inspectorTab: InspectorTab;
  /** Inspects a step (selecting it too; its data first, coming from the run), or returns to the whole run with null. */
  inspectStep: (name: string | null) => void;
  setInspectorTab: (tab: InspectorTab) => void;
  /** By step name; empty when no run is selected. */
  stepStates: Record<string, CanvasStepState>;
  /**
   * The step the selected run failed or waits at (the last name of its path), which the canvas
   * brings into view with the note beside it.
   */
  spotlightStep: string | null;
  setStepStates: (states: Record<string, CanvasStepState>, spotlightStep?: string | null) => void;
  resetRun: () => void;
}

export const createRunSlice: AppSlice<RunSlice> = (set) => ({
  stepSamples: {},
  setStepSample: (name, output) => set((state) => ({ stepSamples: { ...state.stepSamples, [name]: output } })),
  activeRunId: null,
  selectRun: (id) => set((state) => (state.activeRunId === id ? {} : { activeRunId: id, stepStates: {}, spotlightStep: null })),
  debugOpen: false,
  setDebugOpen: (open) => set(open ? { debugOpen: true } : { debugOpen: false, inspectedStep: null }),
  inspectedStep: null,
  inspectorTab: "data",
  inspectStep: (name) =>
    set((state) =>
      name === null
        ? { inspectedStep: null }
        : { inspectedStep: name, selectedStep: name, inspectorTab: state.inspectedStep === null ? "data" : state.inspectorTab },
    ),
  setInspectorTab: (tab) => set({ inspectorTab: tab }),
  stepStates: {},
  spotlightStep: null,
  setStepStates: (states, spotlightStep = null) => set({ stepStates: states, spotlightStep }),
  resetRun: () => set({ activeRunId: null, debugOpen: false, inspectedStep: null, stepStates: {}, spotlightStep: null, stepSamples: {} }),
});
