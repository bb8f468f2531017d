/** Shapes of the REST API under /api/ (see /api/schema/). */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON Schema as the connectors declare it; only the keywords the UI reads are typed. */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  enum?: JsonValue[];
  enumNames?: string[];
  default?: JsonValue;
  const?: JsonValue;
  required?: string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  format?: string;
  minLength?: number;
  maxLength?: number;
  writeOnly?: boolean;
  if?: JsonSchema;
  then?: JsonSchema;
  /** A warning shown beside the field (e.g. what regenerating a token breaks). */
  "x-warning"?: string;
  [keyword: string]: unknown;
}

export type OperationKind = "action" | "trigger" | "loop" | "branch" | "break";

export interface Operation {
  key: string;
  title: string;
  description: string;
  kind: OperationKind;
  input_schema: JsonSchema;
  output_schema: JsonSchema;
  /** Branch operations: the lanes they always have (e.g. true and false). */
  fixed_lanes?: string[];
  /** Branch operations whose lanes come from the step's own cases. */
  dynamic_lanes?: boolean;
}

export interface ConnectorAuthentication {
  fields_schema: JsonSchema;
  secret_fields: string[];
}

export interface Connector {
  key: string;
  title: string;
  description: string;
  version: string;
  icon_url: string;
  is_trigger: boolean;
  authentication: ConnectorAuthentication | null;
  operations: Operation[];
}

export type PropertyType = "string" | "number" | "integer" | "boolean" | "object" | "array" | "null" | "jsonpath";

export interface TypedValue {
  type: PropertyType;
  value: unknown;
  fallback?: TypedValue;
}

export interface StructureNode {
  name: string;
  type: "normal" | "loop" | "branch";
  content?: Record<string, StructureNode[]>;
}

export interface StepDefinition {
  title?: string;
  connector: string;
  operation: string;
  authentication?: string;
  properties: Record<string, TypedValue>;
}

export interface TriggerDefinition {
  connector: string;
  operation: string;
  properties: Record<string, TypedValue>;
}

export interface WorkflowDefinition {
  trigger: TriggerDefinition;
  steps_structure: StructureNode[];
  steps: Record<string, StepDefinition>;
}

export interface Workflow {
  id: string;
  name: string;
  definition: WorkflowDefinition;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface WorkflowSummary {
  id: string;
  name: string;
  trigger: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export type AuthenticationScope = "personal" | "organisational";

export interface Authentication {
  id: string;
  name: string;
  connector: string;
  scope: AuthenticationScope;
  settings: Record<string, JsonValue>;
  secrets_set: string[];
  owner: string;
  created_at: string;
  updated_at: string;
}

export type Role = "owner" | "admin" | "member" | "viewer";

export interface Me {
  id: number;
  username: string;
  email: string;
  organisation: { id: string; name: string } | null;
  role: Role | null;
}

export type RunStatus = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export const RUN_STATUSES: readonly RunStatus[] = ["queued", "running", "succeeded", "failed", "cancelled"];

export function isRunLive(status: RunStatus | undefined): boolean {
  return status === "queued" || status === "running";
}

/** Where a run is: the step path running now and each loop's iterations done, by loop step name. */
export interface RunProgress {
  current_step?: string;
  loops?: Record<string, { done: number; count: number }>;
}

export interface Run {
  id: string;
  workflow: string;
  workflow_version: number;
  status: RunStatus;
  trigger_payload: JsonValue;
  /** Path of the step run that failed, e.g. `loop-1[2].slack-1`. */
  failed_step: string;
  error: string;
  cancel_requested: boolean;
  progress: RunProgress;
  retry_of: string | null;
  started_by: string;
  trigger: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
}

export type StepRunStatus = "succeeded" | "failed" | "cancelled";

/** What a list of step runs sends instead of an input or output over 64 KiB. */
export interface TruncatedPayload {
  truncated: true;
  size: number;
  /** The first 2 KiB of the JSON text. */
  preview: string;
}

export interface StepRun {
  sequence: number;
  /** `trigger`, `totango-1`, `loop-1`, `loop-1[3].slack-1`, `loop-1[0].loop-2[4].x-1`. */
  path: string;
  step_name: string;
  connector: string;
  operation: string;
  status: StepRunStatus;
  input: JsonValue;
  output: JsonValue;
  input_truncated: boolean;
  output_truncated: boolean;
  input_size: number;
  output_size: number;
  error: string;
  log: string[];
  retries: number;
  reused: boolean;
  started_at: string;
  duration_ms: number;
}

/** One bad field of a 400 answer; `path` is relative to what was sent (e.g. `steps.slack-1.properties.channel`). */
export interface FieldError {
  path: string;
  message: string;
}
