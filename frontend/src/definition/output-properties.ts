/**
 * What the connector-snake and the jsonpath completion offer: the output properties of a step,
 * from its operation's `output_schema` merged with its last output where it has run. For a
 * loop seen from inside it: `value` (with the properties of the list's items), `index`, …;
 * seen from a step after it: its summary (`count`, `iterations`, `continued_failures`).
 */
import type { JsonSchema, TypedValue, WorkflowDefinition } from "../api/types";
import type { ConnectorCatalogue } from "../api/use-get-connectors";
import { stepOf, TRIGGER_NAME, visibleSteps, walk } from "./structure";

export interface OutputProperty {
  key: string;
  /** The full jsonpath, e.g. `$.steps.totango-1.hits`. */
  path: string;
  title?: string;
  description?: string;
  /** JSON type shown beside the key (string, array, …); undefined when any. */
  type?: string;
  children: OutputProperty[];
}

/** The JSON Schema describing a sample value (the step's last output). */
export function schemaFromSample(value: unknown, depth = 0): JsonSchema {
  if (depth > 6) return {};
  if (value === null) return { type: "null" };
  if (Array.isArray(value)) {
    const first: unknown = value[0];
    return first === undefined ? { type: "array" } : { type: "array", items: schemaFromSample(first, depth + 1) };
  }
  if (typeof value === "object") {
    return {
      type: "object",
      properties: Object.fromEntries(Object.entries(value).map(([key, item]) => [key, schemaFromSample(item, depth + 1)])),
    };
  }
  if (typeof value === "number") return { type: Number.isInteger(value) ? "integer" : "number" };
  return { type: typeof value };
}

/** The declared schema, completed with what the sample shows (keys the schema does not list). */
export function mergeSchemas(declared: JsonSchema, sample: JsonSchema | undefined): JsonSchema {
  if (sample === undefined) return declared;
  const merged: JsonSchema = { ...sample, ...declared };
  if (declared.type === undefined && sample.type !== undefined) merged.type = sample.type;
  if (declared.properties !== undefined || sample.properties !== undefined) {
    const keys = new Set([...Object.keys(declared.properties ?? {}), ...Object.keys(sample.properties ?? {})]);
    merged.properties = Object.fromEntries(
      [...keys].map((key) => {
        const own = declared.properties?.[key];
        const seen = sample.properties?.[key];
        return [key, own === undefined ? (seen ?? {}) : mergeSchemas(own, seen)];
      }),
    );
  }
  if (declared.items !== undefined || sample.items !== undefined) {
    merged.items = mergeSchemas(declared.items ?? {}, sample.items);
  }
  return merged;
}

function typeName(schema: JsonSchema): string | undefined {
  if (typeof schema.type === "string") return schema.type;
  if (Array.isArray(schema.type)) return schema.type.join(" | ");
  if (schema.properties !== undefined) return "object";
  return undefined;
}

const MAX_DEPTH = 5;

/** The tree of properties below `schema`, whose jsonpath starts with `path`. */
export function propertiesOf(schema: JsonSchema, path: string, depth = 0): OutputProperty[] {
  if (depth >= MAX_DEPTH) return [];
  if (schema.properties !== undefined) {
    return Object.entries(schema.properties).map(([key, child]) => propertyOf(key, child, `${path}.${key}`, depth));
  }
  return [];
}

function propertyOf(key: string, schema: JsonSchema, path: string, depth: number): OutputProperty {
  let children = propertiesOf(schema, path, depth + 1);
  if (children.length === 0 && schema.items?.properties !== undefined) {
    // A list of objects: its first item's properties, as `hits[0].display_name`.
    children = propertiesOf(schema.items, `${path}[0]`, depth + 1).map((child) => ({ ...child }));
  }
  const property: OutputProperty = { key, path, children };
  const type = typeName(schema);
  if (type !== undefined) property.type = type;
  if (schema.title !== undefined) property.title = schema.title;
  if (schema.description !== undefined) property.description = schema.description;
  return property;
}

const SIMPLE_PATH = /^\$((?:\.[A-Za-z0-9_-]+|\[\d+\])*)$/;

/** The keys of a simple jsonpath (`$.steps.a.hits[0]` → steps, a, hits, 0), or null. */
export function pathKeys(path: string): (string | number)[] | null {
  const match = SIMPLE_PATH.exec(path.trim());
  if (match === null) return null;
  const keys: (string | number)[] = [];
  for (const part of (match[1] ?? "").match(/\.[A-Za-z0-9_-]+|\[\d+\]/g) ?? []) {
    keys.push(part.startsWith("[") ? Number(part.slice(1, -1)) : part.slice(1));
  }
  return keys;
}

export interface SchemaContext {
  definition: WorkflowDefinition;
  catalogue: ConnectorCatalogue;
  /** Last outputs of steps that have run (from the debug panel), by step name. */
  samples?: Readonly<Record<string, unknown>>;
}

function operationOf(context: SchemaContext, name: string) {
  const step = stepOf(context.definition, name);
  if (step === undefined) return undefined;
  return context.catalogue.get(step.connector)?.operations.find((operation) => operation.key === step.operation);
}

/** The input of a loop step holding its list: `list`, or else its first array input. */
function listPropertyKey(schema: JsonSchema): string {
  const properties = schema.properties ?? {};
  if ("list" in properties) return "list";
  return Object.keys(properties).find((key) => properties[key]?.type === "array") ?? "list";
}

/** The JSON a typed value stands for (jsonpaths left as their text). */
export function plainValue(typed: TypedValue | undefined): unknown {
  if (typed === undefined) return undefined;
  if (typed.type === "object" && typed.value !== null && typeof typed.value === "object") {
    return Object.fromEntries(Object.entries(typed.value as Record<string, TypedValue>).map(([key, member]) => [key, plainValue(member)]));
  }
  if (typed.type === "array" && Array.isArray(typed.value)) {
    return (typed.value as TypedValue[]).map(plainValue);
  }
  return typed.value;
}

/** The schema of one item of the list a loop step iterates over. */
export function loopItemSchema(context: SchemaContext, loopName: string, seen: Set<string> = new Set()): JsonSchema {
  const step = stepOf(context.definition, loopName);
  const operation = operationOf(context, loopName);
  if (step === undefined || operation === undefined || seen.has(loopName)) return {};
  const list = step.properties[listPropertyKey(operation.input_schema)];
  if (list === undefined) return {};
  if (list.type === "jsonpath" && typeof list.value === "string") {
    return schemaAtPath(context, list.value, new Set([...seen, loopName])).items ?? {};
  }
  if (list.type === "array" && Array.isArray(list.value) && list.value.length > 0) {
    return schemaFromSample(plainValue(list.value[0] as TypedValue));
  }
  return {};
}

/** What a step after a loop may read of it: the summary the loop records when it ends. */
export const LOOP_SUMMARY_SCHEMA: JsonSchema = {
  type: "object",
  properties: {
    count: { type: "integer", title: "Items in the list" },
    iterations: { type: "integer", title: "Iterations that ran" },
    continued_failures: { type: "integer", title: "Failures continued in its iterations" },
  },
};

/**
 * The schema of a step's output as a step after it sees it, or for a loop as a step inside it
 * sees it; with `after`, a loop's is the summary a step after the loop sees.
 */
export function stepOutputSchema(
  context: SchemaContext,
  name: string,
  seen: Set<string> = new Set(),
  after = false,
): JsonSchema {
  const operation = operationOf(context, name);
  const sample = context.samples?.[name];
  const sampleSchema = sample === undefined ? undefined : schemaFromSample(sample);
  if (operation === undefined) return sampleSchema ?? {};
  if (operation.kind === "loop") {
    if (after) return LOOP_SUMMARY_SCHEMA;
    const declared = operation.output_schema;
    const value = { ...(declared.properties?.value ?? {}), ...loopItemSchema(context, name, seen) };
    return { ...declared, properties: { ...declared.properties, value } };
  }
  return mergeSchemas(operation.output_schema, sampleSchema);
}

/** The schema found at a `$.steps.<name>…` path (empty when unknown). */
export function schemaAtPath(context: SchemaContext, path: string, seen: Set<string> = new Set()): JsonSchema {
  const keys = pathKeys(path);
  if (keys === null || keys[0] !== "steps" || typeof keys[1] !== "string") return {};
  let schema = stepOutputSchema(context, keys[1], seen);
  for (const key of keys.slice(2)) {
    if (typeof key === "number") {
      schema = schema.items ?? {};
    } else {
      schema = schema.properties?.[key] ?? {};
    }
  }
  return schema;
}

/** Whether `viewer` runs after the loop (or step) `target` ended, rather than inside it. */
function readsAfter(definition: WorkflowDefinition, viewer: string | undefined, target: string): boolean {
  if (viewer === undefined) return false;
  return visibleSteps(definition, viewer).find((step) => step.name === target)?.enclosingLoop === false;
}

/**
 * The snake's list: the output properties of step `target` as step `viewer` may read them (a
 * loop's value, index, … inside it, its summary after it; without `viewer`, as from inside).
 */
export function outputPropertiesFor(context: SchemaContext, target: string, viewer?: string): OutputProperty[] {
  const after = readsAfter(context.definition, viewer, target);
  return propertiesOf(stepOutputSchema(context, target, new Set(), after), `$.steps.${target}`);
}

/** Why `viewer` cannot read from `target`, or null when it can. */
export function snakeRefusal(definition: WorkflowDefinition, viewer: string, target: string): string | null {
  if (viewer === target) {
    return `A step cannot read its own output: drop on a step that runs before ${viewer}.`;
  }
  if (visibleSteps(definition, viewer).some((step) => step.name === target)) {
    return null;
  }
  const order = walk(definition).map((entry) => entry.node.name);
  if (viewer === TRIGGER_NAME || order.indexOf(target) > order.indexOf(viewer)) {
    return `${target} runs after ${viewer}: a step can only read the steps that run before it.`;
  }
  return `${target} is inside a loop or lane that ${viewer} is not in: its output is not available here.`;
}

export interface PathSuggestion {
  path: string;
  type?: string;
}

function flatten(properties: OutputProperty[], into: PathSuggestion[]): void {
  for (const property of properties) {
    const suggestion: PathSuggestion = { path: property.path };
    if (property.type !== undefined) suggestion.type = property.type;
    into.push(suggestion);
    flatten(property.children, into);
  }
}

/** Completions for a jsonpath being typed in a field of step `viewer`. */
export function jsonPathSuggestions(context: SchemaContext, viewer: string, typed: string, limit = 50): PathSuggestion[] {
  const text = typed.trim();
  if (!"$.steps.".startsWith(text) && !text.startsWith("$.steps.")) {
    return [];
  }
  const all: PathSuggestion[] = [];
  for (const step of visibleSteps(context.definition, viewer)) {
    all.push({ path: `$.steps.${step.name}` });
    if (text.startsWith(`$.steps.${step.name}`)) {
      flatten(outputPropertiesFor(context, step.name, viewer), all);
    }
  }
  return all.filter((suggestion) => suggestion.path.startsWith(text) && suggestion.path !== text).slice(0, limit);
}
