import { describe, expect, it } from "vitest";
import type { WorkflowDefinition } from "../api/types";
import { computeLayout, GAP, OPEN_MARGIN, OPEN_MIN_ZOOM, openingViewport, STEP_HEIGHT, type Box, type Viewport } from "./layout";

const definition: WorkflowDefinition = {
  trigger: { connector: "manual", operation: "manual", properties: {} },
  steps_structure: [
    { name: "totango-1", type: "normal" },
    { name: "loop-1", type: "loop", content: { _loop: [{ name: "slack-1", type: "normal" }] } },
    { name: "boolean-1", type: "branch", content: { false: [], true: [{ name: "slack-2", type: "normal" }] } },
  ],
  steps: {},
};

describe("layout", () => {
  const layout = computeLayout(definition);

  it("reads top to bottom: trigger, then each step below the one before", () => {
    const totango = layout.steps.find((step) => step.name === "totango-1")!;
    const loop = layout.containers.find((container) => container.name === "loop-1")!;
    const slack = layout.steps.find((step) => step.name === "slack-1")!;
    expect(totango.y).toBe(STEP_HEIGHT + GAP);
    expect(loop.y).toBe(totango.y + STEP_HEIGHT + GAP);
    // The loop's body is inside its box.
    expect(slack.y).toBeGreaterThan(loop.y + STEP_HEIGHT);
    expect(slack.y + STEP_HEIGHT).toBeLessThan(loop.y + loop.height);
    expect(slack.x).toBeGreaterThan(loop.x);
  });

  it("shows a branch's True lane left of its False lane", () => {
    const branch = layout.containers.find((container) => container.name === "boolean-1")!;
    expect(branch.lanes.map((lane) => lane.label)).toEqual(["True", "False"]);
    expect(branch.lanes[0]!.centerX).toBeLessThan(branch.lanes[1]!.centerX);
  });

  it("puts a drop zone before every step and at the end of every lane", () => {
    expect(layout.dropZones.map((zone) => `${zone.slot.container ?? "main"}/${zone.slot.lane}/${zone.slot.index} after ${zone.after}`)).toEqual([
      "main/main/0 after trigger",
      "main/main/1 after totango-1",
      "loop-1/_loop/0 after null",
      "loop-1/_loop/1 after slack-1",
      "main/main/2 after loop-1",
      "boolean-1/true/0 after null",
      "boolean-1/true/1 after slack-2",
      "boolean-1/false/0 after null",
      "main/main/3 after boolean-1",
    ]);
  });
});

describe("the viewport a workflow opens at", () => {
  const minimap = { width: 165, height: 115 };
  const onScreen = (bounds: Box, view: Viewport) => ({
    left: view.x + bounds.x * view.zoom,
    top: view.y + bounds.y * view.zoom,
    right: view.x + (bounds.x + bounds.width) * view.zoom,
    bottom: view.y + (bounds.y + bounds.height) * view.zoom,
  });

  it("shows a short workflow whole, life-size, centred, its trigger a margin below the top", () => {
    const bounds = { x: -20, y: 0, width: 320, height: 560 };
    const view = openingViewport({ bounds, pane: { width: 768, height: 844 }, corner: minimap });
    const box = onScreen(bounds, view);
    expect(view.zoom).toBe(1);
    expect(box.top).toBe(OPEN_MARGIN);
    expect(box.left).toBe((768 - 320) / 2);
    expect(box.right).toBeLessThanOrEqual(768 - minimap.width);
  });

  it("shrinks a workflow taller than the pane to fit, down to the readable zoom", () => {
    const bounds = { x: 0, y: 0, width: 320, height: 950 };
    const view = openingViewport({ bounds, pane: { width: 1000, height: 844 }, corner: minimap });
    const box = onScreen(bounds, view);
    expect(view.zoom).toBeCloseTo((844 - 2 * OPEN_MARGIN) / 950);
    expect(box.top).toBe(OPEN_MARGIN);
    expect(box.bottom).toBeCloseTo(844 - OPEN_MARGIN);
  });

  it("opens a long workflow at its top at the readable zoom, left of the minimap", () => {
    const bounds = { x: 0, y: 0, width: 320, height: 5000 };
    const view = openingViewport({ bounds, pane: { width: 520, height: 844 }, corner: minimap });
    const box = onScreen(bounds, view);
    expect(view.zoom).toBe(OPEN_MIN_ZOOM);
    expect(box.top).toBe(OPEN_MARGIN);
    // Centred it would run under the minimap: it moves left of it instead.
    expect((520 - 320 * OPEN_MIN_ZOOM) / 2 + 320 * OPEN_MIN_ZOOM).toBeGreaterThan(520 - minimap.width);
    expect(box.right).toBeLessThanOrEqual(520 - minimap.width);
    expect(box.left).toBeGreaterThanOrEqual(OPEN_MARGIN);
  });

  it("keeps a wide workflow above the minimap when it cannot stand beside it", () => {
    const bounds = { x: 0, y: 0, width: 900, height: 500 };
    const view = openingViewport({ bounds, pane: { width: 768, height: 844 }, corner: minimap });
    const box = onScreen(bounds, view);
    expect(box.bottom).toBeLessThanOrEqual(844 - minimap.height);
    expect(box.left).toBeGreaterThanOrEqual(0);
    expect(box.right).toBeLessThanOrEqual(768);
    expect(box.top).toBe(OPEN_MARGIN);
  });
});
