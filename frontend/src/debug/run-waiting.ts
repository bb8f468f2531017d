/**
 * What a parked run and a run's events say, in words: "Waiting until 15:04:12 (rate limited by
 * Slack)", the step it waits at, and one line per event of its timeline. Times are the browser's
 * local time.
 */
import type { Run, RunEvent, RunEventKind } from "../api/types";

function pad(value: number): string {
  return String(value).padStart(2, "0");
}

/**
 * A moment as HH:mm:ss in local time (`15:04:12`), with its date before it when it is not today
 * (`1 Dec 15:04:12`) and its year when not this year (`1 Dec 2027, 15:04:12`). `locale` only
 * spells the date; the time is always 24-hour.
 */
export function formatClock(iso: string, now: Date = new Date(), locale?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  const sameYear = date.getFullYear() === now.getFullYear();
  if (sameYear && date.getMonth() === now.getMonth() && date.getDate() === now.getDate()) return time;
  const day = new Intl.DateTimeFormat(locale, sameYear ? { day: "numeric", month: "short" } : { day: "numeric", month: "short", year: "numeric" }).format(date);
  return sameYear ? `${day} ${time}` : `${day}, ${time}`;
}

/** "Waiting until 15:04:12 (rate limited by Slack)": parts left out when the run does not say them. */
export function waitingText(until: string | null, reason: string, now: Date = new Date(), locale?: string): string {
  const when = until === null ? "" : ` until ${formatClock(until, now, locale)}`;
  const why = reason.trim() === "" ? "" : ` (${reason.trim()})`;
  return `Waiting${when}${why}`;
}

/** A waiting run's "Waiting until …"; undefined for a run in any other status. */
export function runWaitingText(run: Run, now: Date = new Date(), locale?: string): string | undefined {
  if (run.status !== "waiting") return undefined;
  return waitingText(run.resume_at, run.waiting_reason, now, locale);
}

/**
 * The path of the step a waiting run is parked at (`loop-1[3].slack-1`): its last `waiting`
 * event's, else where its progress stopped; "" when neither says, or the run is not waiting.
 */
export function waitingStepOf(run: Run): string {
  if (run.status !== "waiting") return "";
  const parked = run.events.findLast((event) => event.kind === "waiting");
  return parked?.step || run.progress?.current_step || "";
}

export interface TimelineEntry {
  key: string;
  kind: RunEventKind;
  /** When it happened, as `formatClock` writes it. */
  time: string;
  /** One line: "Worker lost while loop-1[37].slack-1 was running; resumed (attempt 2)". */
  text: string;
  /** The backend's whole message, for a tooltip. */
  message: string;
}

/** A run's events, oldest first, as the debug panel's timeline shows them. */
export function runTimeline(events: readonly RunEvent[], now: Date = new Date(), locale?: string): TimelineEntry[] {
  let attempt = 1;
  return events.map((event, index) => {
    let text: string;
    if (event.kind === "waiting") {
      const at = event.step === "" ? "" : ` at ${event.step}`;
      const until = event.resume_at === null ? "" : ` until ${formatClock(event.resume_at, now, locale)}`;
      const why = event.reason.trim() === "" ? "" : ` (${event.reason.trim()})`;
      text = `Parked${at}${until}${why}`;
    } else {
      const where = event.step === "" ? "a step" : event.step;
      // An event names the attempt that goes on after it: the same one when the run gave up.
      text = event.attempt > attempt ? `Worker lost while ${where} was running; resumed (attempt ${event.attempt})` : `Worker lost while ${where} was running; not tried again`;
    }
    attempt = Math.max(attempt, event.attempt);
    return { key: `${index}:${event.at}`, kind: event.kind, time: formatClock(event.at, now, locale), text, message: event.message };
  });
}
