/** Step runs for the tests of the debug panel's logic. */
import type { Page, StepRun } from "../api/types";

export function stepRun(sequence: number, path: string, extra: Partial<StepRun> = {}): StepRun {
  const name = path.split(".").at(-1)!.replace(/\[\d+\]$/, "");
  return {
    sequence,
    path,
    step_name: name,
    connector: name.replace(/-\d+$/, ""),
    operation: "op",
    status: "succeeded",
    input: {},
    output: {},
    input_truncated: false,
    output_truncated: false,
    input_size: 2,
    output_size: 2,
    error: "",
    log: [],
    retries: 0,
    reused: false,
    started_at: "2025-01-01T00:00:00Z",
    duration_ms: 1,
    ...extra,
  };
}

/** trigger, totango-1, loop-1 (its own row), then `iterations` × loop-1[i].slack-1. */
export function walkthroughRows(iterations: number): StepRun[] {
  const rows = [stepRun(1, "trigger"), stepRun(2, "totango-1"), stepRun(3, "loop-1", { output: { count: iterations, iterations } })];
  for (let index = 0; index < iterations; index += 1) rows.push(stepRun(4 + index, `loop-1[${index}].slack-1`));
  return rows;
}

/** A fake `GET /api/runs/{id}/steps/` over `server` (rows the server has, in sequence order), counting calls. */
export function fakeServer(server: { rows: StepRun[] }) {
  const calls: { offset: number; limit: number }[] = [];
  const fetchPage = async (offset: number, limit: number): Promise<Page<StepRun>> => {
    calls.push({ offset, limit });
    const sorted = [...server.rows].sort((a, b) => a.sequence - b.sequence);
    return { count: sorted.length, next: null, previous: null, results: sorted.slice(offset, offset + limit) };
  };
  return { fetchPage, calls };
}
