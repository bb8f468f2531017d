import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";
import type { Authentication } from "./types";
import type { AuthenticationInput } from "./use-create-authentication";

export type { AuthenticationInput };

/** `PATCH /api/authentications/{id}/`: secret fields left out keep their value. */
export function useUpdateAuthentication() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...input }: Partial<AuthenticationInput> & { id: string }) =>
      api.patch<Authentication>(`/api/authentications/${id}/`, input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.authentications() }),
  });
}
