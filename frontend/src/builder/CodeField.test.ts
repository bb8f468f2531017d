import { describe, expect, it } from "vitest";
import type { TypedValue } from "../api/types";
import { variableNames } from "./CodeField";

const variable = (name: TypedValue | undefined): TypedValue => ({ type: "object", value: name === undefined ? {} : { name, value: { type: "jsonpath", value: "$.steps.totango-1.hits" } } });

describe("variableNames", () => {
  it("lists the named variables in order, once each", () => {
    const variables: TypedValue = {
      type: "array",
      value: [variable({ type: "string", value: "accounts" }), variable({ type: "string", value: "channel" }), variable({ type: "string", value: "accounts" })],
    };

    expect(variableNames(variables)).toEqual(["accounts", "channel"]);
  });

  it("skips unnamed, empty and mapped names, and a list read from a step", () => {
    const variables: TypedValue = {
      type: "array",
      value: [variable(undefined), variable({ type: "string", value: "" }), variable({ type: "jsonpath", value: "$.steps.a.name" })],
    };

    expect(variableNames(variables)).toEqual([]);
    expect(variableNames({ type: "jsonpath", value: "$.steps.a.list" })).toEqual([]);
    expect(variableNames(undefined)).toEqual([]);
  });
});
