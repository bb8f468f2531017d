/** Typed property values (`{type, value}`) and the conversions of the type selector. */
import type { JsonSchema, PropertyType, TypedValue } from "../api/types";

export const PROPERTY_TYPES: PropertyType[] = ["string", "number", "integer", "boolean", "object", "array", "null", "jsonpath"];

/** The type a field starts with, from its schema. */
export function schemaType(schema: JsonSchema): PropertyType {
  const declared = Array.isArray(schema.type) ? schema.type.find((type) => type !== "null") : schema.type;
  if (declared !== undefined && (PROPERTY_TYPES as string[]).includes(declared)) return declared as PropertyType;
  if (schema.properties !== undefined) return "object";
  if (schema.items !== undefined) return "array";
  return "string";
}

/** The value kept when the type selector changes; undefined when there is nothing to keep. */
export function convertValue(value: TypedValue | undefined, to: PropertyType): TypedValue | undefined {
  const raw = value?.value;
  switch (to) {
    case "string":
      if (typeof raw === "string") return raw === "" ? undefined : { type: "string", value: raw };
      if (typeof raw === "number" || typeof raw === "boolean") return { type: "string", value: String(raw) };
      return undefined;
    case "jsonpath":
      return typeof raw === "string" && raw.trim().startsWith("$") ? { type: "jsonpath", value: raw.trim() } : undefined;
    case "number":
    case "integer": {
      const number = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
      if (!Number.isFinite(number)) return undefined;
      return { type: to, value: to === "integer" ? Math.trunc(number) : number };
    }
    case "boolean":
      return { type: "boolean", value: raw === true || raw === "true" };
    case "object":
      return { type: "object", value: {} };
    case "array":
      return { type: "array", value: [] };
    case "null":
      return { type: "null", value: null };
  }
}

/** The typed value of a plain default (for a new object member or array item). */
export function typedDefault(schema: JsonSchema): TypedValue | undefined {
  if (schema.default === undefined) return undefined;
  return { type: schemaType(schema), value: schema.default } as TypedValue;
}

/** Whether a text reads as a jsonpath being typed: `$.` or `$[` at its start (`$5` is a price). */
export function startsJsonPath(text: string): boolean {
  return text.startsWith("$.") || text.startsWith("$[");
}

/**
 * The typed value a text field holds after an edit, letting the field decide its type: typing
 * `$.` at the start of a string makes it a jsonpath, and taking the `$` away again makes it a
 * string. Only a field that `decides` does this: not once its type was picked in the value type
 * menu, and not when its schema wants something else than a string (a List stays a jsonpath).
 * The switch happens on the edit that crosses the line, so a saved string that starts with `$.`
 * stays a string while it is edited.
 */
export function typedText(previous: string, next: string, type: "string" | "jsonpath", decides: boolean): TypedValue | undefined {
  if (next === "") return undefined;
  if (decides && type === "string" && !startsJsonPath(previous) && startsJsonPath(next)) return { type: "jsonpath", value: next };
  if (decides && type === "jsonpath" && previous.startsWith("$") && !next.startsWith("$")) return { type: "string", value: next };
  return { type, value: next };
}
