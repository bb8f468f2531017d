import type { StateCreator } from "zustand";
import type { HistorySlice } from "./history-slice";
import type { RunSlice } from "./run-slice";
import type { SaveSlice } from "./save-slice";
import type { SelectionSlice } from "./selection-slice";
import type { WorkflowSlice } from "./workflow-slice";

/** The builder's client state: the union of every slice. */
export type AppState = WorkflowSlice & HistorySlice & SelectionSlice & SaveSlice & RunSlice;

/** A slice creator that can read and write the whole `AppState`. */
export type AppSlice<TSlice> = StateCreator<AppState, [], [], TSlice>;
