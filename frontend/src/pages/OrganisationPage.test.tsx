import { MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import { createMemoryRouter } from "react-router";
import { describe, expect, it, vi } from "vitest";
import { App, routes } from "../App";
import type { Me, Member, Organisation } from "../api/types";
import { theme } from "../theme";

const acme: Organisation = { id: "9f0c1d2e-0000-4000-8000-000000000001", name: "Acme", created_at: "2026-01-01T00:00:00Z" };

function me(role: Me["role"]): Me {
  return { id: 1, username: "ada", email: "", organisation: { id: acme.id, name: acme.name }, role };
}

const people: Member[] = [
  { id: 1, username: "ada", email: "", role: "owner", created_at: "2026-01-01T00:00:00Z" },
  { id: 2, username: "bob", email: "bob@example.com", role: "member", created_at: "2026-01-02T00:00:00Z" },
];

/** Renders the app at `path` with fake answers, by exact API path (a missing one answers 404). */
function renderAt(path: string, answers: Record<string, unknown>) {
  vi.stubGlobal(
    "fetch",
    vi.fn<typeof fetch>((input) => {
      const url = new URL(String(input), "http://app.test").pathname;
      const body = answers[url];
      return Promise.resolve(
        body === undefined
          ? new Response(JSON.stringify({ detail: "No Workflow matches the given query." }), { status: 404, headers: { "Content-Type": "application/json" } })
          : new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } }),
      );
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

describe("OrganisationPage", () => {
  it("lets an owner manage people, except remove the last owner, saying why", async () => {
    renderAt("/organisation", { "/api/me/": me("owner"), "/api/organisation/": acme, "/api/organisation/members/": people });

    expect(await screen.findByDisplayValue("Acme")).toBeDefined();
    expect(screen.getByRole("button", { name: "Add person" })).toBeDefined();
    const table = await screen.findByRole("table", { name: "Members" });
    expect(within(table).getByRole("button", { name: "Remove ada" }).getAttribute("aria-disabled")).toBe("true");
    expect(within(table).getByRole("button", { name: "Remove bob" }).getAttribute("aria-disabled")).toBe("false");
    expect(screen.getByRole("combobox", { name: "Role of ada" })).toHaveProperty("disabled", true);
    expect(screen.getByRole("combobox", { name: "Role of bob" })).toHaveProperty("disabled", false);
  });

  it("shows a viewer everything read-only", async () => {
    renderAt("/organisation", { "/api/me/": me("viewer"), "/api/organisation/": acme, "/api/organisation/members/": people });

    expect(await screen.findByText("Read-only")).toBeDefined();
    expect(await screen.findByRole("table", { name: "Members" })).toBeDefined();
    expect(screen.getByText("Acme")).toBeDefined();
    expect(screen.queryByRole("button", { name: "Add person" })).toBeNull();
    expect(screen.queryByRole("button", { name: /^Remove/ })).toBeNull();
    expect(screen.queryByRole("textbox", { name: "Organisation name" })).toBeNull();
    expect(screen.getByText("Owner")).toBeDefined();
  });
});

describe("not found", () => {
  it("shows an unknown address as a 404 inside the app, where it was", async () => {
    const router = renderAt("/nope", { "/api/me/": me("owner") });

    expect(await screen.findByText("Page not found")).toBeDefined();
    expect(screen.getByRole("navigation", { name: "Main" })).toBeDefined();
    expect(router.state.location.pathname).toBe("/nope");
  });

  it("shows an unknown workflow as not found, never the API's words", async () => {
    renderAt("/workflows/garbage", { "/api/me/": me("owner"), "/api/connectors/": [] });

    expect(await screen.findByText("Workflow not found")).toBeDefined();
    expect(screen.getByRole("navigation", { name: "Main" })).toBeDefined();
    expect(screen.queryByText(/No Workflow matches/)).toBeNull();
  });
});
