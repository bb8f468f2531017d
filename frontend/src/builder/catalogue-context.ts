import { createContext, useContext } from "react";
import type { Connector, Operation, StepDefinition } from "../api/types";
import type { ConnectorCatalogue } from "../api/use-get-connectors";

export const CatalogueContext = createContext<ConnectorCatalogue>(new Map());

export function useCatalogue(): ConnectorCatalogue {
  return useContext(CatalogueContext);
}

export function operationOf(connector: Connector | undefined, step: Pick<StepDefinition, "operation"> | undefined): Operation | undefined {
  return connector?.operations.find((operation) => operation.key === step?.operation);
}

/** The title a step shows: its own, else its operation's, else its connector's. */
export function stepTitle(step: StepDefinition | undefined, connector: Connector | undefined): string {
  return step?.title ?? operationOf(connector, step)?.title ?? connector?.title ?? "Unknown step";
}
