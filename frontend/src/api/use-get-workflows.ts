import { useQuery } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";
import type { Page, WorkflowSummary } from "./types";

/** `GET /api/workflows/`: the organisation's workflows (first 100, newest first by the API). */
export function useGetWorkflows() {
  return useQuery({
    queryKey: queryKeys.workflows,
    queryFn: ({ signal }) => api.get<Page<WorkflowSummary>>("/api/workflows/?limit=100", { signal }),
  });
}
