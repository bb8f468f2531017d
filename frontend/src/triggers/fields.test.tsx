import { MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { JsonSchema, Page, TypedValue, WorkflowSummary } from "../api/types";
import { PropertyField } from "../builder/PropertyField";
import { theme } from "../theme";
import { connector } from "../test/catalogue";
import { makeWorkflowSummary } from "../test/workflows";

/** A property's schema as the catalogue serves it (GET /api/connectors/). */
function propertySchema(connectorKey: string, operationKey: string, property: string): JsonSchema {
  const schema = connector(connectorKey).operations.find((operation) => operation.key === operationKey)?.input_schema.properties?.[property];
  if (schema === undefined) throw new Error(`No ${connectorKey}.${operationKey}.${property} in the catalogue`);
  return schema;
}

const workflows: WorkflowSummary[] = [
  makeWorkflowSummary({ id: "wf-send", name: "Send invoice", trigger: "callable" }),
  makeWorkflowSummary({ id: "wf-orders", name: "Orders from the shop", trigger: "webhook" }),
  makeWorkflowSummary({ id: "wf-enrich", name: "Enrich account", trigger: "callable" }),
];

function renderField(schema: JsonSchema, errorPath: string, value: TypedValue | undefined, onChange = vi.fn()) {
  const page: Page<WorkflowSummary> = { count: workflows.length, next: null, previous: null, results: workflows };
  vi.stubGlobal(
    "fetch",
    vi.fn<typeof fetch>((input) =>
      Promise.resolve(
        String(input).startsWith("/api/workflows/")
          ? new Response(JSON.stringify(page), { status: 200, headers: { "Content-Type": "application/json" } })
          : new Response("{}", { status: 404 }),
      ),
    ),
  );
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <MantineProvider theme={theme} env="test">
      <QueryClientProvider client={queryClient}>
        <MemoryRouter>
          <PropertyField viewer="call-1" label={schema.title ?? "Field"} schema={schema} value={value} onChange={onChange} errors={[]} errorPath={errorPath} />
        </MemoryRouter>
      </QueryClientProvider>
    </MantineProvider>,
  );
  return onChange;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the properties form's trigger fields", () => {
  it("picks the workflow a Call workflow step calls among the callable ones", async () => {
    const onChange = renderField(propertySchema("call_workflow", "call_workflow", "workflow"), "steps.call-1.properties.workflow", undefined);
    const input = screen.getByRole("combobox", { name: "Workflow" });
    expect(await screen.findByPlaceholderText("Choose a callable workflow…")).toBe(input);

    fireEvent.click(input);
    const listbox = await screen.findByRole("listbox");
    const options = within(listbox).getAllByRole("option").map((option) => option.textContent);
    expect(options).toEqual(["Enrich account", "Send invoice"]);

    fireEvent.click(within(listbox).getByRole("option", { name: "Send invoice" }));
    expect(onChange).toHaveBeenCalledWith({ type: "string", value: "wf-send" });
  });

  it("shows the workflow chosen by its name, with a link to open it", async () => {
    renderField(propertySchema("call_workflow", "call_workflow", "workflow"), "steps.call-1.properties.workflow", { type: "string", value: "wf-enrich" });
    const input = screen.getByRole("combobox", { name: "Workflow" });
    await vi.waitFor(() => expect((input as HTMLInputElement).value).toBe("Enrich account"));
    expect(screen.getByRole("link", { name: "Open the called workflow" }).getAttribute("href")).toBe("/workflows/wf-enrich");
  });

  it("offers the IANA time zones for a schedule's timezone", async () => {
    const onChange = renderField(propertySchema("schedule", "schedule", "timezone"), "trigger.properties.timezone", undefined);
    const input = screen.getByRole("combobox", { name: "Time zone" });
    expect(input.getAttribute("placeholder")).toBe("Default: UTC");

    fireEvent.click(input);
    const listbox = await screen.findByRole("listbox");
    const options = within(listbox).getAllByRole("option").map((option) => option.textContent);
    // UTC first, then every IANA name the browser knows (the select filters as one types).
    expect(options[0]).toBe("UTC");
    expect(options).toContain("Europe/Berlin");
    expect(options.slice(1).every((zone) => zone !== null && /^[A-Z][A-Za-z_]+\//.test(zone))).toBe(true);
    fireEvent.click(within(listbox).getByRole("option", { name: "Africa/Cairo" }));
    expect(onChange).toHaveBeenCalledWith({ type: "string", value: "Africa/Cairo" });
  });

  it("renders an enum (the schedule's mode) as a select of its labels", async () => {
    renderField(propertySchema("schedule", "schedule", "mode"), "trigger.properties.mode", undefined);
    const input = screen.getByRole("combobox", { name: "Mode" });
    expect(input.getAttribute("placeholder")).toBe("Default: Every N minutes, hours or days");
    fireEvent.click(input);
    const listbox = await screen.findByRole("listbox");
    expect(within(listbox).getAllByRole("option").map((option) => option.textContent)).toEqual(["Every N minutes, hours or days", "Cron expression"]);
  });
});
