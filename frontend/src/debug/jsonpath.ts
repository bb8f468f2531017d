/** The jsonpath a step's later steps use to read a value of its output: `$.steps.totango-1.hits[0].display_name`. */

export type JsonKey = string | number;

// What the engine walks without quoting (builder/engine/properties.py reads the same form).
const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

function quoted(key: string): string {
  return `['${key.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}']`;
}

/** Appends one key: `.name`, `[3]` for an array index, `['odd key']` for any other text. */
export function appendKey(path: string, key: JsonKey): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return PLAIN_KEY.test(key) ? `${path}.${key}` : `${path}${quoted(key)}`;
}

/** The jsonpath of a value inside the output of `stepName`, from the keys that lead to it. */
export function jsonPathOf(stepName: string, keys: readonly JsonKey[]): string {
  return keys.reduce<string>(appendKey, appendKey("$.steps", stepName));
}
