import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";
import type { Authentication, AuthenticationScope, JsonValue } from "./types";

export interface AuthenticationInput {
  name: string;
  connector: string;
  scope: AuthenticationScope;
  fields: Record<string, JsonValue>;
}

/** `POST /api/authentications/`: 400 names bad fields as `fields.<field>`. */
export function useCreateAuthentication() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: AuthenticationInput) => api.post<Authentication>("/api/authentications/", input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.authentications() }),
  });
}
