import { useQuery } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";
import type { Workflow } from "./types";

export function getWorkflow(id: string, signal?: AbortSignal): Promise<Workflow> {
  return api.get<Workflow>(`/api/workflows/${id}/`, signal === undefined ? undefined : { signal });
}

/** `GET /api/workflows/{id}/`: one workflow with its definition and version. */
export function useGetWorkflow(id: string) {
  return useQuery({
    queryKey: queryKeys.workflow(id),
    queryFn: ({ signal }) => getWorkflow(id, signal),
    // The builder owns the definition once loaded: no background refetch may replace an edit.
    staleTime: Infinity,
    gcTime: 0,
  });
}
