import { describe, expect, it } from "vitest";
import { EMPTY_LOG, extendLog, hasMore, mergeBySequence, missingSequences } from "./step-run-log";
import { fakeServer, stepRun, walkthroughRows } from "../test/step-runs";

const sequences = (rows: { sequence: number }[]) => rows.map((row) => row.sequence);

describe("extendLog", () => {
  it("loads a finished run's first page only, then the next page when asked", async () => {
    const server = { rows: walkthroughRows(10_000 - 3) };
    const { fetchPage, calls } = fakeServer(server);
    const first = await extendLog(EMPTY_LOG, fetchPage, { want: 200, pageSize: 200 });
    expect(first.rows).toHaveLength(200);
    expect(first.total).toBe(10_000);
    expect(hasMore(first)).toBe(true);
    expect(calls).toEqual([{ offset: 0, limit: 200 }]);
    const second = await extendLog(first, fetchPage, { want: 400, pageSize: 200 });
    expect(sequences(second.rows)).toEqual(Array.from({ length: 400 }, (_, index) => index + 1));
    expect(calls.at(-1)).toEqual({ offset: 200, limit: 200 });
  });

  it("asks a live run only for the rows it has not loaded", async () => {
    const server = { rows: walkthroughRows(2).filter((row) => row.path !== "loop-1").slice(0, 3) };
    const { fetchPage, calls } = fakeServer(server);
    let log = await extendLog(EMPTY_LOG, fetchPage, { want: Infinity, pageSize: 1000 });
    expect(sequences(log.rows)).toEqual([1, 2, 4]);
    server.rows.push(stepRun(5, "loop-1[1].slack-1"));
    log = await extendLog(log, fetchPage, { want: Infinity, pageSize: 1000 });
    expect(sequences(log.rows)).toEqual([1, 2, 4, 5]);
    expect(calls).toEqual([
      { offset: 0, limit: 1000 },
      { offset: 3, limit: 1000 },
    ]);
    // Nothing new: one small request, nothing refetched.
    log = await extendLog(log, fetchPage, { want: Infinity, pageSize: 1000 });
    expect(calls.at(-1)).toEqual({ offset: 4, limit: 1000 });
    expect(log.rows).toHaveLength(4);
  });

  it("finds a loop's own step run written late with an early sequence", async () => {
    // The loop (sequence 3) is written when it ends, after its iterations 4..6.
    const all = walkthroughRows(3);
    const server = { rows: all.filter((row) => row.sequence !== 3) };
    const { fetchPage, calls } = fakeServer(server);
    let log = await extendLog(EMPTY_LOG, fetchPage, { want: Infinity, pageSize: 1000 });
    expect(sequences(log.rows)).toEqual([1, 2, 4, 5, 6]);
    server.rows = all;
    log = await extendLog(log, fetchPage, { want: Infinity, pageSize: 1000 });
    expect(sequences(log.rows)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(log.total).toBe(6);
    // The tail (offset 5 now holds sequence 6, already loaded), then the gap at its position.
    expect(calls.slice(1)).toEqual([
      { offset: 5, limit: 1000 },
      { offset: 2, limit: 1 },
    ]);
  });

  it("does not look into a gap while the loop is still running", async () => {
    const server = { rows: [stepRun(1, "trigger"), stepRun(3, "loop-1[0].slack-1")] };
    const { fetchPage, calls } = fakeServer(server);
    let log = await extendLog(EMPTY_LOG, fetchPage, { want: Infinity, pageSize: 1000 });
    log = await extendLog(log, fetchPage, { want: Infinity, pageSize: 1000 });
    expect(calls).toHaveLength(2);
    expect(missingSequences(log.rows)).toEqual([2]);
  });

  it("follows a large live run a few pages a poll", async () => {
    const server = { rows: walkthroughRows(5000) };
    const { fetchPage, calls } = fakeServer(server);
    const log = await extendLog(EMPTY_LOG, fetchPage, { want: Infinity, pageSize: 1000, maxPages: 2 });
    expect(log.rows).toHaveLength(2000);
    expect(calls).toEqual([
      { offset: 0, limit: 1000 },
      { offset: 1000, limit: 1000 },
    ]);
  });
});

describe("mergeBySequence", () => {
  it("keeps the rows in order, a newer copy replacing the one held", () => {
    const merged = mergeBySequence([stepRun(1, "a"), stepRun(3, "c")], [stepRun(2, "b"), stepRun(3, "c", { status: "failed" })]);
    expect(sequences(merged)).toEqual([1, 2, 3]);
    expect(merged[2]!.status).toBe("failed");
  });
});
