import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";

/** `DELETE /api/authentications/{id}/`: 409 lists the workflows using it unless `force`. */
export function useDeleteAuthentication() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, force = false }: { id: string; force?: boolean }) =>
      api.delete<null>(`/api/authentications/${id}/${force ? "?force=true" : ""}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.authentications() }),
  });
}
