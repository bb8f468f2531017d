export { appStore, createAppStore, useAppStore, type AppStore } from "./store";
export type { AppState } from "./types";
export type { GraphSlice, StepNodeData, WorkflowEdge, WorkflowNode } from "./graph-slice";
export type { SelectionSlice } from "./selection-slice";
