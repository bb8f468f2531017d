import { MantineProvider } from "@mantine/core";
import { act, fireEvent, render, screen } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";
import type { Workflow, WorkflowDefinition } from "../api/types";
import { appStore } from "../store";
import { theme } from "../theme";
import { SaveStatus } from "./SaveStatus";

const definition: WorkflowDefinition = {
  trigger: { connector: "manual", operation: "manual", properties: {} },
  steps_structure: [
    { name: "totango-1", type: "normal" },
    { name: "slack-1", type: "normal" },
  ],
  steps: {
    "totango-1": { connector: "totango", operation: "search_data_raw", properties: {} },
    "slack-1": { connector: "slack", operation: "send_message", authentication: "gone", properties: {} },
  },
};

function draft(problems: Workflow["problems"]): Workflow {
  return {
    id: "wf-1",
    name: "Draft",
    definition,
    version: 3,
    enabled: false,
    webhook_url: null,
    next_fire_times: null,
    problems,
    created_at: "2026-11-30T10:00:00Z",
    updated_at: "2026-11-30T10:00:00Z",
  };
}

function renderStatus() {
  return render(
    <MantineProvider theme={theme}>
      <SaveStatus onReload={() => undefined} />
    </MantineProvider>,
  );
}

describe("SaveStatus of a draft", () => {
  beforeEach(() => {
    appStore.getState().loadWorkflow(
      draft([
        { path: "steps.totango-1.properties.query", message: "Search query string is required" },
        { path: "steps.totango-1.properties.data_type", message: "Data to search is required" },
        { path: "steps.slack-1.authentication", message: "no authentication 'gone'" },
      ]),
    );
  });

  it("says how many problems the saved draft has and lists them, each leading to its field", async () => {
    renderStatus();

    expect(screen.getByRole("status", { name: "Save status: Saved as a draft" })).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Draft: 3 problems" }));
    const list = await screen.findByTestId("problem-list");
    const links = [...list.querySelectorAll<HTMLButtonElement>("button[data-problem-path]")];
    expect(links.map((item) => item.textContent)).toEqual([
      "totango-1: Search query string is required",
      "totango-1: Data to search is required",
      "slack-1: no authentication 'gone'",
    ]);

    fireEvent.click(links[2]!);

    expect(appStore.getState()).toMatchObject({ selectedStep: "slack-1", panelTab: "authenticate", fieldFocus: "steps.slack-1.authentication" });
  });

  it("counts one problem in the singular, and none once its field is edited", () => {
    appStore.getState().loadWorkflow(draft([{ path: "steps.totango-1.properties.query", message: "Search query string is required" }]));
    renderStatus();
    expect(screen.getByRole("button", { name: "Draft: 1 problem" })).toBeTruthy();

    act(() => {
      appStore.getState().setProperty("totango-1", "query", { type: "string", value: '{"terms": []}' });
      appStore.setState({ saveState: "saved" });
    });

    expect(screen.queryByRole("button", { name: /^Draft/ })).toBeNull();
    expect(screen.getByRole("status", { name: "Save status: Saved" })).toBeTruthy();
  });
});
