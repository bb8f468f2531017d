import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";
import type { Me } from "./types";

/** `POST /api/auth/sign-in/`: starts a session; 400 with `errors` on a wrong password. */
export function useSignIn() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { username: string; password: string }) => api.post<Me>("/api/auth/sign-in/", input),
    onSuccess: (me) => queryClient.setQueryData(queryKeys.me, me),
  });
}
