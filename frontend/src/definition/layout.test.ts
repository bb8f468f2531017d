import { describe, expect, it } from "vitest";
import type { WorkflowDefinition } from "../api/types";
import { computeLayout, GAP, STEP_HEIGHT } from "./layout";

const definition: WorkflowDefinition = {
  trigger: { connector: "manual", operation: "manual", properties: {} },
  steps_structure: [
    { name: "totango-1", type: "normal" },
    { name: "loop-1", type: "loop", content: { _loop: [{ name: "slack-1", type: "normal" }] } },
    { name: "boolean-1", type: "branch", content: { false: [], true: [{ name: "slack-2", type: "normal" }] } },
  ],
  steps: {},
};

describe("layout", () => {
  const layout = computeLayout(definition);

  it("reads top to bottom: trigger, then each step below the one before", () => {
    const totango = layout.steps.find((step) => step.name === "totango-1")!;
    const loop = layout.containers.find((container) => container.name === "loop-1")!;
    const slack = layout.steps.find((step) => step.name === "slack-1")!;
    expect(totango.y).toBe(STEP_HEIGHT + GAP);
    expect(loop.y).toBe(totango.y + STEP_HEIGHT + GAP);
    // The loop's body is inside its box.
    expect(slack.y).toBeGreaterThan(loop.y + STEP_HEIGHT);
    expect(slack.y + STEP_HEIGHT).toBeLessThan(loop.y + loop.height);
    expect(slack.x).toBeGreaterThan(loop.x);
  });

  it("shows a branch's True lane left of its False lane", () => {
    const branch = layout.containers.find((container) => container.name === "boolean-1")!;
    expect(branch.lanes.map((lane) => lane.label)).toEqual(["True", "False"]);
    expect(branch.lanes[0]!.centerX).toBeLessThan(branch.lanes[1]!.centerX);
  });

  it("puts a drop zone before every step and at the end of every lane", () => {
    expect(layout.dropZones.map((zone) => `${zone.slot.container ?? "main"}/${zone.slot.lane}/${zone.slot.index} after ${zone.after}`)).toEqual([
      "main/main/0 after trigger",
      "main/main/1 after totango-1",
      "loop-1/_loop/0 after null",
      "loop-1/_loop/1 after slack-1",
      "main/main/2 after loop-1",
      "boolean-1/true/0 after null",
      "boolean-1/true/1 after slack-2",
      "boolean-1/false/0 after null",
      "main/main/3 after boolean-1",
    ]);
  });
});
