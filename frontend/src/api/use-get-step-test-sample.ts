import { useQuery } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";
import type { StepTestSample } from "./types";

/** `GET /api/workflows/{id}/steps/{name}/test/`: the latest run's outputs Test step reads by default, and what to confirm. */
export function useGetStepTestSample(workflowId: string | null, step: string, enabled: boolean) {
  return useQuery({
    queryKey: queryKeys.stepTestSample(workflowId ?? "", step),
    queryFn: ({ signal }) => api.get<StepTestSample>(`/api/workflows/${workflowId}/steps/${step}/test/`, { signal }),
    enabled: enabled && workflowId !== null,
    // A run finishing changes it; the section asks again each time it opens.
    staleTime: 0,
    retry: false,
  });
}
