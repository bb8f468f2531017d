import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { api } from "./client";
import { queryKeys } from "./query-keys";
import type { Connector } from "./types";

/** `GET /api/connectors/`: the catalogue, with every operation's input and output schemas. */
export function useGetConnectors() {
  return useQuery({
    queryKey: queryKeys.connectors,
    queryFn: ({ signal }) => api.get<Connector[]>("/api/connectors/", { signal }),
    staleTime: 5 * 60_000,
  });
}

export type ConnectorCatalogue = ReadonlyMap<string, Connector>;

/** The catalogue by connector key (empty while loading). */
export function useConnectorCatalogue(): ConnectorCatalogue {
  const { data } = useGetConnectors();
  return useMemo(() => new Map((data ?? []).map((connector) => [connector.key, connector])), [data]);
}
