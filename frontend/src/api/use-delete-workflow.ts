import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";

/** `DELETE /api/workflows/{id}/`. */
export function useDeleteWorkflow() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete<null>(`/api/workflows/${id}/`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.workflows }),
  });
}
