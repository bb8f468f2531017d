import { useQuery } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";
import type { Organisation } from "./types";

/** `GET /api/organisation/`: the signed-in person's organisation. */
export function useGetOrganisation() {
  return useQuery({
    queryKey: queryKeys.organisation,
    queryFn: ({ signal }) => api.get<Organisation>("/api/organisation/", { signal }),
  });
}
