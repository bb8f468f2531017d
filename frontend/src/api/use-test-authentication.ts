import { useMutation } from "@tanstack/react-query";
import { api } from "./client";

/** `POST /api/authentications/{id}/test/`: asks the vendor whether the credential works. */
export function useTestAuthentication() {
  return useMutation({
    mutationFn: (id: string) => api.post<{ ok: boolean; message: string }>(`/api/authentications/${id}/test/`),
  });
}
