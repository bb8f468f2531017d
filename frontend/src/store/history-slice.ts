import type { WorkflowDefinition } from "../api/types";
import type { AppSlice } from "./types";

const HISTORY_LIMIT = 200;
/** Edits of the same field within this time are one step of undo (typing a word is one edit). */
const COALESCE_MS = 1500;

export interface HistorySlice {
  past: WorkflowDefinition[];
  future: WorkflowDefinition[];
  lastEdit: { key: string; at: number } | null;
  /** Records `previous` before an edit; an edit with the same `coalesceKey` soon after joins it. */
  remember: (previous: WorkflowDefinition, coalesceKey?: string) => void;
  undo: () => void;
  redo: () => void;
  clearHistory: () => void;
}

export const createHistorySlice: AppSlice<HistorySlice> = (set, get) => ({
  past: [],
  future: [],
  lastEdit: null,

  remember: (previous, coalesceKey) => {
    const now = Date.now();
    const { lastEdit } = get();
    if (coalesceKey !== undefined && lastEdit !== null && lastEdit.key === coalesceKey && now - lastEdit.at < COALESCE_MS) {
      set({ future: [], lastEdit: { key: coalesceKey, at: now } });
      return;
    }
    set((state) => ({
      past: [...state.past, previous].slice(-HISTORY_LIMIT),
      future: [],
      lastEdit: coalesceKey === undefined ? null : { key: coalesceKey, at: now },
    }));
  },

  undo: () => {
    const { past, definition } = get();
    const previous = past.at(-1);
    if (previous === undefined || definition === null) return;
    set((state) => ({
      past: state.past.slice(0, -1),
      future: [definition, ...state.future],
      lastEdit: null,
    }));
    get().replaceDefinition(previous);
  },

  redo: () => {
    const { future, definition } = get();
    const next = future[0];
    if (next === undefined || definition === null) return;
    set((state) => ({ past: [...state.past, definition], future: state.future.slice(1), lastEdit: null }));
    get().replaceDefinition(next);
  },

  clearHistory: () => set({ past: [], future: [], lastEdit: null }),
});
