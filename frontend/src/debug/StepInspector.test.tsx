import { MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Page, Run, StepRun, WorkflowDefinition } from "../api/types";
import { CatalogueContext } from "../builder/catalogue-context";
import { appStore } from "../store";
import { catalogue } from "../test/catalogue";
import { makeRun } from "../test/runs";
import { stepRun } from "../test/step-runs";
import { theme } from "../theme";
import { EMPTY_LOG } from "./step-run-log";
import { ActiveRunContext } from "./run-context";
import { StepInspector } from "./StepInspector";

const definition: WorkflowDefinition = {
  trigger: { connector: "manual", operation: "manual", properties: {} },
  steps_structure: [
    { name: "totango-1", type: "normal" },
    { name: "loop-1", type: "loop", content: { _loop: [{ name: "slack-1", type: "normal" }] } },
  ],
  steps: {
    "totango-1": { connector: "totango", operation: "search_data_raw", properties: { data_type: { type: "string", value: "accounts" } } },
    "loop-1": { connector: "loop", operation: "loop_list", properties: { list: { type: "jsonpath", value: "$.steps.totango-1.hits" } } },
    "slack-1": { connector: "slack", operation: "send_message", properties: { channel: { type: "string", value: "#cs" } } },
  },
};

/** What the server holds of run-1: 20 messages, one per iteration. */
const messages: StepRun[] = Array.from({ length: 20 }, (_, index) =>
  stepRun(4 + index, `loop-1[${index}].slack-1`, { input: { channel: "#cs", text: `Account ${String(index + 1).padStart(4, "0")}` } }),
);

/** A fake `GET /api/runs/run-1/steps/?offset&limit&step`, recording the queries asked. */
function serve(rows: StepRun[]) {
  const asked: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn<typeof fetch>((input) => {
      const url = new URL(String(input), "http://localhost");
      asked.push(url.search);
      const found = rows.filter((row) => row.step_name === url.searchParams.get("step"));
      const offset = Number(url.searchParams.get("offset"));
      const body: Page<StepRun> = { count: found.length, next: null, previous: null, results: found.slice(offset, offset + Number(url.searchParams.get("limit"))) };
      return Promise.resolve(new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } }));
    }),
  );
  return asked;
}

function renderInspector(name: string, run: Run) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <MantineProvider theme={theme}>
      <QueryClientProvider client={queryClient}>
        <CatalogueContext.Provider value={catalogue}>
          <ActiveRunContext.Provider value={{ run, runError: null, live: false, steps: { log: EMPTY_LOG, isFetching: false, error: null, loadMore: () => {} } }}>
            <StepInspector name={name} />
          </ActiveRunContext.Provider>
        </CatalogueContext.Provider>
      </QueryClientProvider>
    </MantineProvider>,
  );
}

describe("StepInspector", () => {
  beforeEach(() => {
    appStore.setState({ workflowId: "wf-1", definition, activeRunId: "run-1", debugOpen: true, inspectedStep: null, inspectorTab: "data" });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("shows a step in a loop iteration by iteration, the first one first", async () => {
    const asked = serve(messages);
    appStore.getState().inspectStep("slack-1");
    renderInspector("slack-1", makeRun({ status: "succeeded" }));

    const first = await screen.findByRole("group", { name: "Step run loop-1[0].slack-1" });
    expect(within(first).getByRole("tree", { name: "Input of loop-1[0].slack-1" }).textContent).toContain('"Account 0001"');
    expect(screen.getByTestId("iteration-count").textContent).toBe("of 20");
    expect(screen.getByRole("button", { name: "Previous iteration" })).toHaveProperty("disabled", true);
    expect(asked[0]).toBe("?offset=0&limit=1&step=slack-1");

    fireEvent.click(screen.getByRole("button", { name: "Next iteration" }));
    expect(await screen.findByRole("group", { name: "Step run loop-1[1].slack-1" })).toBeDefined();

    fireEvent.change(screen.getByRole("textbox", { name: "Iteration" }), { target: { value: "20" } });
    const last = await screen.findByRole("group", { name: "Step run loop-1[19].slack-1" });
    expect(within(last).getByRole("tree", { name: "Input of loop-1[19].slack-1" }).textContent).toContain('"Account 0020"');
    expect(screen.getByRole("button", { name: "Next iteration" })).toHaveProperty("disabled", true);
    expect(asked.at(-1)).toBe("?offset=19&limit=1&step=slack-1");
  });

  it("says a step did not run in the run, and why", async () => {
    serve([stepRun(1, "trigger"), stepRun(2, "totango-1", { status: "failed", error: "Totango refused the API token" })]);
    appStore.getState().inspectStep("slack-1");
    renderInspector("slack-1", makeRun({ status: "failed", failed_step: "totango-1" }));

    const notRun = await screen.findByTestId("step-did-not-run");
    expect(notRun.textContent).toContain("slack-1 did not run in this run");
    expect(notRun.textContent).toContain("The run failed at totango-1 before reaching it.");
    expect(screen.queryByRole("group", { name: "Iteration of the step" })).toBeNull();
  });

  it("shows the step's properties a click away, and goes back to the whole run", async () => {
    serve(messages);
    appStore.getState().inspectStep("slack-1");
    renderInspector("slack-1", makeRun({ status: "succeeded" }));
    await screen.findByRole("group", { name: "Step run loop-1[0].slack-1" });

    fireEvent.click(screen.getByRole("radio", { name: "Properties" }));
    expect(appStore.getState().inspectorTab).toBe("properties");
    expect(screen.getByRole("complementary", { name: "Properties panel" })).toBeDefined();
    expect(screen.getByRole("textbox", { name: "Channel" })).toHaveProperty("value", "#cs");

    fireEvent.click(screen.getByRole("button", { name: "Whole run" }));
    expect(appStore.getState().inspectedStep).toBeNull();
  });
});
