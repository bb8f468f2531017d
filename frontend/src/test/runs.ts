/** Runs for the tests of the debug panel's and the canvas's logic, typed by the API schema. */
import type { Run, RunEvent } from "../api/types";

export function makeRun(extra: Partial<Run> = {}): Run {
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
    attempt: 1,
    resume_at: null,
    waiting_reason: "",
    events: [],
    retry_of: null,
    started_by: "ada",
    trigger: "manual",
    trigger_kind: "manual",
    scheduled_for: null,
    parent_run: null,
    parent_step: "",
    call_depth: 0,
    children: [],
    response: null,
    continued_failures: 0,
    alert_for: null,
    alerts: [],
    created_at: "",
    started_at: null,
    finished_at: null,
    duration_ms: null,
    ...extra,
  };
}

export function makeEvent(extra: Partial<RunEvent> & Pick<RunEvent, "kind" | "at">): RunEvent {
  return { step: "", reason: "", attempt: 1, resume_at: null, message: "", ...extra };
}
