/** What the client can tell is missing before the server does: required inputs and authentications. */
import type { Connector, FieldError, StepDefinition, TypedValue, WorkflowDefinition } from "../api/types";
import type { ConnectorCatalogue } from "../api/use-get-connectors";

export function isEmptyValue(value: TypedValue | undefined): boolean {
  if (value === undefined) return true;
  if (value.type === "null") return false;
  if (value.value === null || value.value === undefined) return true;
  return (value.type === "string" || value.type === "jsonpath") && value.value === "";
}

/** The problems of one step, with paths as the server names them (`steps.<name>.properties.<key>`). */
export function stepIssues(name: string, step: StepDefinition, connector: Connector | undefined): FieldError[] {
  const base = name === "trigger" ? "trigger" : `steps.${name}`;
  if (connector === undefined) {
    return [];
  }
  const operation = connector.operations.find((candidate) => candidate.key === step.operation);
  if (operation === undefined) {
    return [{ path: `${base}.operation`, message: "Choose an operation." }];
  }
  const issues: FieldError[] = [];
  const schema = operation.input_schema;
  for (const key of schema.required ?? []) {
    if (isEmptyValue(step.properties[key])) {
      const title = schema.properties?.[key]?.title ?? key;
      issues.push({ path: `${base}.properties.${key}`, message: `${title} is required` });
    }
  }
  const authentication = connector.authentication as (Connector["authentication"] & { optional?: boolean }) | null;
  if (authentication !== null && authentication.optional !== true && !step.authentication) {
    issues.push({ path: `${base}.authentication`, message: "Choose an authentication." });
  }
  return issues;
}

/** Every step's problems, by step name. */
export function definitionIssues(definition: WorkflowDefinition, catalogue: ConnectorCatalogue): Map<string, FieldError[]> {
  const issues = new Map<string, FieldError[]>();
  for (const [name, step] of Object.entries(definition.steps)) {
    const found = stepIssues(name, step, catalogue.get(step.connector));
    if (found.length > 0) issues.set(name, found);
  }
  return issues;
}

/** The step a server error path names (`steps.slack-1.properties.text` → slack-1), if any. */
export function stepOfErrorPath(path: string): string | null {
  if (path === "trigger" || path.startsWith("trigger.")) return "trigger";
  const match = /^steps\.([^.]+)/.exec(path);
  return match?.[1] ?? null;
}
