import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";
import type { Run } from "./types";

/**
 * `POST /api/runs/{id}/cancel/` (the run, 409 once finished), `…/replay/` (a new run with the same
 * payload) and `…/retry/` (a new run from the failed step, reusing what succeeded; 409 unless failed).
 */
export type RunAction = "cancel" | "replay" | "retry";

export function postRunAction(runId: string, action: RunAction): Promise<Run> {
  return api.post<Run>(`/api/runs/${runId}/${action}/`);
}

export function useRunAction(action: RunAction) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (runId: string) => postRunAction(runId, action),
    onSuccess: (run) => {
      queryClient.setQueryData(queryKeys.run(run.id), run);
      void queryClient.invalidateQueries({ queryKey: queryKeys.runs });
    },
  });
}
