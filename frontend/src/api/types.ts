/**
 * Shapes of the REST API under /api/, from the generated `schema.d.ts` (`npm run generate:api`,
 * from the backend's OpenAPI schema in `openapi.yaml`). Only what the schema leaves as "any JSON"
 * (connectors' JSON Schemas, a workflow's definition, payloads) is typed here by hand.
 */
import type { components } from "./schema";

type Schemas = components["schemas"];

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
  /** Set by the platform, not by the user (e.g. the payload a schedule's run gets). */
  readOnly?: boolean;
  if?: JsonSchema;
  then?: JsonSchema;
  /** A warning shown beside the field (e.g. what regenerating a token breaks). */
  "x-warning"?: string;
  [keyword: string]: unknown;
}

export type OperationKind = Schemas["KindEnum"];

export type Operation = Omit<Schemas["ConnectorOperation"], "input_schema" | "output_schema"> & {
  input_schema: JsonSchema;
  output_schema: JsonSchema;
};

export type ConnectorAuthentication = Omit<Schemas["ConnectorAuthentication"], "fields_schema"> & {
  fields_schema: JsonSchema;
};

export type Connector = Omit<Schemas["Connector"], "authentication" | "operations"> & {
  authentication: ConnectorAuthentication | null;
  operations: Operation[];
};

// The definition format the backend's compiler (builder/engine) validates; the API carries it as JSON.

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

/** What a failure of the step means: stop the run (the default), continue, or take its error lane. */
export type ErrorMode = "stop" | "continue" | "error_lane";

export interface RetrySettings {
  /** Total tries, the first included: 1..10 (1 = no retry). */
  attempts: number;
  backoff: "fixed" | "exponential";
  delay_seconds?: number;
  max_delay_seconds?: number;
}

/** `steps.<name>.error_handling`: absent means stop, with no retry. */
export interface ErrorHandling {
  mode: ErrorMode;
  retry?: RetrySettings;
}

export interface StepDefinition {
  title?: string;
  connector: string;
  operation: string;
  authentication?: string;
  properties: Record<string, TypedValue>;
  error_handling?: ErrorHandling;
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

/**
 * What the triggers add to a workflow, detail and list alike: `enabled` (only an enabled workflow
 * fires from its webhook or schedule), `webhook_url` (a Webhook trigger's, else null) and
 * `next_fire_times` (a valid Schedule's next five, ISO 8601, else null).
 */
export type TriggerState = Pick<Schemas["WorkflowList"], "enabled" | "webhook_url" | "next_fire_times">;

/** A workflow as the API answers: `definition` and `version` are optional only when sent. */
export type Workflow = Omit<Schemas["Workflow"], "definition" | "version" | "enabled"> & {
  definition: WorkflowDefinition;
  version: number;
  /** Always in an answer; optional in the schema only because it may be sent. */
  enabled: boolean;
};

export type WorkflowSummary = Schemas["WorkflowList"];

/** The trigger state of a workflow answer, alone (what the builder keeps beside the definition). */
export function triggerStateOf(workflow: TriggerState): TriggerState {
  return { enabled: workflow.enabled, webhook_url: workflow.webhook_url, next_fire_times: workflow.next_fire_times };
}

/** What started a run: Run workflow (or Replay, Retry), a webhook call, a schedule, another workflow. */
export type TriggerKind = Schemas["TriggerKindEnum"];

/** One page of a list: `Paginated*List` in the schema, all alike. */
export type Page<T> = Omit<Schemas["PaginatedRunList"], "results"> & { results: T[] };

export type AuthenticationScope = Schemas["ScopeEnum"];

export type Authentication = Omit<Schemas["Authentication"], "settings"> & {
  settings: Record<string, JsonValue>;
};

export type Role = Schemas["RoleEnum"];

export type Me = Schemas["Me"];

/** The caller's organisation (`GET /api/organisation/`). */
export type Organisation = Schemas["Organisation"];

/** A person of the organisation with their role (`GET /api/organisation/members/`). */
export type Member = Schemas["Member"];

export type MemberInput = Schemas["MemberRequest"];

export type RunStatus = Schemas["RunStatusEnum"];

export const RUN_STATUSES: readonly RunStatus[] = ["queued", "running", "waiting", "succeeded", "failed", "cancelled"];

/** Not finished yet: queued, running, or waiting (parked until `resume_at`, then running again). */
export function isRunLive(status: RunStatus | undefined): boolean {
  return status === "queued" || status === "running" || status === "waiting";
}

/** Where a run is: the step path running now and each loop's iterations done, by loop step name. */
export type RunProgress = Schemas["RunProgress"];

/** A run this run started with a Call workflow step (it may belong to another workflow). */
export type RunChild = Schemas["ChildRun"];

/** `response`: the run's answer (a Webhook response's `{status, headers, body}`, a Callable response's `{value}`), or null. */
export type Run = Omit<Schemas["Run"], "trigger_payload" | "response"> & { trigger_payload: JsonValue; response: JsonValue };

/** Something that interrupted a run without ending it (it parked, or its worker was lost), oldest first. */
export type RunEvent = Schemas["RunEvent"];

export type RunEventKind = Schemas["RunEventKindEnum"];

/** `continued`: the step failed but the run went on (error handling Continue, or its error lane ran). */
export type StepRunStatus = Schemas["StepRunStatusEnum"];

export const STEP_RUN_STATUSES: readonly StepRunStatus[] = ["succeeded", "failed", "continued", "cancelled"];

/** What a list of step runs sends instead of an input or output over 64 KiB. */
export interface TruncatedPayload {
  truncated: true;
  size: number;
  /** The first 2 KiB of the JSON text. */
  preview: string;
}

/** What Test step did with one step: its resolved input and its output or error, redacted. */
export type StepTestResult = Omit<Schemas["StepTestResult"], "input" | "output"> & { input: JsonValue; output: JsonValue };

/** What Test step reads by default: the latest run's outputs by step name, and what to confirm. */
export type StepTestSample = Omit<Schemas["StepTestSample"], "sample"> & { sample: Record<string, JsonValue> };

/** A step run; `path` is e.g. `trigger`, `loop-1[3].slack-1`, `loop-1[0].loop-2[4].x-1`. */
export type StepRun = Omit<Schemas["StepRun"], "input" | "output"> & { input: JsonValue; output: JsonValue };

/** One bad field of a 400 answer; `path` is relative to what was sent (e.g. `steps.slack-1.properties.channel`). */
export type FieldError = Schemas["FieldError"];
