import { useQuery } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";
import type { Authentication, Page } from "./types";

/** `GET /api/authentications/` (`?connector=` filters): the ones the user may use. */
export function useGetAuthentications(connector?: string) {
  const query = connector === undefined ? "" : `&connector=${encodeURIComponent(connector)}`;
  return useQuery({
    queryKey: queryKeys.authentications(connector),
    queryFn: ({ signal }) =>
      api.get<Page<Authentication> | Authentication[]>(`/api/authentications/?limit=500${query}`, { signal }),
    select: (data) => (Array.isArray(data) ? data : data.results),
  });
}
