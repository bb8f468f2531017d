import {
  addEdge,
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type Edge,
  type EdgeChange,
  type Node,
  type NodeChange,
} from "@xyflow/react";
import type { AppSlice } from "./types";

/** Data carried by every workflow step node. Placeholder until the step model exists. */
export interface StepNodeData extends Record<string, unknown> {
  label: string;
}

export type WorkflowNode = Node<StepNodeData>;
export type WorkflowEdge = Edge;

export interface GraphSlice {
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
  setGraph: (nodes: WorkflowNode[], edges: WorkflowEdge[]) => void;
  addNode: (node: WorkflowNode) => void;
  updateNodeData: (id: string, data: Partial<StepNodeData>) => void;
  removeNode: (id: string) => void;
  connect: (connection: Connection) => void;
  removeEdge: (id: string) => void;
  onNodesChange: (changes: NodeChange<WorkflowNode>[]) => void;
  onEdgesChange: (changes: EdgeChange<WorkflowEdge>[]) => void;
  resetGraph: () => void;
}

export const createGraphSlice: AppSlice<GraphSlice> = (set) => ({
  nodes: [],
  edges: [],

  setGraph: (nodes, edges) => set({ nodes, edges }),

  addNode: (node) => set((state) => ({ nodes: [...state.nodes, node] })),

  updateNodeData: (id, data) =>
    set((state) => ({
      nodes: state.nodes.map((node) => (node.id === id ? { ...node, data: { ...node.data, ...data } } : node)),
    })),

  // Removing a node also drops its edges and any selection pointing at it.
  removeNode: (id) =>
    set((state) => {
      const edges = state.edges.filter((edge) => edge.source !== id && edge.target !== id);
      const remainingEdgeIds = new Set(edges.map((edge) => edge.id));
      return {
        nodes: state.nodes.filter((node) => node.id !== id),
        edges,
        selectedNodeIds: state.selectedNodeIds.filter((selectedId) => selectedId !== id),
        selectedEdgeIds: state.selectedEdgeIds.filter((edgeId) => remainingEdgeIds.has(edgeId)),
      };
    }),

  connect: (connection) => set((state) => ({ edges: addEdge(connection, state.edges) })),

  removeEdge: (id) =>
    set((state) => ({
      edges: state.edges.filter((edge) => edge.id !== id),
      selectedEdgeIds: state.selectedEdgeIds.filter((edgeId) => edgeId !== id),
    })),

  onNodesChange: (changes) => set((state) => ({ nodes: applyNodeChanges(changes, state.nodes) })),

  onEdgesChange: (changes) => set((state) => ({ edges: applyEdgeChanges(changes, state.edges) })),

  resetGraph: () => set({ nodes: [], edges: [], selectedNodeIds: [], selectedEdgeIds: [] }),
});
