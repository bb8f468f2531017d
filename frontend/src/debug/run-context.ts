import { createContext, useContext } from "react";
import type { Run } from "../api/types";
import type { StepRunLogQuery } from "../api/use-get-step-run-log";
import { EMPTY_LOG } from "./step-run-log";

/** The selected run, polled once for the canvas and the debug panel alike. */
export interface ActiveRun {
  run: Run | undefined;
  runError: Error | null;
  live: boolean;
  steps: StepRunLogQuery;
}

export const ActiveRunContext = createContext<ActiveRun>({
  run: undefined,
  runError: null,
  live: false,
  steps: { log: EMPTY_LOG, isFetching: false, error: null, loadMore: () => {} },
});

export function useActiveRun(): ActiveRun {
  return useContext(ActiveRunContext);
}
