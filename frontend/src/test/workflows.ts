/** Workflows for the tests, typed by the API schema. */
import type { WorkflowSummary } from "../api/types";

export function makeWorkflowSummary(extra: Partial<WorkflowSummary> = {}): WorkflowSummary {
  return {
    id: "wf-1",
    name: "Workflow",
    trigger: "manual",
    last_run: null,
    version: 1,
    enabled: false,
    webhook_url: null,
    next_fire_times: null,
    problems: [],
    created_at: "2026-11-30T10:00:00Z",
    updated_at: "2026-11-30T10:00:00Z",
    ...extra,
  };
}
