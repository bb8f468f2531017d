import { describe, expect, it } from "vitest";
import type { WorkflowDefinition } from "../api/types";
import { catalogue } from "../test/catalogue";
import { visibleSteps } from "./structure";
import {
  jsonPathSuggestions,
  outputPropertiesFor,
  type OutputProperty,
  schemaAtPath,
  snakeRefusal,
} from "./output-properties";

/** The guide's workflow, plus a Slack step after the loop. */
function walkthrough(): WorkflowDefinition {
  return {
    trigger: { connector: "manual", operation: "manual", properties: {} },
    steps_structure: [
      { name: "totango-1", type: "normal" },
      { name: "loop-1", type: "loop", content: { _loop: [{ name: "slack-1", type: "normal" }] } },
      { name: "slack-2", type: "normal" },
    ],
    steps: {
      "totango-1": { connector: "totango", operation: "search_data_raw", properties: {} },
      "loop-1": { connector: "loop", operation: "loop_list", properties: { list: { type: "jsonpath", value: "$.steps.totango-1.hits" } } },
      "slack-1": { connector: "slack", operation: "send_message", properties: {} },
      "slack-2": { connector: "slack", operation: "send_message", properties: {} },
    },
  };
}

/** `key (type)` lines, children indented: what the snake's list shows. */
function outline(properties: OutputProperty[], depth = 0): string[] {
  return properties.flatMap((property) => [
    `${"  ".repeat(depth)}${property.key}${property.type === undefined ? "" : ` (${property.type})`}`,
    ...outline(property.children, depth + 1),
  ]);
}

describe("the connector-snake's list of output properties", () => {
  it("lists a step's output properties from its operation's output_schema", () => {
    const properties = outputPropertiesFor({ definition: walkthrough(), catalogue }, "totango-1");

    expect(properties.map((property) => [property.key, property.path, property.type, property.title])).toEqual([
      ["total_hits", "$.steps.totango-1.total_hits", "integer", "Total hits"],
      ["hits", "$.steps.totango-1.hits", "array", "Hits"],
    ]);
    // A list of objects can be expanded into its first item's properties.
    expect(properties[1]!.children.map((child) => child.path)).toEqual([
      "$.steps.totango-1.hits[0].name",
      "$.steps.totango-1.hits[0].display_name",
      "$.steps.totango-1.hits[0].selected_fields",
      "$.steps.totango-1.hits[0].account",
    ]);
  });

  it("offers a loop's value with the properties of the items of the list it loops over", () => {
    const properties = outputPropertiesFor({ definition: walkthrough(), catalogue }, "loop-1");

    expect(outline(properties)).toEqual([
      "value (object)",
      "  name (string)",
      "  display_name (string)",
      "  selected_fields (array)",
      "  account (object)",
      "    name (string)",
      "    display_name (string)",
      "index (integer)",
      "count (integer)",
      "is_first (boolean)",
      "is_last (boolean)",
    ]);
    const displayName = properties[0]!.children.find((child) => child.key === "display_name");
    expect(displayName?.path).toBe("$.steps.loop-1.value.display_name");
  });

  it("follows a loop over another loop's value to the inner items", () => {
    const definition = walkthrough();
    definition.steps_structure[1]!.content!._loop = [
      { name: "loop-2", type: "loop", content: { _loop: [{ name: "slack-1", type: "normal" }] } },
    ];
    definition.steps["loop-2"] = {
      connector: "loop",
      operation: "loop_list",
      properties: { list: { type: "jsonpath", value: "$.steps.loop-1.value.selected_fields" } },
    };

    expect(schemaAtPath({ definition, catalogue }, "$.steps.loop-1.value.account")).toMatchObject({ type: "object" });
    const value = outputPropertiesFor({ definition, catalogue }, "loop-2")[0]!;
    expect(value.key).toBe("value");
    expect(value.children).toEqual([]);
  });

  it("adds what the step's last output shows to what its schema declares", () => {
    const samples = { "slack-1": { ok: true, ts: "1700000000.000100", channel: "C1", response_metadata: { warnings: ["w"] } } };

    const properties = outputPropertiesFor({ definition: walkthrough(), catalogue, samples }, "slack-1");

    expect(properties.map((property) => property.key)).toEqual(["ok", "channel", "ts", "message", "response_metadata"]);
    expect(properties.at(-1)!.children.map((child) => [child.key, child.type])).toEqual([["warnings", "array"]]);
  });

  it("offers a step after a loop the loop's summary, and a step inside it the value and index", () => {
    const context = { definition: walkthrough(), catalogue };

    expect(outline(outputPropertiesFor(context, "loop-1", "slack-2"))).toEqual([
      "count (integer)",
      "iterations (integer)",
      "continued_failures (integer)",
    ]);
    expect(outputPropertiesFor(context, "loop-1", "slack-2").map((property) => [property.path, property.title])).toEqual([
      ["$.steps.loop-1.count", "Items in the list"],
      ["$.steps.loop-1.iterations", "Iterations that ran"],
      ["$.steps.loop-1.continued_failures", "Failures continued in its iterations"],
    ]);
    const inside = outputPropertiesFor(context, "loop-1", "slack-1").map((property) => property.key);
    expect(inside).toEqual(["value", "index", "count", "is_first", "is_last"]);
    expect(outputPropertiesFor(context, "loop-1").map((property) => property.key)).toEqual(inside);
  });

  it("uses the items of a literal list when a loop's list is typed in", () => {
    const definition = walkthrough();
    definition.steps["loop-1"]!.properties.list = {
      type: "array",
      value: [{ type: "object", value: { email: { type: "string", value: "a@example.com" } } }],
    };

    const value = outputPropertiesFor({ definition, catalogue }, "loop-1")[0]!;

    expect(value.children.map((child) => [child.path, child.type])).toEqual([["$.steps.loop-1.value.email", "string"]]);
  });
});

describe("the steps a step may read", () => {
  it("sees a loop it is inside as enclosing, a loop that ended before it as not, and no loop that runs later", () => {
    const definition = walkthrough();
    expect(visibleSteps(definition, "slack-1")).toEqual([
      { name: "trigger", enclosingLoop: false },
      { name: "totango-1", enclosingLoop: false },
      { name: "loop-1", enclosingLoop: true },
    ]);
    expect(visibleSteps(definition, "slack-2")).toEqual([
      { name: "trigger", enclosingLoop: false },
      { name: "totango-1", enclosingLoop: false },
      { name: "loop-1", enclosingLoop: false },
    ]);
    expect(visibleSteps(definition, "totango-1").map((step) => step.name)).toEqual(["trigger"]);
  });
});

describe("where the snake may be dropped", () => {
  const definition = walkthrough();

  it("accepts an earlier step, the loop containing the step, a loop that ended before it and the trigger", () => {
    expect(snakeRefusal(definition, "slack-1", "totango-1")).toBeNull();
    expect(snakeRefusal(definition, "slack-1", "loop-1")).toBeNull();
    expect(snakeRefusal(definition, "slack-1", "trigger")).toBeNull();
    expect(snakeRefusal(definition, "slack-2", "loop-1")).toBeNull();
  });

  it("refuses a step that runs later, the step itself, a loop that runs later and a step inside a loop, saying why", () => {
    expect(snakeRefusal(definition, "totango-1", "slack-2")).toBe(
      "slack-2 runs after totango-1: a step can only read the steps that run before it.",
    );
    expect(snakeRefusal(definition, "slack-1", "slack-1")).toBe(
      "A step cannot read its own output: drop on a step that runs before slack-1.",
    );
    expect(snakeRefusal(definition, "totango-1", "loop-1")).toBe(
      "loop-1 runs after totango-1: a step can only read the steps that run before it.",
    );
    expect(snakeRefusal(definition, "slack-2", "slack-1")).toBe(
      "slack-1 is inside a loop or lane that slack-2 is not in: its output is not available here.",
    );
  });
});

describe("jsonpath completion", () => {
  const context = { definition: walkthrough(), catalogue };

  it("offers the steps a field may read after $.steps.", () => {
    expect(jsonPathSuggestions(context, "slack-1", "$.steps.").map((suggestion) => suggestion.path)).toEqual([
      "$.steps.trigger",
      "$.steps.totango-1",
      "$.steps.loop-1",
    ]);
  });

  it("completes the output properties of the step being typed", () => {
    expect(jsonPathSuggestions(context, "slack-1", "$.steps.loop-1.value.d")).toEqual([
      { path: "$.steps.loop-1.value.display_name", type: "string" },
    ]);
    expect(jsonPathSuggestions(context, "loop-1", "$.steps.totango-1.h").map((suggestion) => suggestion.path)).toEqual([
      "$.steps.totango-1.hits",
      "$.steps.totango-1.hits[0].name",
      "$.steps.totango-1.hits[0].display_name",
      "$.steps.totango-1.hits[0].selected_fields",
      "$.steps.totango-1.hits[0].account",
      "$.steps.totango-1.hits[0].account.name",
      "$.steps.totango-1.hits[0].account.display_name",
    ]);
  });

  it("offers a loop's summary to a step after it and its value to a step inside it", () => {
    expect(jsonPathSuggestions(context, "slack-2", "$.steps.").map((suggestion) => suggestion.path)).toEqual([
      "$.steps.trigger",
      "$.steps.totango-1",
      "$.steps.loop-1",
    ]);
    expect(jsonPathSuggestions(context, "slack-2", "$.steps.loop-1.")).toEqual([
      { path: "$.steps.loop-1.count", type: "integer" },
      { path: "$.steps.loop-1.iterations", type: "integer" },
      { path: "$.steps.loop-1.continued_failures", type: "integer" },
    ]);
    expect(jsonPathSuggestions(context, "slack-1", "$.steps.loop-1.").map((suggestion) => suggestion.path)).toContain(
      "$.steps.loop-1.index",
    );
    expect(jsonPathSuggestions(context, "slack-1", "$.steps.loop-1.").map((suggestion) => suggestion.path)).not.toContain(
      "$.steps.loop-1.iterations",
    );
    // A step before the loop is not offered it.
    expect(jsonPathSuggestions(context, "totango-1", "$.steps.").map((suggestion) => suggestion.path)).toEqual(["$.steps.trigger"]);
  });

  it("offers nothing for text that is not a $.steps path", () => {
    expect(jsonPathSuggestions(context, "slack-1", "hello")).toEqual([]);
  });
});
