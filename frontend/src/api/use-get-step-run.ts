import { useQuery } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";
import type { StepRun } from "./types";

/** `GET /api/runs/{id}/steps/{sequence}/`: one step run with its whole input and output ("Load full"). */
export function useGetStepRun(runId: string, sequence: number, enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.stepRun(runId, sequence),
    queryFn: ({ signal }) => api.get<StepRun>(`/api/runs/${runId}/steps/${sequence}/`, { signal }),
    enabled,
    staleTime: Infinity,
  });
}
