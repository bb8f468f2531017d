/** The connector catalogue as GET /api/connectors/ serves it: generated from the backend's registry
 * (`manage.py export_catalogue`); tests/test_frontend_contract.py fails when it is stale. */
import type { Connector } from "../api/types";
import type { ConnectorCatalogue } from "../api/use-get-connectors";
import catalogueJson from "./fixtures/catalogue.json";

export const connectors = catalogueJson as Connector[];

export const catalogue: ConnectorCatalogue = new Map(connectors.map((connector) => [connector.key, connector]));

export function connector(key: string): Connector {
  const found = catalogue.get(key);
  if (found === undefined) throw new Error(`No connector ${key} in the fixture`);
  return found;
}
