import { describe, expect, it } from "vitest";
import { buildStepRunTree, entryStatus, flattenTree, parsePath, summarise, type IterationEntry, type LoopEntry } from "./step-run-tree";
import { stepRun, walkthroughRows } from "../test/step-runs";

describe("parsePath", () => {
  it("reads loops, iterations and the step", () => {
    expect(parsePath("loop-1[0].loop-2[4].x-1")).toEqual([
      { name: "loop-1", iteration: 0 },
      { name: "loop-2", iteration: 4 },
      { name: "x-1" },
    ]);
    expect(parsePath("trigger")).toEqual([{ name: "trigger" }]);
  });
});

describe("buildStepRunTree", () => {
  it("groups each loop iteration's step runs under it, the loop's own step run as its header", () => {
    const tree = buildStepRunTree(walkthroughRows(25));
    expect(tree.map((entry) => `${entry.kind}:${entry.key}`)).toEqual(["step:trigger", "step:totango-1", "loop:loop-1"]);
    const loop = tree[2] as LoopEntry;
    expect(loop.run?.sequence).toBe(3);
    expect(loop.iterations).toHaveLength(25);
    const third = loop.iterations[2]!;
    expect(third.key).toBe("loop-1[2]");
    expect(third.index).toBe(2);
    expect(third.children.map((child) => child.key)).toEqual(["loop-1[2].slack-1"]);
  });

  it("nests loops inside iterations", () => {
    const rows = [
      stepRun(1, "trigger"),
      stepRun(2, "loop-1"),
      stepRun(3, "loop-1[0].loop-2"),
      stepRun(4, "loop-1[0].loop-2[0].x-1"),
      stepRun(5, "loop-1[0].loop-2[1].x-1"),
      stepRun(6, "loop-1[0].after-1"),
      stepRun(7, "loop-1[1].loop-2", { status: "failed" }),
      stepRun(8, "loop-1[1].loop-2[0].x-1", { status: "failed", error: "boom" }),
    ];
    const outer = buildStepRunTree(rows)[1] as LoopEntry;
    expect(outer.iterations.map((iteration) => iteration.key)).toEqual(["loop-1[0]", "loop-1[1]"]);
    const first = outer.iterations[0]!;
    expect(first.children.map((child) => `${child.kind}:${child.key}`)).toEqual(["loop:loop-1[0].loop-2", "step:loop-1[0].after-1"]);
    const inner = first.children[0] as LoopEntry;
    expect(inner.iterations.map((iteration) => iteration.children[0]!.key)).toEqual(["loop-1[0].loop-2[0].x-1", "loop-1[0].loop-2[1].x-1"]);
    expect(entryStatus(outer.iterations[1]!)).toBe("failed");
    expect(entryStatus(first)).toBe("succeeded");
  });

  it("makes a loop of iterations whose loop's own step run is not loaded yet, and fills it in when it arrives", () => {
    const live = [stepRun(1, "trigger"), stepRun(3, "loop-1[0].slack-1"), stepRun(4, "loop-1[1].slack-1")];
    const loop = buildStepRunTree(live)[1] as LoopEntry;
    expect(loop.kind).toBe("loop");
    expect(loop.run).toBeUndefined();
    expect(entryStatus(loop)).toBe("running");
    const done = buildStepRunTree([...live.slice(0, 1), stepRun(2, "loop-1", { status: "failed" }), ...live.slice(1)]);
    expect((done[1] as LoopEntry).run?.sequence).toBe(2);
    expect(entryStatus(done[1]!)).toBe("failed");
  });

  it("groups search results, a subset of the run, the same way", () => {
    const tree = buildStepRunTree([stepRun(40, "loop-1[36].slack-1"), stepRun(90, "loop-1[86].slack-1")]);
    const loop = tree[0] as LoopEntry;
    expect(loop.iterations.map((iteration: IterationEntry) => iteration.index)).toEqual([36, 86]);
  });
});

describe("flattenTree", () => {
  it("lists the lines a list shows, the children of a folded iteration or loop left out", () => {
    const tree = buildStepRunTree(walkthroughRows(3));
    expect(flattenTree(tree, new Set()).map((row) => `${row.depth}:${row.kind}:${row.key}`)).toEqual([
      "0:step:trigger",
      "0:step:totango-1",
      "0:loop:loop-1",
      "1:iteration:loop-1[0]",
      "2:step:loop-1[0].slack-1",
      "1:iteration:loop-1[1]",
      "2:step:loop-1[1].slack-1",
      "1:iteration:loop-1[2]",
      "2:step:loop-1[2].slack-1",
    ]);
    expect(flattenTree(tree, new Set(["loop-1[1]"])).map((row) => row.key)).toEqual([
      "trigger",
      "totango-1",
      "loop-1",
      "loop-1[0]",
      "loop-1[0].slack-1",
      "loop-1[1]",
      "loop-1[2]",
      "loop-1[2].slack-1",
    ]);
    expect(flattenTree(tree, new Set(["loop-1"])).map((row) => row.key)).toEqual(["trigger", "totango-1", "loop-1"]);
  });
});

describe("continued step runs in the tree", () => {
  it("marks an iteration holding a continued step run continued, and a failed one still failed", () => {
    const rows = [
      stepRun(1, "trigger"),
      stepRun(2, "loop-1[0].slack-1"),
      stepRun(3, "loop-1[1].slack-1", { status: "continued" }),
      stepRun(4, "loop-1[2].slack-1", { status: "failed" }),
    ];
    const loop = buildStepRunTree(rows)[1];
    if (loop?.kind !== "loop") throw new Error("expected a loop");
    expect(loop.iterations.map((iteration) => summarise(iteration.children))).toEqual(["succeeded", "continued", "failed"]);
    expect(summarise(loop.iterations.slice(0, 2))).toBe("continued");
  });
});
