import { useQuery } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";
import type { Me } from "./types";

/** `GET /api/me/`: the signed-in user; fails with 401 when nobody is signed in. */
export function useGetMe() {
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: ({ signal }) => api.get<Me>("/api/me/", { signal }),
    retry: false,
    staleTime: Infinity,
  });
}
