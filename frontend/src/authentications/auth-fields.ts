/** The connector's authentication fields, read from its `fields_schema`. */
import type { JsonSchema, JsonValue } from "../api/types";

export interface AuthField {
  key: string;
  schema: JsonSchema;
  required: boolean;
  secret: boolean;
}

function conditionHolds(condition: JsonSchema | undefined, values: Record<string, JsonValue>): boolean {
  if (condition?.properties === undefined) return false;
  return Object.entries(condition.properties).every(([key, rule]) => rule.const === undefined || values[key] === rule.const);
}

/** The `if`/`then` rules of a schema, at its top level and in its `allOf`. */
function conditionalRules(schema: JsonSchema): { when: JsonSchema | undefined; required: string[] }[] {
  const parts = [schema, ...((schema.allOf as JsonSchema[] | undefined) ?? [])];
  return parts.filter((part) => part.then?.required !== undefined).map((part) => ({ when: part.if, required: part.then?.required ?? [] }));
}

/**
 * The fields to show for the values typed so far. A field required only by an `if`/`then`
 * (the custom base URL of a custom data center, the token of a bearer authentication)
 * shows only while one of its conditions holds.
 */
export function visibleAuthFields(schema: JsonSchema, values: Record<string, JsonValue>): AuthField[] {
  const required = new Set(schema.required ?? []);
  const rules = conditionalRules(schema);
  const conditional = new Set(rules.flatMap((rule) => rule.required));
  const active = new Set(rules.filter((rule) => conditionHolds(rule.when, values)).flatMap((rule) => rule.required));
  return Object.entries(schema.properties ?? {})
    .filter(([key]) => required.has(key) || !conditional.has(key) || active.has(key))
    .map(([key, field]) => ({
      key,
      schema: field,
      required: required.has(key) || active.has(key),
      secret: field.writeOnly === true,
    }));
}

export function initialAuthValues(schema: JsonSchema, settings: Record<string, JsonValue> = {}): Record<string, JsonValue> {
  const values: Record<string, JsonValue> = {};
  for (const [key, field] of Object.entries(schema.properties ?? {})) {
    if (settings[key] !== undefined) values[key] = settings[key];
    else if (field.default !== undefined && !field.writeOnly) values[key] = field.default;
  }
  return values;
}

/** What is sent: visible fields with a value; in an edit, an empty secret keeps the stored one. */
export function authFieldsToSend(schema: JsonSchema, values: Record<string, JsonValue>): Record<string, JsonValue> {
  const sent: Record<string, JsonValue> = {};
  for (const field of visibleAuthFields(schema, values)) {
    const value = values[field.key];
    if (value === undefined || value === null || value === "") continue;
    sent[field.key] = value;
  }
  return sent;
}
