import type { AppSlice } from "./types";

export interface SelectionSlice {
  selectedNodeIds: string[];
  selectedEdgeIds: string[];
  /** Selects a node; with `additive` it is added to (or toggled out of) the current selection. */
  selectNode: (id: string, additive?: boolean) => void;
  selectEdge: (id: string, additive?: boolean) => void;
  setSelection: (selection: { nodeIds?: string[]; edgeIds?: string[] }) => void;
  clearSelection: () => void;
}

function toggle(ids: string[], id: string): string[] {
  return ids.includes(id) ? ids.filter((existing) => existing !== id) : [...ids, id];
}

export const createSelectionSlice: AppSlice<SelectionSlice> = (set) => ({
  selectedNodeIds: [],
  selectedEdgeIds: [],

  selectNode: (id, additive = false) =>
    set((state) =>
      additive
        ? { selectedNodeIds: toggle(state.selectedNodeIds, id) }
        : { selectedNodeIds: [id], selectedEdgeIds: [] },
    ),

  selectEdge: (id, additive = false) =>
    set((state) =>
      additive
        ? { selectedEdgeIds: toggle(state.selectedEdgeIds, id) }
        : { selectedNodeIds: [], selectedEdgeIds: [id] },
    ),

  setSelection: ({ nodeIds = [], edgeIds = [] }) => set({ selectedNodeIds: nodeIds, selectedEdgeIds: edgeIds }),

  clearSelection: () => set({ selectedNodeIds: [], selectedEdgeIds: [] }),
});
