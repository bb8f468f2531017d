import { MantineProvider } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import { createMemoryRouter } from "react-router";
import { describe, expect, it, vi } from "vitest";
import { App, routes } from "./App";
import { theme } from "./theme";

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

function renderAt(path: string, answers: Record<string, Response>) {
  vi.stubGlobal(
    "fetch",
    vi.fn<typeof fetch>((input) => {
      const url = String(input);
      const key = Object.keys(answers).find((prefix) => url.startsWith(prefix));
      return Promise.resolve(key === undefined ? json({ detail: "Not found." }, 404) : answers[key]!.clone());
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

describe("App", () => {
  it("sends a fresh install to first-run setup", async () => {
    renderAt("/", { "/api/me/": json({ detail: "Not signed in." }, 401), "/api/setup/": json({ needs_setup: true }) });

    expect(await screen.findByText("Welcome: create the owner account")).toBeDefined();
    expect(screen.getByRole("button", { name: "Create account" })).toBeDefined();
  });

  it("asks a signed-out visitor to sign in, remembering where they were going", async () => {
    const router = renderAt("/workflows/abc", {
      "/api/me/": json({ detail: "Not signed in." }, 401),
      "/api/setup/": json({ needs_setup: false }),
    });

    expect(await screen.findByRole("button", { name: "Sign in" })).toBeDefined();
    expect(router.state.location.pathname).toBe("/sign-in");
    expect(router.state.location.search).toBe("?next=%2Fworkflows%2Fabc");
  });

  it("shows the dashboard's empty state to a signed-in user with no workflow", async () => {
    renderAt("/", {
      "/api/me/": json({ id: 1, username: "ada", email: "", organisation: { id: "o1", name: "Acme" }, role: "owner" }),
      "/api/workflows/": json({ count: 0, next: null, previous: null, results: [] }),
      "/api/runs/": json({ count: 0, next: null, previous: null, results: [] }),
      "/api/connectors/": json([]),
    });

    expect(await screen.findByText("No workflow yet")).toBeDefined();
    expect(screen.getAllByRole("button", { name: "Create new workflow" }).length).toBe(2);
  });
});
