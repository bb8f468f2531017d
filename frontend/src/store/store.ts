import { useStore } from "zustand";
import { createStore } from "zustand/vanilla";
import { createHistorySlice } from "./history-slice";
import { createRunSlice } from "./run-slice";
import { createSaveSlice } from "./save-slice";
import { createSelectionSlice } from "./selection-slice";
import type { AppState } from "./types";
import { createWorkflowSlice } from "./workflow-slice";

/** Creates an independent store instance (used by tests; the app uses `appStore`). */
export function createAppStore() {
  return createStore<AppState>()((...args) => ({
    ...createWorkflowSlice(...args),
    ...createHistorySlice(...args),
    ...createSelectionSlice(...args),
    ...createSaveSlice(...args),
    ...createRunSlice(...args),
  }));
}

export type AppStore = ReturnType<typeof createAppStore>;

export const appStore = createAppStore();

/** React hook: `const definition = useAppStore((s) => s.definition)`. */
export function useAppStore<T>(selector: (state: AppState) => T): T {
  return useStore(appStore, selector);
}
