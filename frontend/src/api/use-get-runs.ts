import { useQuery } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";
import { isRunLive, type Page, type Run, type RunStatus } from "./types";

const LIVE_POLL_MS = 1000;

/** `GET /api/runs/?workflow=…&status=…`: a workflow's runs, newest first; polled while one is live. */
export function useGetRuns(workflowId: string, status: RunStatus | null, limit = 50) {
  return useQuery({
    queryKey: queryKeys.workflowRuns(workflowId, status),
    queryFn: ({ signal }) => {
      const query = new URLSearchParams({ workflow: workflowId, limit: String(limit) });
      if (status !== null) query.set("status", status);
      return api.get<Page<Run>>(`/api/runs/?${query}`, { signal });
    },
    staleTime: 0,
    refetchInterval: (query) => (query.state.data?.results.some((run) => isRunLive(run.status)) ? LIVE_POLL_MS : false),
  });
}
