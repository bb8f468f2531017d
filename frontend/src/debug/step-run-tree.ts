/**
 * Groups a run's step runs (in execution order) into what the debug panel shows: steps, and for
 * each loop its iterations, each holding the step runs of that iteration (nested loops nest).
 * Works on any subset of a run's step runs (a first page, search results): an iteration whose
 * loop's own step run is not loaded yet still gets its loop.
 */
import type { StepRun } from "../api/types";

export interface PathSegment {
  name: string;
  /** The iteration, when the segment is a loop whose body the path goes into. */
  iteration?: number;
}

/** `loop-1[0].loop-2[4].x-1` → loop-1 #0, loop-2 #4, x-1. */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  for (const match of path.matchAll(/([^.[\]]+)(?:\[(\d+)\])?/g)) {
    const segment: PathSegment = { name: match[1]! };
    if (match[2] !== undefined) segment.iteration = Number(match[2]);
    segments.push(segment);
  }
  return segments;
}

/** The step names a path goes through: `loop-1[2].slack-1` → loop-1, slack-1. */
export function stepNamesOfPath(path: string): string[] {
  return parsePath(path).map((segment) => segment.name);
}

export interface StepEntry {
  kind: "step";
  /** The step run's path: unique within a run. */
  key: string;
  run: StepRun;
}

export interface IterationEntry {
  kind: "iteration";
  /** `loop-1[2]`. */
  key: string;
  /** Zero-based; shown as index + 1. */
  index: number;
  children: TreeEntry[];
}

export interface LoopEntry {
  kind: "loop";
  /** The loop's path, e.g. `loop-1` or `loop-1[0].loop-2`. */
  key: string;
  name: string;
  /** The loop's own step run, written when it ends; undefined while it runs. */
  run?: StepRun;
  iterations: IterationEntry[];
}

export type TreeEntry = StepEntry | LoopEntry | IterationEntry;

export type Summary = "succeeded" | "continued" | "failed" | "cancelled" | "running";

interface Container {
  children: TreeEntry[];
  index: Map<string, TreeEntry>;
}

function container(children: TreeEntry[] = []): Container {
  return { children, index: new Map() };
}

/** Builds the tree; `rows` in sequence order. */
export function buildStepRunTree(rows: readonly StepRun[]): TreeEntry[] {
  const root = container();
  const containers = new WeakMap<object, Container>();
  containers.set(root.children, root);
  const of = (children: TreeEntry[]): Container => containers.get(children)!;

  const loopIn = (parent: Container, key: string, name: string): LoopEntry => {
    const existing = parent.index.get(key);
    if (existing?.kind === "loop") return existing;
    const loop: LoopEntry = { kind: "loop", key, name, iterations: [] };
    if (existing?.kind === "step") {
      // A step run seen first as a plain step turns out to be a loop: its iterations follow.
      loop.run = existing.run;
      parent.children[parent.children.indexOf(existing)] = loop;
    } else {
      parent.children.push(loop);
    }
    parent.index.set(key, loop);
    return loop;
  };

  const iterationIn = (loop: LoopEntry, index: number): IterationEntry => {
    let low = 0;
    let high = loop.iterations.length;
    // Iterations arrive in order; a binary search keeps a late or out-of-order one in place.
    while (low < high) {
      const middle = (low + high) >> 1;
      if (loop.iterations[middle]!.index < index) low = middle + 1;
      else high = middle;
    }
    const found = loop.iterations[low];
    if (found !== undefined && found.index === index) return found;
    const iteration: IterationEntry = { kind: "iteration", key: `${loop.key}[${index}]`, index, children: [] };
    loop.iterations.splice(low, 0, iteration);
    containers.set(iteration.children, container(iteration.children));
    return iteration;
  };

  for (const run of rows) {
    const segments = parsePath(run.path);
    let parent = root;
    let prefix = "";
    segments.forEach((segment, position) => {
      const key = prefix + segment.name;
      if (segment.iteration !== undefined && position < segments.length - 1) {
        const loop = loopIn(parent, key, segment.name);
        const iteration = iterationIn(loop, segment.iteration);
        parent = of(iteration.children);
        prefix = `${iteration.key}.`;
        return;
      }
      // The last segment: the step run itself.
      const existing = parent.index.get(key);
      if (existing?.kind === "loop") {
        existing.run = run;
      } else if (existing?.kind === "step") {
        existing.run = run;
      } else {
        const entry: StepEntry = { kind: "step", key, run };
        parent.children.push(entry);
        parent.index.set(key, entry);
      }
    });
  }
  return root.children;
}

/** The state of an iteration: failed, cancelled or continued if one of its step runs was (in that order), else succeeded. */
export function summarise(entries: readonly TreeEntry[]): Summary {
  let result: Summary = "succeeded";
  for (const entry of entries) {
    const status = entryStatus(entry);
    if (status === "failed") return "failed";
    if (status === "cancelled") result = "cancelled";
    else if (status === "continued" && result === "succeeded") result = "continued";
  }
  return result;
}

export function entryStatus(entry: TreeEntry): Summary {
  if (entry.kind === "step") return entry.run.status;
  if (entry.kind === "iteration") return summarise(entry.children);
  if (entry.run !== undefined) return entry.run.status;
  // A loop still going: its own step run is written when it ends.
  const last = entry.iterations.at(-1);
  return last !== undefined && summarise(last.children) === "failed" ? "failed" : "running";
}

/** One line of the flattened tree, for a virtualised list. */
export type FlatRow =
  | { kind: "step"; key: string; depth: number; run: StepRun }
  | { kind: "loop"; key: string; depth: number; loop: LoopEntry; expanded: boolean }
  | { kind: "iteration"; key: string; depth: number; iteration: IterationEntry; loopName: string; expanded: boolean };

/**
 * The tree as the lines a list shows, children under their open parent. Loops and iterations are
 * open unless their key is in `collapsed`.
 */
export function flattenTree(entries: readonly TreeEntry[], collapsed: ReadonlySet<string>): FlatRow[] {
  const rows: FlatRow[] = [];
  const visit = (list: readonly TreeEntry[], depth: number, loopName: string) => {
    for (const entry of list) {
      if (entry.kind === "step") {
        rows.push({ kind: "step", key: entry.key, depth, run: entry.run });
      } else if (entry.kind === "loop") {
        const expanded = !collapsed.has(entry.key);
        rows.push({ kind: "loop", key: entry.key, depth, loop: entry, expanded });
        if (expanded) visit(entry.iterations, depth + 1, entry.name);
      } else {
        const expanded = !collapsed.has(entry.key);
        rows.push({ kind: "iteration", key: entry.key, depth, iteration: entry, loopName, expanded });
        if (expanded) visit(entry.children, depth + 1, loopName);
      }
    }
  };
  visit(entries, 0, "");
  return rows;
}
