import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";
import type { Workflow } from "./types";

/**
 * `POST /api/workflows/{id}/webhook-token/`: a new secret token, so a new `webhook_url`; the old
 * URL answers 404 from then on. Editors only.
 */
export function useRegenerateWebhookToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post<Workflow>(`/api/workflows/${id}/webhook-token/`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.workflows, exact: true }),
  });
}
