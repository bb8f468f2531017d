import { MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { components } from "../api/schema";
import type { Me, Workflow } from "../api/types";
import { useGetMe } from "../api/use-get-me";
import { emptyDefinition } from "../definition/structure";
import { theme } from "../theme";
import { EnabledSwitch } from "./EnabledSwitch";

type ErrorBody = components["schemas"]["Error"];

/** Says the signed-in role once /api/me/ has answered (what the switch waits for too). */
function SignedInRole() {
  const role = useGetMe().data?.role;
  return <output aria-label="Role">{role ?? "unknown"}</output>;
}

const me = (role: Me["role"]): Me => ({ id: 1, username: "ada", email: "", organisation: { id: "org-1", name: "Acme" }, role });

const workflow: Workflow = {
  id: "wf-1",
  name: "Orders from the shop",
  definition: emptyDefinition({ connector: "webhook", operation: "webhook" }),
  version: 2,
  enabled: true,
  webhook_url: "http://testserver/hooks/abc/",
  next_fire_times: null,
  problems: [],
  created_at: "2026-11-30T10:00:00Z",
  updated_at: "2026-11-30T10:00:00Z",
};

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

function renderSwitch(role: Me["role"], patch: () => Response, onChanged = vi.fn()) {
  const calls: { method: string; body: unknown }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn<typeof fetch>((input, init) => {
      const url = String(input);
      if (url.startsWith("/api/me/")) return Promise.resolve(json(me(role)));
      if (url === "/api/workflows/wf-1/" && init?.method === "PATCH") {
        calls.push({ method: "PATCH", body: JSON.parse(String(init.body)) });
        return Promise.resolve(patch());
      }
      return Promise.resolve(json({ detail: "Not found." }, 404));
    }),
  );
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <MantineProvider theme={theme}>
      <Notifications />
      <QueryClientProvider client={queryClient}>
        <EnabledSwitch workflowId="wf-1" workflowName="Orders from the shop" enabled={false} onChanged={onChanged} />
        <SignedInRole />
      </QueryClientProvider>
    </MantineProvider>,
  );
  return calls;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("EnabledSwitch", () => {
  it("sends only {enabled} and reports the workflow the server answered", async () => {
    const onChanged = vi.fn();
    const calls = renderSwitch("member", () => json(workflow), onChanged);
    const toggle = await screen.findByRole("switch", { name: "Enabled (Orders from the shop)" });
    await waitFor(() => expect((toggle as HTMLInputElement).disabled).toBe(false));

    fireEvent.click(toggle);

    await waitFor(() => expect(onChanged).toHaveBeenCalledWith(workflow));
    expect(calls).toEqual([{ method: "PATCH", body: { enabled: true } }]);
  });

  it("lists the problems of a refused enable, and stays off", async () => {
    const refusal: ErrorBody = {
      detail: "The workflow cannot be enabled: fix its problems first.",
      errors: [
        { path: "definition.trigger.properties.cron", message: "Not a valid cron expression." },
        { path: "definition.steps.slack-1.properties.channel", message: "Channel is required." },
      ],
    };
    const onChanged = vi.fn();
    renderSwitch("owner", () => json(refusal, 400), onChanged);
    const toggle = await screen.findByRole("switch", { name: "Enabled (Orders from the shop)" });
    await waitFor(() => expect((toggle as HTMLInputElement).disabled).toBe(false));

    fireEvent.click(toggle);

    const problems = await screen.findByTestId("enable-problems");
    expect(problems.textContent).toContain("Fix these 2 problems first:");
    expect(problems.textContent).toContain("Not a valid cron expression. (trigger.properties.cron)");
    expect(problems.textContent).toContain("Channel is required. (steps.slack-1.properties.channel)");
    expect(screen.getByText("“Orders from the shop” was not enabled")).toBeDefined();
    expect((toggle as HTMLInputElement).checked).toBe(false);
    expect(onChanged).not.toHaveBeenCalled();
  });

  it("is shown to a viewer, disabled", async () => {
    const calls = renderSwitch("viewer", () => json(workflow));
    const toggle = await screen.findByRole("switch", { name: "Enabled (Orders from the shop)" });
    await waitFor(() => expect(screen.getByRole("status", { name: "Role" }).textContent).toBe("viewer"));
    fireEvent.mouseEnter(toggle.closest("[data-enabled]")!);
    expect(await screen.findByText("Viewers cannot switch workflows on or off.")).toBeDefined();
    expect((toggle as HTMLInputElement).disabled).toBe(true);
    fireEvent.click(toggle);
    expect(calls).toEqual([]);
  });
});
