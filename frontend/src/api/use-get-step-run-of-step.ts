import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { queryKeys } from "./query-keys";
import { getStepRuns } from "./step-runs";
import { STEP_RUN_POLL_MS } from "./use-get-step-run-log";

/**
 * `GET /api/runs/{id}/steps/?step=<name>&offset=<index>&limit=1`: the `index`-th run of one step
 * in a run (a loop's iteration, 0 first) and how many times the step ran, polled while the run is
 * live. The previous answer stays shown while the next iteration loads.
 */
export function useGetStepRunOfStep(runId: string, step: string, index: number, live: boolean) {
  return useQuery({
    queryKey: queryKeys.stepRunOfStep(runId, step, index),
    queryFn: ({ signal }) => getStepRuns(runId, { offset: index, limit: 1, step }, signal),
    placeholderData: keepPreviousData,
    staleTime: live ? 0 : Infinity,
    refetchInterval: live ? STEP_RUN_POLL_MS : false,
  });
}
