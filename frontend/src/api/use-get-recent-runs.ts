import { useQuery } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";
import type { Page, Run } from "./types";

/** `GET /api/runs/`: the newest runs of every workflow, for the dashboard's Last run column. */
export function useGetRecentRuns() {
  return useQuery({
    queryKey: queryKeys.recentRuns,
    queryFn: ({ signal }) => api.get<Page<Run>>("/api/runs/?limit=200", { signal }),
  });
}
