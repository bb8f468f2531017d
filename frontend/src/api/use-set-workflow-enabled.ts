import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";
import type { Workflow } from "./types";

/** `PATCH /api/workflows/{id}/ {enabled}`: no version needed, and none bumped. */
export function setWorkflowEnabled(id: string, enabled: boolean): Promise<Workflow> {
  return api.patch<Workflow>(`/api/workflows/${id}/`, { enabled });
}

/**
 * Switches a workflow on or off: only an enabled one fires from its webhook or schedule. Enabling
 * a workflow with problems is refused with 400 and `errors` listing them.
 */
export function useSetWorkflowEnabled() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) => setWorkflowEnabled(id, enabled),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.workflows, exact: true }),
  });
}
