import { MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Operation, StepTestResult, StepTestSample, WorkflowDefinition } from "../api/types";
import { appStore } from "../store";
import { connector } from "../test/catalogue";
import { theme } from "../theme";
import { isTestable, TestStepSection } from "./TestStepSection";

const definition: WorkflowDefinition = {
  trigger: { connector: "manual", operation: "manual", properties: {} },
  steps_structure: [{ name: "loop-1", type: "loop", content: { _loop: [{ name: "slack-1", type: "normal" }] } }],
  steps: {
    "loop-1": { connector: "loop", operation: "loop_list", properties: { list: { type: "jsonpath", value: "$.steps.trigger.names" } } },
    "slack-1": { connector: "slack", operation: "send_message", properties: { text: { type: "jsonpath", value: "$.steps.loop-1.value" } } },
  },
};

function operationOf(connectorKey: string, key: string): Operation {
  const found = connector(connectorKey).operations.find((operation) => operation.key === key);
  if (found === undefined) throw new Error(`No operation ${key}`);
  return found;
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

const tested: StepTestResult = {
  input: { text: "Ada" },
  output: { ok: true, ts: "1.2" },
  error: null,
  log: [],
  resolved_from: { run: "8c0c5a6e-3a8e-4a37-9d2a-8f6d1f0b0c11", sample: false, iterations: { "loop-1": 1 } },
  duration_ms: 42,
};

function renderSection(sample: StepTestSample) {
  const posts: unknown[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn<typeof fetch>((input, init) => {
      if (String(input) !== "/api/workflows/wf-1/steps/slack-1/test/") return Promise.resolve(json({ detail: "Not found." }, 404));
      if (init?.method === "POST") {
        posts.push(JSON.parse(String(init.body)));
        return Promise.resolve(json(tested));
      }
      return Promise.resolve(json(sample));
    }),
  );
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <MantineProvider theme={theme}>
      <Notifications />
      <QueryClientProvider client={queryClient}>
        <TestStepSection name="slack-1" connector="slack" operation={operationOf("slack", "send_message")} />
      </QueryClientProvider>
    </MantineProvider>,
  );
  return posts;
}

describe("TestStepSection", () => {
  beforeEach(() => {
    appStore.setState({ workflowId: "wf-1", definition, saveState: "saved", stepSamples: {} });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("tests on the latest run's iteration after confirming, shows the result and uses its output", async () => {
    const posts = renderSection({
      sample: { trigger: { names: ["Ada", "Bob"] } },
      run: "8c0c5a6e-3a8e-4a37-9d2a-8f6d1f0b0c11",
      confirmation: "Testing slack-1 runs Slack: Send message for real, which changes things in Slack. Test anyway?",
    });
    const sample = await screen.findByRole("textbox", { name: "Sample data" });
    await waitFor(() => expect((sample as HTMLTextAreaElement).value).toContain('"names"'));
    fireEvent.change(screen.getByRole("textbox", { name: "Loop iteration" }), { target: { value: "1" } });

    fireEvent.click(screen.getByRole("button", { name: "Test step" }));
    const question = await screen.findByRole("dialog", { name: "Test this step?" });
    expect(question.textContent).toContain("changes things in Slack");
    expect(posts).toEqual([]);
    fireEvent.click(within(question).getByRole("button", { name: "Test anyway" }));

    const result = await screen.findByTestId("test-step-result");
    expect(posts).toEqual([{ run: "8c0c5a6e-3a8e-4a37-9d2a-8f6d1f0b0c11", confirm: true, iteration: 1 }]);
    expect(result.textContent).toContain("Read run 8c0c5a6e · loop-1 iteration 1");
    expect(within(result).getByRole("tree", { name: "Test input for slack-1" }).textContent).toContain('"Ada"');
    fireEvent.click(screen.getByRole("button", { name: "Use output" }));
    expect(appStore.getState().stepSamples["slack-1"]).toEqual({ ok: true, ts: "1.2" });
  });

  it("sends edited sample data, and refuses what is not a JSON object without asking the server", async () => {
    const posts = renderSection({ sample: {}, run: null, confirmation: null });
    const sample = await screen.findByRole("textbox", { name: "Sample data" });
    expect(screen.getByText(/No run yet/)).toBeTruthy();

    fireEvent.change(sample, { target: { value: "[1, 2]" } });
    fireEvent.click(screen.getByRole("button", { name: "Test step" }));
    expect(await screen.findByText(/Sample data must be an object/)).toBeTruthy();
    expect(posts).toEqual([]);

    fireEvent.change(sample, { target: { value: '{"loop-1": {"value": "Eve"}}' } });
    fireEvent.click(screen.getByRole("button", { name: "Test step" }));
    await screen.findByTestId("test-step-result");
    expect(posts).toEqual([{ sample: { "loop-1": { value: "Eve" } }, confirm: false, iteration: 0 }]);
  });
});

describe("TestStepSection before any run", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("starts from the outputs put in use of the steps the step may read", async () => {
    appStore.setState({ workflowId: "wf-1", definition, saveState: "saved", stepSamples: { trigger: { names: ["Eve"] }, other: 1 } });
    renderSection({ sample: {}, run: null, confirmation: null });

    const sample = await screen.findByRole("textbox", { name: "Sample data" });

    await waitFor(() => expect(JSON.parse((sample as HTMLTextAreaElement).value)).toEqual({ trigger: { names: ["Eve"] } }));
    expect(screen.getByText(/the outputs put in use with Use output/)).toBeTruthy();
  });
});

describe("isTestable", () => {
  it("offers Test step for actions and branches, not loops, triggers or Call workflow", () => {
    expect(isTestable("slack", operationOf("slack", "send_message"))).toBe(true);
    expect(isTestable("branch", operationOf("branch", "branch"))).toBe(true);
    expect(isTestable("loop", operationOf("loop", "loop_list"))).toBe(false);
    expect(isTestable("manual", operationOf("manual", "manual"))).toBe(false);
    expect(isTestable("call_workflow", operationOf("call_workflow", "call_workflow"))).toBe(false);
  });
});
