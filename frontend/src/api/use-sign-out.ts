import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";

/** `POST /api/auth/sign-out/`: ends the session and forgets everything cached. */
export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<null>("/api/auth/sign-out/"),
    onSuccess: () => queryClient.clear(),
  });
}
