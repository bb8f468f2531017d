import { describe, expect, it } from "vitest";
import type { Run } from "../api/types";
import { canvasStatuses } from "./canvas-status";
import { stepRun, walkthroughRows } from "../test/step-runs";

const NAMES = ["trigger", "totango-1", "loop-1", "slack-1", "after-1"];

function run(extra: Partial<Run>): Run {
  return {
    id: "run-1",
    workflow: "wf-1",
    workflow_version: 1,
    status: "running",
    trigger_payload: {},
    failed_step: "",
    error: "",
    cancel_requested: false,
    progress: {},
    retry_of: null,
    started_by: "ada",
    trigger: "manual",
    created_at: "",
    started_at: null,
    finished_at: null,
    duration_ms: null,
    ...extra,
  };
}

describe("canvasStatuses", () => {
  it("shows every step queued while the run waits for a worker", () => {
    const states = canvasStatuses({ names: NAMES, run: run({ status: "queued" }), rows: [], complete: true });
    expect(Object.values(states).map((state) => state.status)).toEqual(["queued", "queued", "queued", "queued", "queued"]);
  });

  it("shows the running step, its loop and the loop's progress", () => {
    const rows = walkthroughRows(37).filter((row) => row.path !== "loop-1");
    const states = canvasStatuses({
      names: NAMES,
      run: run({ progress: { current_step: "loop-1[37].slack-1", loops: { "loop-1": { done: 37, count: 250 } } } }),
      rows,
      complete: true,
    });
    expect(states["totango-1"]!.status).toBe("succeeded");
    expect(states["loop-1"]).toMatchObject({ status: "running", progress: { done: 37, count: 250 } });
    expect(states["slack-1"]).toMatchObject({ status: "running", runs: 37 });
    expect(states["after-1"]!.status).toBe("queued");
  });

  it("marks the failed step and its loop with their errors, and what did not run as skipped", () => {
    const rows = [
      ...walkthroughRows(2).filter((row) => row.path !== "loop-1"),
      stepRun(3, "loop-1", { status: "failed", error: "Iteration 3 of 25 failed at loop-1[2].slack-1: channel_not_found", output: { count: 25, iterations: 3 } }),
      stepRun(6, "loop-1[2].slack-1", { status: "failed", error: "channel_not_found" }),
    ];
    const states = canvasStatuses({
      names: NAMES,
      run: run({ status: "failed", failed_step: "loop-1[2].slack-1", error: "channel_not_found", progress: { current_step: "", loops: { "loop-1": { done: 2, count: 25 } } } }),
      rows,
      complete: true,
    });
    expect(states["slack-1"]).toMatchObject({ status: "failed", error: "channel_not_found", runs: 3 });
    expect(states["loop-1"]).toMatchObject({ status: "failed", progress: { done: 2, count: 25 } });
    expect(states["loop-1"]!.error).toContain("Iteration 3 of 25");
    expect(states["after-1"]!.status).toBe("skipped");
    expect(states["totango-1"]!.status).toBe("succeeded");
  });

  it("leaves a step unknown while a large finished run is only partly loaded, until probed", () => {
    const base = { names: NAMES, run: run({ status: "succeeded" }), rows: walkthroughRows(5), complete: false };
    expect(canvasStatuses(base)["after-1"]).toBeUndefined();
    expect(canvasStatuses({ ...base, probes: { "after-1": { count: 1, status: "succeeded" } } })["after-1"]!.status).toBe("succeeded");
    expect(canvasStatuses({ ...base, probes: { "after-1": { count: 0 } } })["after-1"]!.status).toBe("skipped");
  });
});
