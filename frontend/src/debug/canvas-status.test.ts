import { describe, expect, it } from "vitest";
import type { Run } from "../api/types";
import { canvasStatuses } from "./canvas-status";
import { makeEvent, makeRun } from "../test/runs";
import { stepRun, walkthroughRows } from "../test/step-runs";

const NAMES = ["trigger", "totango-1", "loop-1", "slack-1", "after-1"];

function run(extra: Partial<Run>): Run {
  return makeRun(extra);
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

  it("shows a waiting run parked at a step in a loop: the step and its loop wait, the step says until when and why", () => {
    const now = new Date(2026, 10, 30, 14, 0, 0);
    const resume = new Date(2026, 10, 30, 15, 4, 12).toISOString();
    const rows = walkthroughRows(3).filter((row) => row.path !== "loop-1");
    const states = canvasStatuses({
      names: NAMES,
      run: run({
        status: "waiting",
        resume_at: resume,
        waiting_reason: "rate limited by Slack",
        progress: { current_step: "loop-1[3].slack-1", loops: { "loop-1": { done: 3, count: 250 } } },
        events: [makeEvent({ kind: "waiting", at: now.toISOString(), step: "loop-1[3].slack-1", reason: "rate limited by Slack", resume_at: resume })],
      }),
      rows,
      complete: true,
      now,
    });
    expect(states["slack-1"]).toEqual({ status: "waiting", waiting: "Waiting until 15:04:12 (rate limited by Slack)", runs: 3 });
    expect(states["loop-1"]).toMatchObject({ status: "waiting", progress: { done: 3, count: 250 } });
    expect(states["loop-1"]!.waiting).toBeUndefined();
    expect(states["totango-1"]!.status).toBe("succeeded");
    expect(states["after-1"]!.status).toBe("queued");
  });

  it("takes the step of the last waiting event, the run's progress when it has none", () => {
    const now = new Date(2026, 10, 30, 9, 0, 0);
    const resume = new Date(2026, 10, 30, 9, 30, 0).toISOString();
    const parkedTwice = run({
      status: "waiting",
      resume_at: resume,
      waiting_reason: "delay",
      attempt: 2,
      events: [
        makeEvent({ kind: "waiting", at: now.toISOString(), step: "totango-1", reason: "rate limited by Totango" }),
        makeEvent({ kind: "worker_lost", at: now.toISOString(), step: "loop-1[0].slack-1", attempt: 2 }),
        makeEvent({ kind: "waiting", at: now.toISOString(), step: "after-1", reason: "delay", attempt: 2, resume_at: resume }),
      ],
    });
    const states = canvasStatuses({ names: NAMES, run: parkedTwice, rows: walkthroughRows(2), complete: true, now });
    expect(states["after-1"]).toMatchObject({ status: "waiting", waiting: "Waiting until 09:30:00 (delay)" });
    expect(states["totango-1"]!.status).toBe("succeeded");

    const noEvent = run({ status: "waiting", resume_at: null, waiting_reason: "", progress: { current_step: "totango-1" } });
    expect(canvasStatuses({ names: NAMES, run: noEvent, rows: [], complete: true, now })["totango-1"]).toEqual({ status: "waiting", waiting: "Waiting", runs: 0 });
  });

  it("forgets the waiting step once the run runs again", () => {
    const parked = makeEvent({ kind: "waiting", at: "2026-11-30T14:00:00Z", step: "after-1", reason: "delay" });
    const states = canvasStatuses({ names: NAMES, run: run({ status: "succeeded", events: [parked] }), rows: walkthroughRows(2).concat(stepRun(9, "after-1")), complete: true });
    expect(states["after-1"]).toEqual({ status: "succeeded", runs: 1 });
  });
});

describe("continued failures on the canvas", () => {
  it("marks a step whose runs failed but were continued, with the first error and how many", () => {
    const rows = [
      ...walkthroughRows(3).filter((row) => row.path !== "loop-1[1].slack-1"),
      stepRun(20, "loop-1[1].slack-1", { status: "continued", output: { error: { message: "channel_not_found", type: "vendor_error", status_code: 200 } } }),
      stepRun(21, "after-1"),
    ];
    const states = canvasStatuses({ names: NAMES, run: makeRun({ status: "succeeded", continued_failures: 1 }), rows, complete: true });
    expect(states["slack-1"]).toMatchObject({ status: "continued", error: "channel_not_found", continued: 1, runs: 3 });
    expect(states["loop-1"]!.status).toBe("succeeded");
    expect(states["after-1"]!.status).toBe("succeeded");
  });

  it("prefers the step run's error to its output, and a probe's continued status when rows are not loaded", () => {
    const rows = [stepRun(1, "trigger"), stepRun(2, "totango-1", { status: "continued", error: "Totango answered 500" })];
    const states = canvasStatuses({
      names: NAMES,
      run: makeRun({ status: "succeeded" }),
      rows,
      complete: false,
      probes: { "slack-1": { count: 4, status: "continued" } },
    });
    expect(states["totango-1"]).toMatchObject({ status: "continued", error: "Totango answered 500" });
    expect(states["slack-1"]!.status).toBe("continued");
  });
});
