import { describe, expect, it } from "vitest";
import { convertValue, schemaType, startsJsonPath, typedText } from "./typed-values";

describe("a text field that decides its own type", () => {
  it("becomes a jsonpath when `$.` is typed at the start of a string", () => {
    expect(typedText("", "$", "string", true)).toEqual({ type: "string", value: "$" });
    expect(typedText("$", "$.", "string", true)).toEqual({ type: "jsonpath", value: "$." });
    expect(typedText("", "$.steps.loop-1.value", "string", true)).toEqual({ type: "jsonpath", value: "$.steps.loop-1.value" });
  });

  it("stays a string when `$.` is typed anywhere but the start", () => {
    expect(typedText("costs ", "costs $.", "string", true)).toEqual({ type: "string", value: "costs $." });
  });

  it("keeps a saved string that starts with `$.` a string while it is edited", () => {
    expect(typedText("$.50 off", "$.50 off!", "string", true)).toEqual({ type: "string", value: "$.50 off!" });
  });

  it("becomes a string again when the `$` of a jsonpath is typed over", () => {
    expect(typedText("$.steps.x", "r", "jsonpath", true)).toEqual({ type: "string", value: "r" });
    expect(typedText("$.steps.x", "$.steps.xy", "jsonpath", true)).toEqual({ type: "jsonpath", value: "$.steps.xy" });
  });

  it("never switches a field whose type was picked in the value type menu", () => {
    expect(typedText("", "$.steps", "string", false)).toEqual({ type: "string", value: "$.steps" });
    expect(typedText("$.steps", "steps", "jsonpath", false)).toEqual({ type: "jsonpath", value: "steps" });
  });

  it("holds no value once emptied", () => {
    expect(typedText("$.", "", "jsonpath", true)).toBeUndefined();
    expect(typedText("a", "", "string", true)).toBeUndefined();
  });

  it("recognises the starts of a jsonpath only", () => {
    expect([startsJsonPath("$5"), startsJsonPath("$."), startsJsonPath("$['a b']"), startsJsonPath("$5"), startsJsonPath(" $.a")]).toEqual([
      false,
      true,
      true,
      false,
      false,
    ]);
  });
});

describe("the value type menu's conversions", () => {
  it("keeps what can be kept", () => {
    expect(convertValue({ type: "string", value: "42" }, "number")).toEqual({ type: "number", value: 42 });
    expect(convertValue({ type: "string", value: "many" }, "number")).toBeUndefined();
    expect(convertValue({ type: "string", value: " $.steps.a " }, "jsonpath")).toEqual({ type: "jsonpath", value: "$.steps.a" });
    expect(convertValue({ type: "number", value: 3.7 }, "integer")).toEqual({ type: "integer", value: 3 });
  });

  it("starts a field with its schema's type: a number field with a number input", () => {
    expect(schemaType({ type: "number" })).toBe("number");
    expect(schemaType({ type: ["boolean", "null"] })).toBe("boolean");
    expect(schemaType({ title: "Value 1" })).toBe("string");
  });
});
