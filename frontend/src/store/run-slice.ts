import type { AppSlice } from "./types";

/**
 * Run state. For now only the last output of each step that has run, which the connector-snake
 * merges into the output properties it offers; the run and debug panel will grow this slice.
 */
export interface RunSlice {
  stepSamples: Record<string, unknown>;
  setStepSample: (name: string, output: unknown) => void;
}

export const createRunSlice: AppSlice<RunSlice> = (set) => ({
  stepSamples: {},
  setStepSample: (name, output) => set((state) => ({ stepSamples: { ...state.stepSamples, [name]: output } })),
});
