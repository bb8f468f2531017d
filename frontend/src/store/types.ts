import type { StateCreator } from "zustand";
import type { GraphSlice } from "./graph-slice";
import type { SelectionSlice } from "./selection-slice";

/** The full client-side state: the union of every slice. */
export type AppState = GraphSlice & SelectionSlice;

/** A slice creator that can read and write the whole `AppState`. */
export type AppSlice<TSlice> = StateCreator<AppState, [], [], TSlice>;
