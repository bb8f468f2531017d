/**
 * The state of each step of the workflow in one run, for the live canvas: queued, running,
 * waiting, succeeded, failed, skipped or cancelled, with the error of a failed step, what a
 * waiting step waits for, and a loop's progress. Read from the run (its status, `progress`,
 * failed step, events) and the step runs loaded so far.
 */
import type { Run, StepRun, StepRunStatus } from "../api/types";
import { runWaitingText, waitingStepOf } from "./run-waiting";
import { stepNamesOfPath } from "./step-run-tree";

export type CanvasStepStatus = "queued" | "running" | "waiting" | "succeeded" | "continued" | "failed" | "skipped" | "cancelled";

export interface CanvasStepState {
  status: CanvasStepStatus;
  error?: string;
  /** The step a waiting run is parked at: "Waiting until 15:04:12 (rate limited by Slack)". */
  waiting?: string;
  /** A loop's iterations done and count (`37 / 250`). */
  progress?: { done: number; count: number };
  /** Step runs of this step loaded (a step in a loop runs once an iteration). */
  runs: number;
  /** Of those, the ones that failed but were continued (error handling Continue or an error lane). */
  continued?: number;
}

/** The error a continued step run carries: its `error`, else its output's `error.message`. */
export function continuedError(row: StepRun): string | undefined {
  if (row.error) return row.error;
  const output = row.output;
  if (output === null || typeof output !== "object" || Array.isArray(output)) return undefined;
  const error = output.error;
  if (error === null || typeof error !== "object" || Array.isArray(error)) return undefined;
  return typeof error.message === "string" && error.message !== "" ? error.message : undefined;
}

/** What a step's step runs say, for a step whose runs are not all loaded: from `?step=name&limit=1`. */
export interface StepProbe {
  count: number;
  status?: StepRunStatus;
}

interface Seen {
  runs: number;
  failed?: StepRun;
  firstContinued?: StepRun;
  continued: number;
  cancelled: boolean;
  last?: StepRun;
}

export interface CanvasStatusInput {
  /** Every step name of the definition, the trigger included. */
  names: readonly string[];
  run: Run;
  rows: readonly StepRun[];
  /** True when `rows` hold every step run the server has. */
  complete: boolean;
  probes?: Readonly<Record<string, StepProbe>>;
  /** The moment "today" is judged from in a waiting step's text. */
  now?: Date;
}

export function canvasStatuses({ names, run, rows, complete, probes = {}, now = new Date() }: CanvasStatusInput): Record<string, CanvasStepState> {
  const seen = new Map<string, Seen>();
  for (const row of rows) {
    const entry = seen.get(row.step_name) ?? { runs: 0, continued: 0, cancelled: false };
    entry.runs += 1;
    entry.last = row;
    if (row.status === "failed" && entry.failed === undefined) entry.failed = row;
    if (row.status === "cancelled") entry.cancelled = true;
    if (row.status === "continued") {
      entry.continued += 1;
      entry.firstContinued ??= row;
    }
    seen.set(row.step_name, entry);
  }
  const running = run.status === "running" ? stepNamesOfPath(run.progress?.current_step ?? "") : [];
  const failedPath = run.status === "failed" ? stepNamesOfPath(run.failed_step) : [];
  const failingStep = failedPath.at(-1);
  // A waiting run: the step it is parked at, and the loops around it, wait.
  const waitingPath = stepNamesOfPath(waitingStepOf(run));
  const parkedStep = waitingPath.at(-1);

  const states: Record<string, CanvasStepState> = {};
  for (const name of names) {
    const own = seen.get(name);
    const probe = probes[name];
    const ran = (own?.runs ?? 0) > 0 || (probe?.count ?? 0) > 0;
    const state: CanvasStepState = { status: "queued", runs: own?.runs ?? 0 };
    if (run.status === "queued") {
      state.status = "queued";
    } else if (own?.failed !== undefined || probe?.status === "failed" || failedPath.includes(name)) {
      state.status = "failed";
      state.error = own?.failed?.error || (name === failingStep ? run.error : "") || undefined;
    } else if (running.includes(name)) {
      state.status = "running";
    } else if (waitingPath.includes(name)) {
      state.status = "waiting";
      if (name === parkedStep) state.waiting = runWaitingText(run, now);
    } else if (own?.cancelled || probe?.status === "cancelled") {
      state.status = "cancelled";
    } else if ((own?.continued ?? 0) > 0 || probe?.status === "continued") {
      state.status = "continued";
      state.continued = own?.continued ?? 0;
      const error = own?.firstContinued === undefined ? undefined : continuedError(own.firstContinued);
      if (error !== undefined) state.error = error;
    } else if (ran) {
      state.status = "succeeded";
    } else if (run.status === "running" || run.status === "waiting") {
      state.status = "queued";
    } else if (complete || probe !== undefined) {
      state.status = "skipped";
    } else {
      // Not among the rows loaded so far, and not probed yet: unknown, shown without a state.
      continue;
    }
    if (state.error === undefined) delete state.error;
    const loop = run.progress?.loops?.[name];
    const output = own?.last?.path.endsWith(name) ? own.last.output : undefined;
    if (loop !== undefined) {
      state.progress = { done: loop.done, count: loop.count };
    } else if (output !== null && typeof output === "object" && !Array.isArray(output) && typeof output.count === "number" && typeof output.iterations === "number") {
      state.progress = { done: output.iterations, count: output.count };
    }
    states[name] = state;
  }
  return states;
}
