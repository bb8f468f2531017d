import { describe, expect, it } from "vitest";
import type { RunStatus } from "./types";
import { isRunLive, RUN_STATUSES } from "./types";

// Every status the schema has: adding one to RunStatusEnum without listing it here fails to compile.
const ALL: Record<RunStatus, true> = { queued: true, running: true, waiting: true, succeeded: true, failed: true, cancelled: true };

describe("run statuses", () => {
  it("lists every status of the schema for the debug panel's filter", () => {
    expect([...RUN_STATUSES].sort()).toEqual(Object.keys(ALL).sort());
  });

  it("treats a waiting run as live, like a queued or running one", () => {
    expect(RUN_STATUSES.filter(isRunLive)).toEqual(["queued", "running", "waiting"]);
    expect(isRunLive(undefined)).toBe(false);
  });
});
