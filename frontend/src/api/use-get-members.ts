import { useQuery } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";
import type { Member } from "./types";

/** `GET /api/organisation/members/`: the people of the organisation, first joined first. */
export function useGetMembers() {
  return useQuery({
    queryKey: queryKeys.members,
    queryFn: ({ signal }) => api.get<Member[]>("/api/organisation/members/", { signal }),
  });
}
