import { describe, expect, it } from "vitest";
import type { FieldError, RunChild, TypedValue } from "../api/types";
import { computeLayout, GAP, STEP_HEIGHT } from "../definition/layout";
import { emptyDefinition } from "../definition/structure";
import { connector, connectors } from "../test/catalogue";
import { makeRun } from "../test/runs";
import { makeWorkflowSummary } from "../test/workflows";
import {
  callableInputExample,
  callableWorkflowOptions,
  childRunLabel,
  enableProblems,
  fireTimeRows,
  formatShortClock,
  isLocalZone,
  plainValue,
  runHref,
  runListTriggerText,
  runTriggerText,
  scheduleSettings,
  scheduleSummary,
  shortRunId,
  timeZoneOptions,
  TRIGGER_DETAIL_HEIGHTS,
  TRIGGER_ORDER,
  triggerCardHeight,
  triggerChoices,
  triggerDetailKind,
} from "./triggers";

const text = (value: string): TypedValue => ({ type: "string", value });
const int = (value: number): TypedValue => ({ type: "integer", value });

// Local times: the expectations hold in any time zone the tests run in.
const NOW = new Date(2026, 10, 30, 14, 0, 0);
const local = (...parts: [number, number, number, number, number]) => new Date(...parts).toISOString();

describe("triggerChoices", () => {
  it("offers the catalogue's triggers, Manual, Webhook, Scheduled and Callable first", () => {
    const choices = triggerChoices(connectors);
    expect(choices.slice(0, 4).map((choice) => choice.value)).toEqual(["manual:manual", "webhook:webhook", "schedule:schedule", "callable:callable"]);
    expect(choices.slice(0, 4).map((choice) => choice.connector.key)).toEqual([...TRIGGER_ORDER]);
    expect(choices.every((choice) => choice.operation.kind === "trigger")).toBe(true);
    // Call workflow is a step, not a trigger.
    expect(choices.some((choice) => choice.connector.key === "call_workflow")).toBe(false);
  });

  it("describes a connector's one trigger in the connector's words, on one line of the dialog", () => {
    const webhook = triggerChoices(connectors).find((choice) => choice.connector.key === "webhook")!;
    expect(webhook.label).toBe(webhook.operation.title);
    expect(webhook.description).toBe(connector("webhook").description);
    expect(webhook.description).not.toBe("");
    // Actions of the same connector (Webhook response, Callable response) are not triggers.
    expect(triggerChoices(connectors).filter((choice) => choice.connector.key === "webhook")).toHaveLength(1);
    expect(triggerChoices(connectors).filter((choice) => choice.connector.key === "callable")).toHaveLength(1);
  });
});

describe("the trigger card", () => {
  it("has details for the webhook, the schedule and the callable, none for Manual", () => {
    expect(triggerDetailKind("webhook")).toBe("webhook");
    expect(triggerDetailKind("schedule")).toBe("schedule");
    expect(triggerDetailKind("callable")).toBe("callable");
    expect(triggerDetailKind("manual")).toBeNull();
    expect(triggerDetailKind(undefined)).toBeNull();
    expect(triggerCardHeight("manual")).toBe(STEP_HEIGHT);
    expect(triggerCardHeight("schedule")).toBe(STEP_HEIGHT + TRIGGER_DETAIL_HEIGHTS.schedule);
  });

  it("pushes the steps below a taller trigger card down by its extra height", () => {
    const definition = { ...emptyDefinition(), steps_structure: [{ name: "slack-1", type: "normal" as const }] };
    const plain = computeLayout(definition);
    const tall = computeLayout(definition, triggerCardHeight("webhook"));
    expect(plain.steps[0]!.y).toBe(STEP_HEIGHT + GAP);
    expect(tall.trigger.height).toBe(triggerCardHeight("webhook"));
    expect(tall.steps[0]!.y - plain.steps[0]!.y).toBe(TRIGGER_DETAIL_HEIGHTS.webhook);
    expect(tall.height - plain.height).toBe(TRIGGER_DETAIL_HEIGHTS.webhook);
  });
});

describe("plainValue", () => {
  it("unwraps typed values, objects and arrays included; a mapping has no plain value", () => {
    expect(plainValue(text("a"))).toBe("a");
    expect(plainValue({ type: "null", value: null })).toBeNull();
    expect(plainValue({ type: "jsonpath", value: "$.steps.trigger" })).toBeUndefined();
    expect(
      plainValue({
        type: "object",
        value: { id: int(42), tags: { type: "array", value: [text("vip"), { type: "jsonpath", value: "$.x" }] }, from: { type: "jsonpath", value: "$.y" } },
      }),
    ).toEqual({ id: 42, tags: ["vip", null] });
  });
});

describe("schedules", () => {
  const operation = connector("schedule").operations.find((candidate) => candidate.key === "schedule")!;

  it("fills what is not set with the operation's defaults", () => {
    const settings = scheduleSettings({}, operation);
    expect(settings.mode).toBe(operation.input_schema.properties?.mode?.default);
    expect(settings.unit).toBe(operation.input_schema.properties?.unit?.default);
    expect(settings.timezone).toBe("UTC");
  });

  it("sums an interval up", () => {
    const summary = (every: number, unit: string, timezone = "Europe/Berlin") =>
      scheduleSummary(scheduleSettings({ mode: text("interval"), every: int(every), unit: text(unit), timezone: text(timezone) }, operation));
    expect(summary(5, "minutes")).toBe("Every 5 minutes");
    expect(summary(1, "minutes")).toBe("Every minute");
    expect(summary(1, "hours", "UTC")).toBe("Every hour · UTC");
    expect(summary(2, "hours")).toBe("Every 2 hours · Europe/Berlin");
    expect(summary(1, "days")).toBe("Every day at 00:00 · Europe/Berlin");
    expect(summary(3, "days")).toBe("Every 3 days at 00:00 · Europe/Berlin");
  });

  it("sums a cron expression up with its time zone", () => {
    const settings = scheduleSettings({ mode: text("cron"), cron: text(" */5 * * * * "), timezone: text("Europe/Berlin") }, operation);
    expect(scheduleSummary(settings)).toBe("Cron */5 * * * * · Europe/Berlin");
    expect(scheduleSummary(scheduleSettings({ mode: text("cron") }, operation))).toBe("Cron expression not set yet");
  });

  it("lists fire times in the schedule's zone and in local time, across a daylight-saving change", () => {
    // */5 in Europe/Berlin around the spring change (02:00 CET becomes 03:00 CEST) and the autumn one.
    const times = ["2026-03-29T01:55:00+01:00", "2026-03-29T03:00:00+02:00", "2026-10-25T02:55:00+02:00", "2026-10-25T02:00:00+01:00"];
    const rows = fireTimeRows(times, "Europe/Berlin", { localZone: "America/New_York", locale: "en-GB" });
    expect(rows.map((row) => row.inZone)).toEqual(["Sun 29 Mar 01:55", "Sun 29 Mar 03:00", "Sun 25 Oct 02:55", "Sun 25 Oct 02:00"]);
    expect(rows.map((row) => row.local)).toEqual(["Sat 28 Mar 20:55", "Sat 28 Mar 21:00", "Sat 24 Oct 20:55", "Sat 24 Oct 21:00"]);
    // Another day in local time: the short form keeps the date.
    expect(rows[0]!.localShort).toBe("Sat 28 Mar 20:55");
  });

  it("writes the local time alone when the day is the same, nothing when the zones agree", () => {
    const [london] = fireTimeRows(["2026-11-30T15:05:00+01:00"], "Europe/Berlin", { localZone: "Europe/London", locale: "en-GB" });
    expect(london).toEqual({ iso: "2026-11-30T15:05:00+01:00", inZone: "Mon 30 Nov 15:05", local: "Mon 30 Nov 14:05", localShort: "14:05" });
    const [same] = fireTimeRows(["2026-11-30T15:05:00+01:00"], "Europe/Berlin", { localZone: "Europe/Berlin", locale: "en-GB" });
    expect(same!.local).toBeNull();
    expect(same!.localShort).toBeNull();
    expect(isLocalZone("Europe/Berlin", "Europe/Berlin")).toBe(true);
    expect(isLocalZone("UTC", "Etc/UTC")).toBe(true);
    expect(isLocalZone("UTC", "Europe/Berlin")).toBe(false);
  });

  it("shows an unknown zone's times in UTC rather than failing (the server refuses it at save)", () => {
    const [row] = fireTimeRows(["2026-11-30T14:05:00Z"], "Mars/Olympus", { localZone: "UTC", locale: "en-GB" });
    expect(row!.inZone).toBe("Mon 30 Nov 14:05");
  });

  it("offers the IANA zones, UTC first, and keeps a chosen zone the browser does not list", () => {
    const zones = timeZoneOptions();
    expect(zones[0]).toBe("UTC");
    expect(zones).toContain("Europe/Berlin");
    expect(zones).toContain("America/New_York");
    expect(zones.filter((zone) => zone === "UTC")).toHaveLength(1);
    expect(timeZoneOptions("Legacy/Zone")[0]).toBe("Legacy/Zone");
    expect(timeZoneOptions("Europe/Berlin")).toEqual(zones);
  });
});

describe("what started a run", () => {
  it("says who pressed Run workflow, or which webhook, schedule or run started it", () => {
    expect(runTriggerText(makeRun({ trigger_kind: "manual", started_by: "ada" }), NOW)).toBe("Manual · by ada");
    expect(runTriggerText(makeRun({ trigger_kind: "manual", started_by: null }), NOW)).toBe("Manual");
    expect(runTriggerText(makeRun({ trigger_kind: "webhook", started_by: null }), NOW)).toBe("Webhook");
    expect(runTriggerText(makeRun({ trigger_kind: "schedule", started_by: null, scheduled_for: local(2026, 10, 30, 15, 5) }), NOW)).toBe("Schedule · for 15:05");
    expect(runTriggerText(makeRun({ trigger_kind: "schedule", started_by: null, scheduled_for: local(2026, 10, 29, 23, 55) }), NOW, "en-GB")).toBe(
      "Schedule · for 29 Nov 23:55",
    );
    expect(runTriggerText(makeRun({ trigger_kind: "callable", started_by: null, parent_run: "3f2a9c1e-0000-4000-8000-000000000001" }), NOW)).toBe("Called by");
    expect(runTriggerText(makeRun({ trigger_kind: "callable", started_by: null, parent_run: null }), NOW)).toBe("Called by a run no longer kept");
  });

  it("names the parent by its short id in the runs list", () => {
    const child = makeRun({ trigger_kind: "callable", started_by: null, parent_run: "3f2a9c1e-0000-4000-8000-000000000001" });
    expect(runListTriggerText(child, NOW)).toBe("Called by run 3f2a9c1e");
    expect(runListTriggerText(makeRun({ trigger_kind: "webhook", started_by: null }), NOW)).toBe("Webhook");
    expect(shortRunId("3f2a9c1e-0000-4000-8000-000000000001")).toBe("3f2a9c1e");
  });

  it("writes a time of today as HH:mm, another day with its date", () => {
    expect(formatShortClock(local(2026, 10, 30, 9, 5), NOW)).toBe("09:05");
    expect(formatShortClock(local(2026, 11, 1, 0, 0), NOW, "en-GB")).toBe("1 Dec 00:00");
    expect(formatShortClock(local(2027, 0, 2, 8, 0), NOW, "en-GB")).toBe("2 Jan 2027, 08:00");
    expect(formatShortClock("soon", NOW)).toBe("soon");
  });

  it("links a run to its workflow's builder, and names a child run by its workflow and calling step", () => {
    expect(runHref("wf-2", "run-9")).toBe("/workflows/wf-2?run=run-9");
    const child: RunChild = { id: "run-9", workflow: "wf-2", workflow_name: "Send invoice", parent_step: "loop-1[2].call-1", status: "succeeded" };
    expect(childRunLabel(child)).toBe("Send invoice · from loop-1[2].call-1");
    expect(childRunLabel({ ...child, parent_step: "" })).toBe("Send invoice");
  });
});

describe("enabling and calling", () => {
  it("lists a refused enable's problems with the field each is about", () => {
    const errors: FieldError[] = [
      { path: "definition.trigger.properties.cron", message: "Not a valid cron expression." },
      { path: "", message: "The workflow has no trigger." },
    ];
    expect(enableProblems(errors, "The workflow cannot be enabled.")).toEqual([
      "Not a valid cron expression. (trigger.properties.cron)",
      "The workflow has no trigger.",
    ]);
    expect(enableProblems([], "The workflow cannot be enabled.")).toEqual(["The workflow cannot be enabled."]);
  });

  it("shows a callable's input example as JSON, nothing when there is none", () => {
    expect(callableInputExample({ input_example: { type: "object", value: { account: { type: "object", value: { id: int(42) } } } } })).toBe(
      JSON.stringify({ account: { id: 42 } }, null, 2),
    );
    expect(callableInputExample({ input_example: { type: "object", value: { account_id: text("42"), amount: { type: "number", value: 99.5 } } } }, true)).toBe(
      '{ "account_id": "42", "amount": 99.5 }',
    );
    expect(callableInputExample({})).toBeNull();
    expect(callableInputExample({ input_example: { type: "object", value: {} } })).toBeNull();
  });

  it("offers the workflows with the Callable trigger, by name, and keeps the one chosen", () => {
    const workflows = [
      makeWorkflowSummary({ id: "a", name: "Send invoice", trigger: "callable" }),
      makeWorkflowSummary({ id: "b", name: "Orders", trigger: "webhook" }),
      makeWorkflowSummary({ id: "c", name: "Enrich account", trigger: "callable" }),
      makeWorkflowSummary({ id: "d", name: "Caller", trigger: "callable" }),
    ];
    expect(callableWorkflowOptions(workflows, null, "d")).toEqual([
      { value: "d", label: "Caller (this workflow)" },
      { value: "c", label: "Enrich account" },
      { value: "a", label: "Send invoice" },
    ]);
    expect(callableWorkflowOptions(workflows, "b", null)[0]).toEqual({ value: "b", label: "Orders (not callable: its trigger is not Callable)" });
    expect(callableWorkflowOptions(workflows, "gone", null)[0]).toEqual({ value: "gone", label: "Unknown workflow (deleted, or not shown)" });
  });
});
