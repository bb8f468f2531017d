/**
 * The triggers in words: the choices of "Create new workflow", a schedule's summary and its next
 * fire times, what started a run ("Manual · by ada", "Schedule · for 15:05"), a callable's
 * input, the workflows a Call workflow step may call, and the IANA time zones.
 */
import type { Connector, JsonValue, Operation, Run, RunChild, TypedValue, WorkflowSummary } from "../api/types";
import type { FieldError } from "../api/types";
import { STEP_HEIGHT } from "../definition/layout";

/** The connector keys of the triggers the platform knows, in the order they are offered. */
export const TRIGGER_ORDER = ["manual", "webhook", "schedule", "callable"] as const;

/** The trigger cards with more to show than their title: the webhook's URL, the schedule, the callable's input. */
export type TriggerDetailKind = "webhook" | "schedule" | "callable";

export function triggerDetailKind(connectorKey: string | undefined): TriggerDetailKind | null {
  return connectorKey === "webhook" || connectorKey === "schedule" || connectorKey === "callable" ? connectorKey : null;
}

/** What the trigger card adds below its title row, in pixels (the canvas lays the steps out below it). */
export const TRIGGER_DETAIL_HEIGHTS: Record<TriggerDetailKind, number> = { webhook: 64, schedule: 128, callable: 80 };

/** The trigger card's height on the canvas: a step card's, and its details. */
export function triggerCardHeight(connectorKey: string | undefined): number {
  const kind = triggerDetailKind(connectorKey);
  return STEP_HEIGHT + (kind === null ? 0 : TRIGGER_DETAIL_HEIGHTS[kind]);
}

export interface TriggerChoice {
  /** `connector:operation`. */
  value: string;
  connector: Connector;
  operation: Operation;
  label: string;
  description: string;
}

function orderOf(key: string): number {
  const index = (TRIGGER_ORDER as readonly string[]).indexOf(key);
  return index === -1 ? TRIGGER_ORDER.length : index;
}

/** Every trigger operation of the catalogue: Manual, Webhook, Scheduled, Callable first, then the rest by title. */
export function triggerChoices(connectors: readonly Connector[]): TriggerChoice[] {
  return connectors
    .flatMap((connector) => {
      const triggers = connector.operations.filter((operation) => operation.kind === "trigger");
      // A connector's one trigger is described by the connector's own words (what it is for);
      // several are told apart by their operations'.
      return triggers.map((operation) => ({
        value: `${connector.key}:${operation.key}`,
        connector,
        operation,
        label: operation.title,
        description: (triggers.length === 1 ? connector.description : operation.description) || operation.description || connector.description,
      }));
    })
    .sort((a, b) => orderOf(a.connector.key) - orderOf(b.connector.key) || a.label.localeCompare(b.label));
}

/** A typed property value as plain JSON (what the engine sees); undefined for a mapping (`jsonpath`). */
export function plainValue(value: TypedValue | undefined): JsonValue | undefined {
  if (value === undefined || value.type === "jsonpath") return undefined;
  if (value.type === "object") {
    const members = (value.value ?? {}) as Record<string, TypedValue>;
    const plain: Record<string, JsonValue> = {};
    for (const [key, member] of Object.entries(members)) {
      const inner = plainValue(member);
      if (inner !== undefined) plain[key] = inner;
    }
    return plain;
  }
  if (value.type === "array") {
    return ((value.value ?? []) as TypedValue[]).map((item) => plainValue(item) ?? null);
  }
  if (value.type === "null") return null;
  return value.value as JsonValue;
}

// ---------------------------------------------------------------------------------------------
// Schedule

export type ScheduleUnit = "minutes" | "hours" | "days";

export interface ScheduleSettings {
  mode: "interval" | "cron";
  every: number;
  unit: ScheduleUnit;
  cron: string;
  timezone: string;
}

function literal(properties: Record<string, TypedValue>, key: string, fallback: JsonValue | undefined): JsonValue | undefined {
  return plainValue(properties[key]) ?? fallback;
}

/** The schedule trigger's properties, the operation's defaults filling what is not set. */
export function scheduleSettings(properties: Record<string, TypedValue>, operation?: Operation): ScheduleSettings {
  const defaults = operation?.input_schema.properties ?? {};
  const mode = literal(properties, "mode", defaults.mode?.default);
  const every = literal(properties, "every", defaults.every?.default);
  const unit = literal(properties, "unit", defaults.unit?.default);
  const cron = literal(properties, "cron", defaults.cron?.default);
  const timezone = literal(properties, "timezone", defaults.timezone?.default);
  return {
    mode: mode === "cron" ? "cron" : "interval",
    every: typeof every === "number" && Number.isFinite(every) ? every : 1,
    unit: unit === "hours" || unit === "days" ? unit : "minutes",
    cron: typeof cron === "string" ? cron.trim() : "",
    timezone: typeof timezone === "string" && timezone.trim() !== "" ? timezone.trim() : "UTC",
  };
}

const UNIT_WORDS: Record<ScheduleUnit, [string, string]> = {
  minutes: ["minute", "minutes"],
  hours: ["hour", "hours"],
  days: ["day", "days"],
};

/**
 * "Every 5 minutes", "Every hour · UTC", "Every 2 days at 00:00 · Europe/Berlin" (hours and days
 * count from the zone's midnight, so their zone is said), "Cron 0 9 * * 1-5 · Europe/Berlin".
 */
export function scheduleSummary(settings: ScheduleSettings): string {
  if (settings.mode === "cron") {
    return settings.cron === "" ? "Cron expression not set yet" : `Cron ${settings.cron} · ${settings.timezone}`;
  }
  const [one, many] = UNIT_WORDS[settings.unit];
  const every = settings.every === 1 ? `Every ${one}` : `Every ${settings.every.toLocaleString("en")} ${many}`;
  if (settings.unit === "minutes") return every;
  return settings.unit === "days" ? `${every} at 00:00 · ${settings.timezone}` : `${every} · ${settings.timezone}`;
}

function formatters(locale: string | undefined, timeZone: string): { date: Intl.DateTimeFormat; time: Intl.DateTimeFormat } {
  const make = (zone: string) => ({
    date: new Intl.DateTimeFormat(locale, { weekday: "short", day: "numeric", month: "short", timeZone: zone }),
    time: new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone }),
  });
  try {
    return make(timeZone);
  } catch {
    // An unknown zone (the server refuses it at save; this may be the edit before).
    return make("UTC");
  }
}

/** The browser's own IANA time zone. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export interface FireTimeRow {
  iso: string;
  /** In the schedule's zone: "Mon 30 Nov 15:05". */
  inZone: string;
  /** In the browser's zone, the same words; null when it reads the same as `inZone`. */
  local: string | null;
  /** `local` without its date when the date is the same as in the zone's ("14:05"). */
  localShort: string | null;
}

/** The next fire times as the trigger card and panel list them: in the chosen zone and in local time. */
export function fireTimeRows(times: readonly string[], timeZone: string, options: { localZone?: string; locale?: string } = {}): FireTimeRow[] {
  const zoned = formatters(options.locale, timeZone);
  const local = formatters(options.locale, options.localZone ?? localTimeZone());
  return times.map((iso) => {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return { iso, inZone: iso, local: null, localShort: null };
    const zoneDay = zoned.date.format(date);
    const inZone = `${zoneDay} ${zoned.time.format(date)}`;
    const localDay = local.date.format(date);
    const localTime = local.time.format(date);
    const inLocal = `${localDay} ${localTime}`;
    if (inLocal === inZone) return { iso, inZone, local: null, localShort: null };
    return { iso, inZone, local: inLocal, localShort: localDay === zoneDay ? localTime : inLocal };
  });
}

/** Whether the browser's zone is the schedule's (then one column of times is enough). */
export function isLocalZone(timeZone: string, localZone: string = localTimeZone()): boolean {
  return timeZone === localZone || (timeZone === "UTC" && (localZone === "Etc/UTC" || localZone === "Etc/GMT"));
}

/** The IANA time zones the browser knows, for the schedule's `timezone`; UTC first, and `current` kept when unknown. */
export function timeZoneOptions(current?: string): string[] {
  let zones: string[];
  try {
    zones = Intl.supportedValuesOf("timeZone");
  } catch {
    // An engine without the list: the zone chosen and UTC.
    zones = [];
  }
  const options = ["UTC", ...zones.filter((zone) => zone !== "UTC")];
  if (current !== undefined && current !== "" && !options.includes(current)) options.unshift(current);
  return options;
}

// ---------------------------------------------------------------------------------------------
// What started a run

function pad(value: number): string {
  return String(value).padStart(2, "0");
}

/** A moment as HH:mm in local time, with its date when not today (`1 Dec 15:05`). */
export function formatShortClock(iso: string, now: Date = new Date(), locale?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  if (date.toDateString() === now.toDateString()) return time;
  const sameYear = date.getFullYear() === now.getFullYear();
  const day = new Intl.DateTimeFormat(locale, sameYear ? { day: "numeric", month: "short" } : { day: "numeric", month: "short", year: "numeric" }).format(date);
  return sameYear ? `${day} ${time}` : `${day}, ${time}`;
}

/**
 * What started a run, in a few words: "Manual · by ada", "Webhook", "Schedule · for 15:05",
 * "Called by" (the parent run's link follows it), "Called by a run no longer kept".
 */
export function runTriggerText(
  run: Pick<Run, "trigger_kind" | "started_by" | "scheduled_for" | "parent_run"> & { alert_for?: string | null },
  now: Date = new Date(),
  locale?: string,
): string {
  switch (run.trigger_kind) {
    case "manual":
      return run.started_by === null ? "Manual" : `Manual · by ${run.started_by}`;
    case "webhook":
      return "Webhook";
    case "schedule":
      return run.scheduled_for === null ? "Schedule" : `Schedule · for ${formatShortClock(run.scheduled_for, now, locale)}`;
    case "callable":
      return run.parent_run === null ? "Called by a run no longer kept" : "Called by";
    case "alert":
      return run.alert_for === null || run.alert_for === undefined ? "Alert for a run no longer kept" : "Alert for";
  }
}

/** The first 8 characters of a run's id, enough to tell runs apart in a list. */
export function shortRunId(id: string): string {
  return id.slice(0, 8);
}

/** `runTriggerText` for the runs list, where a parent run is named by its short id: "Called by run 3f2a9c1e". */
export function runListTriggerText(
  run: Pick<Run, "trigger_kind" | "started_by" | "scheduled_for" | "parent_run"> & { alert_for?: string | null },
  now: Date = new Date(),
  locale?: string,
): string {
  if (run.trigger_kind === "callable" && run.parent_run !== null) return `Called by run ${shortRunId(run.parent_run)}`;
  if (run.trigger_kind === "alert" && typeof run.alert_for === "string") return `Alert for run ${shortRunId(run.alert_for)}`;
  return runTriggerText(run, now, locale);
}

/** Where a run is shown: its workflow's builder with the run selected in the debug panel. */
export function runHref(workflowId: string, runId: string): string {
  return `/workflows/${workflowId}?run=${encodeURIComponent(runId)}`;
}

/** A child run's line in its parent's debug panel: "Send invoice · from loop-1[2].call-1". */
export function childRunLabel(child: Pick<RunChild, "workflow_name" | "parent_step">): string {
  return child.parent_step === "" ? child.workflow_name : `${child.workflow_name} · from ${child.parent_step}`;
}

// ---------------------------------------------------------------------------------------------
// Enabling, calling

/** A refused enable's problems as lines: "Cron: not a valid cron expression (trigger.properties.cron)". */
export function enableProblems(errors: readonly FieldError[], detail: string): string[] {
  if (errors.length === 0) return [detail];
  return errors.map((error) => (error.path === "" ? error.message : `${error.message} (${error.path.replace(/^definition\./, "")})`));
}

/**
 * The callable's `input_example` as JSON, or null when it has none: indented, or `compact` on
 * as few lines as the card's width allows (`{ "account_id": "42", "amount": 99.5 }`).
 */
export function callableInputExample(properties: Record<string, TypedValue>, compact = false): string | null {
  const example = plainValue(properties.input_example);
  if (example === undefined || example === null) return null;
  if (typeof example === "object" && !Array.isArray(example) && Object.keys(example).length === 0) return null;
  return compact ? JSON.stringify(example, null, 1).replace(/\n\s*/g, " ") : JSON.stringify(example, null, 2);
}

export interface WorkflowOption {
  value: string;
  label: string;
}

/**
 * The workflows a Call workflow step may call: this organisation's with the Callable trigger, by
 * name; the one chosen already is kept (as "Unknown workflow") when it is no longer among them.
 */
export function callableWorkflowOptions(
  workflows: readonly Pick<WorkflowSummary, "id" | "name" | "trigger">[],
  current: string | null,
  self: string | null,
): WorkflowOption[] {
  const options = workflows
    .filter((workflow) => workflow.trigger === "callable")
    .map((workflow) => ({ value: workflow.id, label: workflow.id === self ? `${workflow.name} (this workflow)` : workflow.name }))
    .sort((a, b) => a.label.localeCompare(b.label));
  if (current !== null && current !== "" && !options.some((option) => option.value === current)) {
    const known = workflows.find((workflow) => workflow.id === current);
    options.unshift({
      value: current,
      label: known === undefined ? "Unknown workflow (deleted, or not shown)" : `${known.name} (not callable: its trigger is not Callable)`,
    });
  }
  return options;
}
