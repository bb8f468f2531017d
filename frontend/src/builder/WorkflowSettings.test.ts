import { describe, expect, it } from "vitest";
import type { WorkflowSummary } from "../api/types";
import { alertWorkflowChoices } from "./WorkflowSettings";

function summary(id: string, name: string, trigger: string): WorkflowSummary {
  return {
    id,
    name,
    trigger,
    last_run: null,
    version: 1,
    enabled: false,
    webhook_url: null,
    next_fire_times: null,
    problems: [],
    created_at: "",
    updated_at: "",
  };
}

describe("alertWorkflowChoices", () => {
  it("offers the workflows with the Alert trigger, by name, never the workflow itself", () => {
    const workflows = [
      summary("a", "Tell #ops", "alert"),
      summary("b", "Sync accounts", "manual"),
      summary("c", "Alert by email", "alert"),
      summary("self", "Self", "alert"),
    ];
    expect(alertWorkflowChoices(workflows, "self")).toEqual([
      { value: "c", label: "Alert by email" },
      { value: "a", label: "Tell #ops" },
    ]);
  });
});
