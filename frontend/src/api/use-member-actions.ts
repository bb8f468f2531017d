import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";
import type { Member, MemberInput, Role } from "./types";

/** `POST /api/organisation/members/`: owners and admins add a person; 400 names each bad field. */
export function useAddMember() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: MemberInput) => api.post<Member>("/api/organisation/members/", input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.members }),
  });
}

/** `PATCH /api/organisation/members/{id}/`: 409 when it would leave no owner. */
export function useChangeMemberRole() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, role }: { id: number; role: Role }) => api.patch<Member>(`/api/organisation/members/${id}/`, { role }),
    // The caller's own role may be the one that changed (an owner stepping down).
    onSettled: () => Promise.all([queryClient.invalidateQueries({ queryKey: queryKeys.members }), queryClient.invalidateQueries({ queryKey: queryKeys.me })]),
  });
}

/** `DELETE /api/organisation/members/{id}/`: 409 for the last owner or oneself. */
export function useRemoveMember() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete<null>(`/api/organisation/members/${id}/`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.members }),
  });
}
