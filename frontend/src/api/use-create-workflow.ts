import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";
import type { Workflow, WorkflowDefinition } from "./types";

/** `POST /api/workflows/`: creates a workflow (also used to duplicate one). */
export function useCreateWorkflow() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; definition?: WorkflowDefinition }) =>
      api.post<Workflow>("/api/workflows/", input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.workflows }),
  });
}
