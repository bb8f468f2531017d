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
