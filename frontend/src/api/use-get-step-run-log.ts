import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef } from "react";
import { EMPTY_LOG, extendLog, hasMore, type StepRunLog } from "../debug/step-run-log";
import { queryKeys } from "./query-keys";
import { getStepRuns } from "./step-runs";
import type { Page, StepRun } from "./types";

/** Rows a page of a finished run asks for; a live run is followed by larger pages. */
export const STEP_RUN_PAGE = 200;
const LIVE_PAGE = 1000;
export const STEP_RUN_POLL_MS = 700;

export interface StepRunLogQuery {
  log: StepRunLog;
  isFetching: boolean;
  error: Error | null;
  /** Asks for the next page (a finished run is loaded as the list is scrolled). */
  loadMore: () => void;
}

/**
 * `GET /api/runs/{id}/steps/`, incrementally: the log held in the query cache is extended by each
 * fetch with only the rows it lacks. While the run is live it is polled and followed to its end;
 * a finished run loads its first page, then one more each time `loadMore` is called.
 */
export function useGetStepRunLog(runId: string | null, live: boolean): StepRunLogQuery {
  const queryClient = useQueryClient();
  const key = queryKeys.stepRunLog(runId ?? "");
  const want = useRef(STEP_RUN_PAGE);
  const liveRef = useRef(live);
  liveRef.current = live;
  useEffect(() => {
    want.current = STEP_RUN_PAGE;
  }, [runId]);

  const query = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => {
      const previous = queryClient.getQueryData<StepRunLog>(key) ?? EMPTY_LOG;
      const following = liveRef.current;
      return extendLog(previous, (offset, limit) => getStepRuns(runId!, { offset, limit }, signal), {
        want: following ? Infinity : Math.max(want.current, previous.rows.length),
        pageSize: following ? LIVE_PAGE : STEP_RUN_PAGE,
        maxPages: following ? 2 : 1,
      });
    },
    enabled: runId !== null,
    // The rows are compared by sequence when merged: a deep comparison of 10,000 rows would cost more.
    structuralSharing: false,
    staleTime: Infinity,
    refetchInterval: live ? STEP_RUN_POLL_MS : false,
  });

  // The last rows are written as the run ends: fetch once more when it has finished.
  const wasLive = useRef(live);
  useEffect(() => {
    if (wasLive.current && !live && runId !== null) void query.refetch();
    wasLive.current = live;
  }, [live, runId, query]);

  const log = query.data ?? EMPTY_LOG;
  const { isFetching, refetch } = query;
  const loadMore = useCallback(() => {
    const current = queryClient.getQueryData<StepRunLog>(queryKeys.stepRunLog(runId ?? "")) ?? EMPTY_LOG;
    if (!hasMore(current) || liveRef.current || isFetching) return;
    want.current = current.rows.length + STEP_RUN_PAGE;
    void refetch({ cancelRefetch: false });
  }, [queryClient, runId, isFetching, refetch]);
  return { log, isFetching, error: query.error, loadMore };
}

/**
 * `GET /api/runs/{id}/steps/?search=…&status=…`: the step runs whose path, error, input or output
 * has the text, and (when `status` is given) in that status.
 */
export function useSearchStepRuns(runId: string | null, search: string, status = "") {
  return useInfiniteQuery({
    queryKey: queryKeys.stepRunSearch(runId ?? "", search, status),
    queryFn: ({ pageParam, signal }) => getStepRuns(runId!, { offset: pageParam, limit: STEP_RUN_PAGE, search, status }, signal),
    initialPageParam: 0,
    getNextPageParam: (last: Page<StepRun>, pages) => {
      const loaded = pages.reduce((sum, page) => sum + page.results.length, 0);
      return loaded < last.count ? loaded : undefined;
    },
    enabled: runId !== null && (search !== "" || status !== ""),
    staleTime: 5_000,
  });
}
