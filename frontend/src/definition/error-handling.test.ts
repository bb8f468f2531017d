import { describe, expect, it } from "vitest";
import type { StepDefinition, WorkflowDefinition } from "../api/types";
import { computeLayout } from "./layout";
import { acceptsErrorHandling, describeRetry, errorHandlingOf, errorLaneSteps, setErrorHandling } from "./error-handling";
import { insertNode, visibleSteps } from "./structure";

const slack: StepDefinition = { connector: "slack", operation: "send_message", properties: {} };

function definition(): WorkflowDefinition {
  return {
    trigger: { connector: "manual", operation: "manual", properties: {} },
    steps_structure: [
      { name: "slack-1", type: "normal" },
      { name: "after-1", type: "normal" },
    ],
    steps: { "slack-1": slack, "after-1": slack },
  };
}

describe("error handling", () => {
  it("is stop with no retry when the step has none", () => {
    expect(errorHandlingOf(slack)).toEqual({ mode: "stop" });
  });

  it("is offered for action steps only: not for triggers, loops, branches, Break loop or Terminate", () => {
    expect(acceptsErrorHandling("action", "slack")).toBe(true);
    for (const kind of ["trigger", "loop", "branch", "break", "continue"]) expect(acceptsErrorHandling(kind, "loop")).toBe(false);
    expect(acceptsErrorHandling("action", "terminate")).toBe(false);
  });

  it("writes steps.<name>.error_handling, and removes it for stop with no retry", () => {
    const continued = setErrorHandling(definition(), "slack-1", { mode: "continue" });
    expect(continued.steps["slack-1"]!.error_handling).toEqual({ mode: "continue" });
    expect(continued.steps_structure[0]).toEqual({ name: "slack-1", type: "normal" });
    const retried = setErrorHandling(continued, "slack-1", {
      mode: "continue",
      retry: { attempts: 3, backoff: "fixed", delay_seconds: 2 },
    });
    expect(retried.steps["slack-1"]!.error_handling!.retry).toEqual({ attempts: 3, backoff: "fixed", delay_seconds: 2 });
    const stopped = setErrorHandling(retried, "slack-1", { mode: "stop" });
    expect("error_handling" in stopped.steps["slack-1"]!).toBe(false);
  });

  it("gives the node an empty _error lane for Error lane, and takes it away (with its steps) for another mode", () => {
    const laned = setErrorHandling(definition(), "slack-1", { mode: "error_lane" });
    expect(laned.steps_structure[0]).toEqual({ name: "slack-1", type: "normal", content: { _error: [] } });
    const filled = insertNode(laned, { container: "slack-1", lane: "_error", index: 0 }, { name: "slack-2", type: "normal" }, { "slack-2": slack });
    expect(errorLaneSteps(filled, "slack-1")).toEqual(["slack-2"]);
    // Choosing Error lane again keeps what the lane holds.
    expect(setErrorHandling(filled, "slack-1", { mode: "error_lane", retry: { attempts: 2, backoff: "fixed" } }).steps_structure[0]!.content).toEqual({
      _error: [{ name: "slack-2", type: "normal" }],
    });
    const back = setErrorHandling(filled, "slack-1", { mode: "continue" });
    expect(back.steps_structure[0]).toEqual({ name: "slack-1", type: "normal" });
    expect(Object.keys(back.steps).sort()).toEqual(["after-1", "slack-1"]);
  });

  it("lets a step in the error lane read the failed step", () => {
    const laned = setErrorHandling(definition(), "slack-1", { mode: "error_lane" });
    const filled = insertNode(laned, { container: "slack-1", lane: "_error", index: 0 }, { name: "slack-2", type: "normal" }, { "slack-2": slack });
    expect(visibleSteps(filled, "slack-2").map((step) => step.name)).toEqual(["trigger", "slack-1"]);
    expect(visibleSteps(filled, "after-1").map((step) => step.name)).toEqual(["trigger", "slack-1"]);
  });

  it("describes the retry in words", () => {
    expect(describeRetry(undefined)).toBe("No retry: the first failure counts.");
    expect(describeRetry({ attempts: 1, backoff: "fixed" })).toBe("No retry: the first failure counts.");
    expect(describeRetry({ attempts: 2, backoff: "fixed", delay_seconds: 5 })).toBe("Retries once, waiting 5 s between tries.");
    expect(describeRetry({ attempts: 4, backoff: "exponential" })).toBe("Retries up to 3 times, waiting 1 s then doubling (at most 60 s).");
    expect(describeRetry({ attempts: 3, backoff: "exponential", delay_seconds: 0.5, max_delay_seconds: 10 })).toBe(
      "Retries up to 2 times, waiting 0.5 s then doubling (at most 10 s).",
    );
  });
});

describe("the error lane on the canvas", () => {
  const laned = insertNode(
    setErrorHandling(definition(), "slack-1", { mode: "error_lane" }),
    { container: "slack-1", lane: "_error", index: 0 },
    { name: "slack-2", type: "normal" },
    { "slack-2": slack },
  );
  const layout = computeLayout(laned);

  it("draws the step as a box with one lane labelled On failure, holding the lane's steps", () => {
    const box = layout.containers.find((container) => container.name === "slack-1")!;
    expect(box.type).toBe("error");
    expect(box.lanes.map((lane) => lane.label)).toEqual(["On failure"]);
    const inside = layout.steps.find((step) => step.name === "slack-2")!;
    expect(inside.y).toBeGreaterThan(box.y);
    expect(inside.y).toBeLessThan(box.y + box.height);
    expect(layout.steps.map((step) => step.name)).not.toContain("slack-1");
  });

  it("continues the success path below the box, with a + to add steps into the lane", () => {
    const box = layout.containers.find((container) => container.name === "slack-1")!;
    const after = layout.steps.find((step) => step.name === "after-1")!;
    expect(after.y).toBeGreaterThan(box.y + box.height);
    expect(layout.edges.some((edge) => edge.source === "slack-1" && edge.sourceHandle === "out" && edge.target === "after-1")).toBe(true);
    const zones = layout.dropZones.filter((zone) => zone.slot.container === "slack-1" && zone.slot.lane === "_error");
    expect(zones.map((zone) => zone.slot.index)).toEqual([0, 1]);
  });

  it("draws an empty error lane with its + alone", () => {
    const empty = computeLayout(setErrorHandling(definition(), "slack-1", { mode: "error_lane" }));
    const zones = empty.dropZones.filter((zone) => zone.slot.lane === "_error");
    expect(zones).toHaveLength(1);
  });
});
