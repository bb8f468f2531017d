import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";
import type { Workflow, WorkflowDefinition } from "./types";

export interface WorkflowUpdate {
  id: string;
  /** The version the edit was made on: a stale one is refused with 409. */
  version: number;
  name?: string;
  definition?: WorkflowDefinition;
}

export function updateWorkflow({ id, ...body }: WorkflowUpdate): Promise<Workflow> {
  return api.patch<Workflow>(`/api/workflows/${id}/`, body);
}

/** `PATCH /api/workflows/{id}/`: rename or save a definition (409 on a stale version). */
export function useUpdateWorkflow() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateWorkflow,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.workflows, exact: true }),
  });
}
