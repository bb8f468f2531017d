import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";

/** `DELETE /api/authentications/{id}/`. */
export function useDeleteAuthentication() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete<null>(`/api/authentications/${id}/`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.authentications() }),
  });
}
