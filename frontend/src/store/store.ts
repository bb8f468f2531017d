import { useStore } from "zustand";
import { createStore } from "zustand/vanilla";
import { createGraphSlice } from "./graph-slice";
import { createSelectionSlice } from "./selection-slice";
import type { AppState } from "./types";

/** Creates an independent store instance (used by tests; the app uses `appStore`). */
export function createAppStore() {
  return createStore<AppState>()((...args) => ({
    ...createGraphSlice(...args),
    ...createSelectionSlice(...args),
  }));
}

export type AppStore = ReturnType<typeof createAppStore>;

export const appStore = createAppStore();

/** React hook: `const nodes = useAppStore((s) => s.nodes)`. */
export function useAppStore<T>(selector: (state: AppState) => T): T {
  return useStore(appStore, selector);
}
