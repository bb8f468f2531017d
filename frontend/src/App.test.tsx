import { MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import { createMemoryRouter } from "react-router";
import { describe, expect, it, vi } from "vitest";
import { App, routes } from "./App";
import type { paths } from "./api/schema";
import type { Me, Page, Run, WorkflowSummary } from "./api/types";
import { connectors } from "./test/catalogue";
import { theme } from "./theme";

/** What GET `path` answers with `code`, as the backend's OpenAPI schema documents it. */
type GetAnswer<P extends keyof paths, Code extends number> = paths[P]["get"] extends {
  responses: { [code in Code]: { content: { "application/json": infer Body } } };
} ? Body
  : never;

/** A fake answer to GET `path`, its body checked against the schema's answer for `code`. */
function answer<P extends keyof paths, Code extends number>(path: P, code: Code, body: GetAnswer<P, Code>): [string, Response] {
  return [path, new Response(JSON.stringify(body), { status: code, headers: { "Content-Type": "application/json" } })];
}

function renderAt(path: string, answers: [string, Response][]) {
  vi.stubGlobal(
    "fetch",
    vi.fn<typeof fetch>((input) => {
      const url = String(input);
      const found = answers.find(([prefix]) => url.startsWith(prefix));
      return Promise.resolve(found === undefined ? new Response(JSON.stringify({ detail: "Not found." }), { status: 404 }) : found[1].clone());
    }),
  );
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  render(
    <MantineProvider theme={theme}>
      <QueryClientProvider client={queryClient}>
        <App router={router} />
      </QueryClientProvider>
    </MantineProvider>,
  );
  return router;
}

const signedOut = answer("/api/me/", 401, { detail: "Authentication credentials were not provided." });

const ada: Me = { id: 1, username: "ada", email: "", organisation: { id: "9f0c1d2e-0000-4000-8000-000000000001", name: "Acme" }, role: "owner" };

function page<T>(results: T[]): Page<T> {
  return { count: results.length, next: null, previous: null, results };
}

describe("App", () => {
  it("sends a fresh install to first-run setup", async () => {
    renderAt("/", [signedOut, answer("/api/setup/", 200, { needs_setup: true })]);

    expect(await screen.findByText("Welcome: create the owner account")).toBeDefined();
    expect(screen.getByRole("button", { name: "Create account" })).toBeDefined();
  });

  it("asks a signed-out visitor to sign in, remembering where they were going", async () => {
    const router = renderAt("/workflows/abc", [signedOut, answer("/api/setup/", 200, { needs_setup: false })]);

    expect(await screen.findByRole("button", { name: "Sign in" })).toBeDefined();
    expect(router.state.location.pathname).toBe("/sign-in");
    expect(router.state.location.search).toBe("?next=%2Fworkflows%2Fabc");
  });

  it("shows the dashboard's empty state to a signed-in user with no workflow", async () => {
    renderAt("/", [
      answer("/api/me/", 200, ada),
      answer("/api/workflows/", 200, page<WorkflowSummary>([])),
      answer("/api/runs/", 200, page<Run>([])),
      answer("/api/connectors/", 200, connectors),
    ]);

    expect(await screen.findByText("No workflow yet")).toBeDefined();
    expect(screen.getAllByRole("button", { name: "Create new workflow" }).length).toBe(2);
  });

  it("lists a workflow with its trigger's title and icon from the connector catalogue", async () => {
    const workflow: WorkflowSummary = {
      id: "6b1f0c9e-0000-4000-8000-000000000002",
      name: "Paying accounts to Slack",
      trigger: "manual",
      last_run: null,
      version: 3,
      enabled: false,
      webhook_url: null,
      next_fire_times: null,
      problems: [],
      created_at: "2025-01-01T00:00:00Z",
      updated_at: "2025-01-02T00:00:00Z",
    };
    renderAt("/", [
      answer("/api/me/", 200, ada),
      answer("/api/workflows/", 200, page([workflow])),
      answer("/api/runs/", 200, page<Run>([])),
      answer("/api/connectors/", 200, connectors),
    ]);

    const name = await screen.findByRole("link", { name: "Paying accounts to Slack" });
    const row = name.closest("tr")!;
    expect(row.textContent).toContain("Manual trigger");
    expect(row.querySelector("img")!.getAttribute("src")).toBe("/api/connectors/manual/icon.svg/");
    expect(row.textContent).toContain("Never run");
  });
});
