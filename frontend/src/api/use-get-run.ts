import { useQuery } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";
import { isRunLive, type Run } from "./types";

/** How often a queued, running or waiting run is fetched again: its progress is refreshed every 0.2–2 s. */
export const RUN_POLL_MS = 600;

export function getRun(id: string, signal?: AbortSignal): Promise<Run> {
  return api.get<Run>(`/api/runs/${id}/`, signal === undefined ? undefined : { signal });
}

/** `GET /api/runs/{id}/`: one run, polled while it is queued, running or waiting, not once it has finished. */
export function useGetRun(id: string | null) {
  return useQuery({
    queryKey: queryKeys.run(id ?? ""),
    queryFn: ({ signal }) => getRun(id!, signal),
    enabled: id !== null,
    staleTime: 0,
    refetchInterval: (query) => (isRunLive(query.state.data?.status) ? RUN_POLL_MS : false),
  });
}
