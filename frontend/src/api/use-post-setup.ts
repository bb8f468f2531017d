import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";

export interface SetupInput {
  username: string;
  email?: string;
  organisation_name?: string;
  password: string;
}

/** `POST /api/setup/`: creates the owner account (409 once one exists). */
export function usePostSetup() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: SetupInput) => api.post<{ username: string }>("/api/setup/", input),
    onSuccess: () => queryClient.setQueryData(queryKeys.setup, { needs_setup: false }),
  });
}
