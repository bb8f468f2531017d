import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";
import type { JsonValue, Run } from "./types";

export interface RunStart {
  workflowId: string;
  payload?: JsonValue;
}

/** `POST /api/workflows/{id}/runs/`: runs the manual trigger (202 with the queued run). */
export function useStartRun() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ workflowId, payload }: RunStart) =>
      api.post<Run>(`/api/workflows/${workflowId}/runs/`, payload === undefined ? {} : { payload }),
    onSuccess: (run) => {
      queryClient.setQueryData(queryKeys.run(run.id), run);
      void queryClient.invalidateQueries({ queryKey: queryKeys.runs });
    },
  });
}
