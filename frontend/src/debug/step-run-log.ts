/**
 * The step runs of one run, loaded a page at a time and extended while the run goes: each fetch
 * asks only for what is not loaded yet (offset = rows held), never the whole list again.
 *
 * Rows arrive in sequence order, except a loop's own step run: it is written when the loop ends
 * but keeps the sequence it took when it started, so it lands before rows already loaded and
 * shifts the offsets by one. The tail fetch then returns rows held already (merged by sequence),
 * and the late row is found in its gap: the missing sequence whose server position is the count
 * of held rows before it.
 */
import type { Page, StepRun } from "../api/types";

export interface StepRunLog {
  /** Held rows, ascending by sequence, no duplicates. */
  rows: StepRun[];
  /** How many step runs the server had at the last fetch. */
  total: number;
  /** True once a fetch has answered. */
  loaded: boolean;
}

export const EMPTY_LOG: StepRunLog = { rows: [], total: 0, loaded: false };

export type FetchStepRunPage = (offset: number, limit: number) => Promise<Page<StepRun>>;

export interface ExtendOptions {
  /** Load until this many rows are held (Infinity while the run is live: follow it to the end). */
  want: number;
  /** Rows a request asks for. */
  pageSize: number;
  /** Requests one call may make for the tail (later ones wait for the next poll). */
  maxPages?: number;
  /** Gaps one call may look into. */
  maxGapChecks?: number;
}

/** Merges rows into `rows` (ascending by sequence): a row already held is replaced by the newer copy. */
export function mergeBySequence(rows: readonly StepRun[], incoming: readonly StepRun[]): StepRun[] {
  if (incoming.length === 0) return rows as StepRun[];
  const last = rows.at(-1);
  const sorted = [...incoming].sort((a, b) => a.sequence - b.sequence);
  // The usual case: every new row comes after the last one held.
  if (last === undefined || sorted[0]!.sequence > last.sequence) return [...rows, ...dedupe(sorted)];
  const bySequence = new Map(rows.map((row) => [row.sequence, row]));
  for (const row of sorted) bySequence.set(row.sequence, row);
  return [...bySequence.values()].sort((a, b) => a.sequence - b.sequence);
}

function dedupe(sorted: StepRun[]): StepRun[] {
  return sorted.filter((row, index) => index === 0 || sorted[index - 1]!.sequence !== row.sequence);
}

/** Sequences missing between the first held sequence (or 1) and the last one, ascending. */
export function missingSequences(rows: readonly StepRun[], limit = Infinity): number[] {
  const missing: number[] = [];
  let expected = Math.min(1, rows[0]?.sequence ?? 1);
  for (const row of rows) {
    for (let sequence = expected; sequence < row.sequence && missing.length < limit; sequence += 1) missing.push(sequence);
    if (missing.length >= limit) break;
    expected = row.sequence + 1;
  }
  return missing;
}

/** Number of held rows whose sequence is below `sequence` (binary search). */
function countBelow(rows: readonly StepRun[], sequence: number): number {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (rows[middle]!.sequence < sequence) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Fetches what the log lacks: the tail up to `want` rows, then any late row that fills a gap. */
export async function extendLog(log: StepRunLog, fetchPage: FetchStepRunPage, options: ExtendOptions): Promise<StepRunLog> {
  const { want, pageSize, maxPages = 3, maxGapChecks = 8 } = options;
  let rows = log.rows;
  let total = log.total;
  let reachedEnd = false;
  for (let request = 0; request < maxPages; request += 1) {
    if ((request > 0 || log.loaded) && rows.length >= want) break;
    const limit = Math.max(1, Math.min(pageSize, want === Infinity ? pageSize : want - rows.length));
    const offset = rows.length;
    const page = await fetchPage(offset, limit);
    rows = mergeBySequence(rows, page.results);
    total = page.count;
    reachedEnd = offset + page.results.length >= page.count;
    if (reachedEnd || page.results.length === 0) break;
  }
  if (!log.loaded && rows.length === 0 && total === 0) return { rows, total, loaded: true };
  // Held fewer than the server has, and yet at its end: late rows landed in gaps before the tail.
  if (reachedEnd && rows.length < total) {
    for (const sequence of missingSequences(rows, maxGapChecks)) {
      const position = countBelow(rows, sequence);
      const page = await fetchPage(position, 1);
      const found = page.results[0];
      total = page.count;
      if (found !== undefined && found.sequence === sequence) rows = mergeBySequence(rows, [found]);
      if (rows.length >= total) break;
    }
  }
  return { rows, total, loaded: true };
}

/** True when rows remain on the server beyond those held. */
export function hasMore(log: StepRunLog): boolean {
  return log.rows.length < log.total;
}
