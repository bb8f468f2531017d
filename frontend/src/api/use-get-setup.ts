import { useQuery } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";

/** `GET /api/setup/`: whether this install still needs its owner account. */
export function useGetSetup(enabled = true) {
  return useQuery({
    queryKey: queryKeys.setup,
    queryFn: ({ signal }) => api.get<{ needs_setup: boolean }>("/api/setup/", { signal }),
    enabled,
  });
}
