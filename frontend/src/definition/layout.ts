/**
 * Lays the workflow out top to bottom. The definition is a tree (sequences, loop bodies, branch
 * lanes), not a free graph, so each box is measured from its children and placed below the one
 * before: one pass, no graph layout engine, and the same picture for the same definition.
 */
import type { StructureNode, WorkflowDefinition } from "../api/types";
import { ERROR_LANE } from "./error-handling";
import { LOOP_LANE, ROOT, type LaneRef, type Slot, TRIGGER_NAME } from "./structure";

export const STEP_WIDTH = 264;
export const STEP_HEIGHT = 68;
/** The space between two steps; its drop zone sits in the middle. */
export const GAP = 64;
export const DROP_ZONE_SIZE = 28;
const PAD_X = 28;
const PAD_TOP = 14;
const PAD_BOTTOM = 16;
const LANE_GAP = 36;
export const LANE_LABEL_HEIGHT = 26;
const LANE_LABEL_GAP = 34;

export interface LaidStep {
  kind: "step";
  name: string;
  x: number;
  y: number;
}

export interface LaidLane {
  ref: LaneRef;
  label: string;
  /** Centre of the lane's column, relative to the canvas. */
  centerX: number;
  /** Top of the lane's label (branches only). */
  labelY: number;
  width: number;
}

export interface LaidContainer {
  kind: "container";
  name: string;
  /** `error`: an action step with an error lane ("On failure"); its success path is what follows it. */
  type: "loop" | "branch" | "error";
  x: number;
  y: number;
  width: number;
  height: number;
  depth: number;
  lanes: LaidLane[];
}

export interface LaidDropZone {
  kind: "dropzone";
  id: string;
  slot: Slot;
  /** Centre of the zone. */
  x: number;
  y: number;
  /** The step it follows (or the container/lane it starts), for its accessible name. */
  after: string | null;
}

export interface LaidEdge {
  id: string;
  source: string;
  sourceHandle: string;
  target: string;
  targetHandle: string;
}

export interface Layout {
  /** The trigger card: taller than a step when it shows its details (a webhook URL, a schedule). */
  trigger: { x: number; y: number; height: number };
  steps: LaidStep[];
  containers: LaidContainer[];
  dropZones: LaidDropZone[];
  edges: LaidEdge[];
  width: number;
  height: number;
}

interface Size {
  width: number;
  height: number;
}

/** Lane names of a branch in display order: fixed lanes first (true before false), then the rest. */
export function laneOrder(node: StructureNode): string[] {
  if (node.type === "normal") return node.content?.[ERROR_LANE] !== undefined ? [ERROR_LANE] : [];
  const names = Object.keys(node.content ?? {});
  const rank = (lane: string) => (lane === "true" ? 0 : lane === "false" ? 1 : lane === "default" ? 3 : 2);
  return [...names].sort((a, b) => rank(a) - rank(b));
}

export function laneLabel(lane: string): string {
  if (lane === "true") return "True";
  if (lane === "false") return "False";
  if (lane === "default") return "Default";
  if (lane === ERROR_LANE) return "On failure";
  return lane.replace(/[_-]+/g, " ").replace(/^\w/, (first) => first.toUpperCase());
}

/** A step drawn as a box around lanes: a loop, a branch, or a step with an error lane. */
export function isBoxed(node: StructureNode): boolean {
  return node.type !== "normal" || node.content?.[ERROR_LANE] !== undefined;
}

export function dropZoneId(slot: Slot): string {
  return `dz:${slot.container ?? ""}:${slot.lane}:${slot.index}`;
}

export function computeLayout(definition: WorkflowDefinition, triggerHeight: number = STEP_HEIGHT): Layout {
  const sizes = new Map<string, Size>();

  const measureLane = (lane: StructureNode[]): Size => {
    let width = STEP_WIDTH;
    let height = GAP;
    for (const node of lane) {
      const size = measureNode(node);
      width = Math.max(width, size.width);
      height += size.height + GAP;
    }
    return { width, height };
  };

  const measureNode = (node: StructureNode): Size => {
    let size: Size;
    if (node.type === "loop") {
      const body = measureLane(node.content?.[LOOP_LANE] ?? []);
      size = { width: body.width + 2 * PAD_X, height: PAD_TOP + STEP_HEIGHT + body.height + PAD_BOTTOM };
    } else if (isBoxed(node)) {
      const lanes = laneOrder(node).map((lane) => measureLane(node.content?.[lane] ?? []));
      const lanesWidth = lanes.reduce((sum, lane) => sum + lane.width, 0) + LANE_GAP * Math.max(0, lanes.length - 1);
      const lanesHeight = Math.max(GAP, ...lanes.map((lane) => lane.height));
      size = {
        width: Math.max(STEP_WIDTH, lanesWidth) + 2 * PAD_X,
        height: PAD_TOP + STEP_HEIGHT + LANE_LABEL_GAP + LANE_LABEL_HEIGHT + lanesHeight + PAD_BOTTOM,
      };
    } else {
      size = { width: STEP_WIDTH, height: STEP_HEIGHT };
    }
    sizes.set(node.name, size);
    return size;
  };

  const layout: Layout = {
    trigger: { x: -STEP_WIDTH / 2, y: 0, height: triggerHeight },
    steps: [],
    containers: [],
    dropZones: [],
    edges: [],
    width: 0,
    height: 0,
  };

  const edge = (source: string, sourceHandle: string, target: string, targetHandle = "in") => {
    layout.edges.push({ id: `e:${source}:${sourceHandle}->${target}`, source, sourceHandle, target, targetHandle });
  };

  /** Places a lane whose column is centred on `centerX`, starting (first gap) at `top`. */
  const placeLane = (
    lane: StructureNode[],
    ref: LaneRef,
    centerX: number,
    top: number,
    anchor: { id: string; handle: string; name: string | null },
    depth: number,
  ) => {
    let y = top;
    let previous = anchor;
    lane.forEach((node, index) => {
      const zoneSlot: Slot = { ...ref, index };
      layout.dropZones.push({ kind: "dropzone", id: dropZoneId(zoneSlot), slot: zoneSlot, x: centerX, y: y + GAP / 2, after: previous.name });
      y += GAP;
      const size = sizes.get(node.name) ?? { width: STEP_WIDTH, height: STEP_HEIGHT };
      edge(previous.id, previous.handle, node.name);
      if (!isBoxed(node)) {
        layout.steps.push({ kind: "step", name: node.name, x: centerX - STEP_WIDTH / 2, y });
      } else {
        placeContainer(node, centerX, y, size, depth);
      }
      previous = { id: node.name, handle: "out", name: node.name };
      y += size.height;
    });
    const endSlot: Slot = { ...ref, index: lane.length };
    const end: LaidDropZone = { kind: "dropzone", id: dropZoneId(endSlot), slot: endSlot, x: centerX, y: y + GAP / 2, after: previous.name };
    layout.dropZones.push(end);
    edge(previous.id, previous.handle, end.id);
  };

  const placeContainer = (node: StructureNode, centerX: number, y: number, size: Size, depth: number) => {
    const container: LaidContainer = {
      kind: "container",
      name: node.name,
      type: node.type === "normal" ? "error" : node.type,
      x: centerX - size.width / 2,
      y,
      width: size.width,
      height: size.height,
      depth,
      lanes: [],
    };
    layout.containers.push(container);
    const headerBottom = y + PAD_TOP + STEP_HEIGHT;
    if (node.type === "loop") {
      const ref = { container: node.name, lane: LOOP_LANE };
      container.lanes.push({ ref, label: "Loop", centerX, labelY: headerBottom, width: size.width - 2 * PAD_X });
      placeLane(node.content?.[LOOP_LANE] ?? [], ref, centerX, headerBottom, { id: node.name, handle: "body", name: null }, depth + 1);
      return;
    }
    const lanes = laneOrder(node);
    const widths = lanes.map((lane) => {
      const children = node.content?.[lane] ?? [];
      return Math.max(STEP_WIDTH, ...children.map((child) => sizes.get(child.name)?.width ?? STEP_WIDTH));
    });
    const total = widths.reduce((sum, width) => sum + width, 0) + LANE_GAP * Math.max(0, lanes.length - 1);
    let left = centerX - total / 2;
    const labelY = headerBottom + LANE_LABEL_GAP;
    lanes.forEach((lane, index) => {
      const width = widths[index] ?? STEP_WIDTH;
      const laneCenter = left + width / 2;
      const ref = { container: node.name, lane };
      container.lanes.push({ ref, label: laneLabel(lane), centerX: laneCenter, labelY, width });
      const labelId = `lane:${node.name}:${lane}`;
      edge(node.name, "body", labelId, "in");
      placeLane(node.content?.[lane] ?? [], ref, laneCenter, labelY + LANE_LABEL_HEIGHT, { id: labelId, handle: "out", name: null }, depth + 1);
      left += width + LANE_GAP;
    });
  };

  for (const node of definition.steps_structure) measureNode(node);
  placeLane(definition.steps_structure, ROOT, 0, triggerHeight, { id: TRIGGER_NAME, handle: "out", name: TRIGGER_NAME }, 0);
  const rootSize = measureLane(definition.steps_structure);
  layout.width = rootSize.width;
  layout.height = triggerHeight + rootSize.height;
  return layout;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

/** Space kept around the workflow when the canvas opens. */
export const OPEN_MARGIN = 24;
/** Zooms the canvas opens at: no larger than life, and small text still readable. */
export const OPEN_MIN_ZOOM = 0.75;
export const OPEN_MAX_ZOOM = 1;

/**
 * The viewport a workflow opens at: as large as fits (between the readable and the natural zoom),
 * its top (the trigger) near the top of the pane, and clear of `corner`, the box an overlay (the
 * minimap) takes at the pane's bottom right. The workflow sits centred when that keeps it clear; or
 * centred in the width left of the overlay, or above it, whichever shows it larger. A workflow too
 * long to fit at the readable zoom opens at its top, to be scrolled down.
 */
export function openingViewport({ bounds, pane, corner }: { bounds: Box; pane: { width: number; height: number }; corner: { width: number; height: number } }): Viewport {
  const margin = OPEN_MARGIN;
  const zoomFor = (width: number, height: number) =>
    Math.min(OPEN_MAX_ZOOM, Math.max(OPEN_MIN_ZOOM, Math.min(width / bounds.width, height / bounds.height)));
  const place = (zoom: number, areaWidth: number): Viewport => ({
    x: Math.max(margin, (areaWidth - bounds.width * zoom) / 2) - bounds.x * zoom,
    y: margin - bounds.y * zoom,
    zoom,
  });
  const clearOfCorner = (view: Viewport) => {
    const right = view.x + (bounds.x + bounds.width) * view.zoom;
    const bottom = view.y + (bounds.y + bounds.height) * view.zoom;
    return right <= pane.width - corner.width || bottom <= pane.height - corner.height;
  };

  const centred = place(zoomFor(pane.width - 2 * margin, pane.height - 2 * margin), pane.width);
  if (clearOfCorner(centred)) return centred;
  const candidates = [
    place(zoomFor(pane.width - corner.width - 2 * margin, pane.height - 2 * margin), pane.width - corner.width),
    place(zoomFor(pane.width - 2 * margin, pane.height - corner.height - 2 * margin), pane.width),
  ].filter(clearOfCorner);
  return candidates.reduce<Viewport | undefined>((best, view) => (best === undefined || view.zoom > best.zoom ? view : best), undefined) ?? centred;
}
