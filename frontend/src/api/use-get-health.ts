import { useQuery } from "@tanstack/react-query";
import { api } from "./client";

/** Response of `GET /api/health/`. */
export interface HealthResponse {
  status: string;
}

export const HEALTH_PATH = "/api/health/";
export const healthQueryKey = ["health"] as const;

export function getHealth(signal?: AbortSignal): Promise<HealthResponse> {
  return api.get<HealthResponse>(HEALTH_PATH, signal === undefined ? undefined : { signal });
}

export function useGetHealth() {
  return useQuery({
    queryKey: healthQueryKey,
    queryFn: ({ signal }) => getHealth(signal),
  });
}
