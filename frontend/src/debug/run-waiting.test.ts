import { describe, expect, it } from "vitest";
import { makeEvent, makeRun } from "../test/runs";
import { formatClock, runTimeline, runWaitingText, waitingStepOf, waitingText } from "./run-waiting";

// Local times: the expectations hold in any time zone the tests run in.
const NOW = new Date(2026, 10, 30, 14, 0, 0);
const local = (...parts: [number, number, number, number, number, number]) => new Date(...parts).toISOString();

describe("formatClock", () => {
  it("writes a moment of today as HH:mm:ss in local time", () => {
    expect(formatClock(local(2026, 10, 30, 15, 4, 12), NOW)).toBe("15:04:12");
    expect(formatClock(local(2026, 10, 30, 0, 0, 5), NOW)).toBe("00:00:05");
    expect(formatClock(local(2026, 10, 30, 23, 59, 59), NOW)).toBe("23:59:59");
  });

  it("puts the date before the time on another day, and the year in another year", () => {
    expect(formatClock(local(2026, 11, 1, 9, 30, 0), NOW, "en-GB")).toBe("1 Dec 09:30:00");
    expect(formatClock(local(2026, 10, 29, 23, 0, 0), NOW, "en-GB")).toBe("29 Nov 23:00:00");
    expect(formatClock(local(2027, 0, 2, 8, 0, 0), NOW, "en-GB")).toBe("2 Jan 2027, 08:00:00");
    expect(formatClock(local(2026, 11, 1, 9, 30, 0), NOW, "en-US")).toBe("Dec 1 09:30:00");
  });

  it("gives back what is not a date as it came", () => {
    expect(formatClock("soon", NOW)).toBe("soon");
  });
});

describe("waitingText", () => {
  it("says until when and why", () => {
    expect(waitingText(local(2026, 10, 30, 15, 4, 12), "rate limited by Slack", NOW)).toBe("Waiting until 15:04:12 (rate limited by Slack)");
    expect(waitingText(local(2026, 11, 1, 9, 30, 0), "delay", NOW, "en-GB")).toBe("Waiting until 1 Dec 09:30:00 (delay)");
  });

  it("leaves out what the run does not say", () => {
    expect(waitingText(local(2026, 10, 30, 15, 4, 12), "", NOW)).toBe("Waiting until 15:04:12");
    expect(waitingText(null, "delay", NOW)).toBe("Waiting (delay)");
    expect(waitingText(null, "  ", NOW)).toBe("Waiting");
  });

  it("is only for a waiting run", () => {
    const resume = local(2026, 10, 30, 15, 4, 12);
    expect(runWaitingText(makeRun({ status: "waiting", resume_at: resume, waiting_reason: "rate limited by Slack" }), NOW)).toBe(
      "Waiting until 15:04:12 (rate limited by Slack)",
    );
    expect(runWaitingText(makeRun({ status: "running", resume_at: resume, waiting_reason: "rate limited by Slack" }), NOW)).toBeUndefined();
  });
});

describe("waitingStepOf", () => {
  it("is the step of the last waiting event of a waiting run", () => {
    const events = [
      makeEvent({ kind: "waiting", at: local(2026, 10, 30, 13, 0, 0), step: "loop-1[1].slack-1" }),
      makeEvent({ kind: "worker_lost", at: local(2026, 10, 30, 13, 10, 0), step: "loop-1[2].slack-1", attempt: 2 }),
      makeEvent({ kind: "waiting", at: local(2026, 10, 30, 13, 20, 0), step: "loop-1[3].slack-1", attempt: 2 }),
    ];
    expect(waitingStepOf(makeRun({ status: "waiting", events }))).toBe("loop-1[3].slack-1");
    expect(waitingStepOf(makeRun({ status: "running", events }))).toBe("");
  });

  it("falls back on where the run's progress stopped", () => {
    expect(waitingStepOf(makeRun({ status: "waiting", progress: { current_step: "delay-1" } }))).toBe("delay-1");
    expect(waitingStepOf(makeRun({ status: "waiting" }))).toBe("");
  });
});

describe("runTimeline", () => {
  it("writes one line per event, oldest first, with its local time and the whole message kept", () => {
    const lost = "The worker running attempt 1 was lost while step loop-1[37].slack-1 was running; the run resumes after its last recorded step, as attempt 2.";
    const entries = runTimeline(
      [
        makeEvent({
          kind: "waiting",
          at: local(2026, 10, 30, 13, 0, 1),
          step: "loop-1[3].slack-1",
          reason: "rate limited by Slack",
          resume_at: local(2026, 10, 30, 13, 1, 1),
          message: "Waiting until 2026-11-30T13:01:01+00:00 (rate limited by Slack) at loop-1[3].slack-1.",
        }),
        makeEvent({ kind: "worker_lost", at: local(2026, 10, 30, 13, 20, 0), step: "loop-1[37].slack-1", attempt: 2, message: lost }),
        makeEvent({ kind: "waiting", at: local(2026, 11, 1, 2, 0, 0), step: "delay-1", reason: "delay", attempt: 2 }),
      ],
      new Date(2026, 11, 1, 3, 0, 0),
      "en-GB",
    );
    expect(entries.map(({ kind, time, text }) => ({ kind, time, text }))).toEqual([
      { kind: "waiting", time: "30 Nov 13:00:01", text: "Parked at loop-1[3].slack-1 until 30 Nov 13:01:01 (rate limited by Slack)" },
      { kind: "worker_lost", time: "30 Nov 13:20:00", text: "Worker lost while loop-1[37].slack-1 was running; resumed (attempt 2)" },
      { kind: "waiting", time: "02:00:00", text: "Parked at delay-1 (delay)" },
    ]);
    expect(entries[1]!.message).toBe(lost);
    expect(new Set(entries.map((entry) => entry.key)).size).toBe(3);
  });

  it("says when the run was not tried again: the last loss names the attempt it ended", () => {
    const at = local(2026, 10, 30, 13, 0, 0);
    const entries = runTimeline(
      [
        makeEvent({ kind: "worker_lost", at, step: "slack-1", attempt: 2 }),
        makeEvent({ kind: "worker_lost", at, step: "slack-1", attempt: 3 }),
        makeEvent({ kind: "worker_lost", at, step: "slack-1", attempt: 3 }),
        makeEvent({ kind: "worker_lost", at, step: "", attempt: 4 }),
      ],
      NOW,
    );
    expect(entries.map((entry) => entry.text)).toEqual([
      "Worker lost while slack-1 was running; resumed (attempt 2)",
      "Worker lost while slack-1 was running; resumed (attempt 3)",
      "Worker lost while slack-1 was running; not tried again",
      "Worker lost while a step was running; resumed (attempt 4)",
    ]);
  });

  it("is empty for a run nothing interrupted", () => {
    expect(runTimeline([], NOW)).toEqual([]);
  });
});
