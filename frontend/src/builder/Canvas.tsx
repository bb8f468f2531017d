import {
  Background,
  BackgroundVariant,
  ControlButton,
  Controls,
  type Edge,
  MiniMap,
  ReactFlow,
  type ReactFlowInstance,
  useReactFlow,
} from "@xyflow/react";
import { notifications } from "@mantine/notifications";
import { IconMap, IconMapOff } from "@tabler/icons-react";
import { useCallback, useEffect, useMemo, useState, type DragEvent } from "react";
import type { StructureNode } from "../api/types";
import {
  computeLayout,
  DROP_ZONE_SIZE,
  LANE_LABEL_HEIGHT,
  type Layout,
  laneLabel,
  openingViewport,
  STEP_HEIGHT,
  STEP_WIDTH,
} from "../definition/layout";
import { TRIGGER_NAME, type Slot } from "../definition/structure";
import { appStore, useAppStore } from "../store";
import { triggerCardHeight } from "../triggers/triggers";
import { useDropOnSlot } from "./drop";
import { type CanvasNode, nodeTypes } from "./nodes";

function dropZoneLabel(slot: Slot, after: string | null): string {
  if (after !== null) return `Add step after ${after}`;
  if (slot.container === null) return "Add the first step";
  if (slot.lane === "_loop") return `Add step at the start of ${slot.container}`;
  return `Add step at the start of the ${laneLabel(slot.lane)} lane of ${slot.container}`;
}

export function toFlow(layout: Layout): { nodes: CanvasNode[]; edges: Edge[] } {
  const nodes: CanvasNode[] = [
    {
      id: TRIGGER_NAME,
      type: "step",
      position: { x: layout.trigger.x, y: layout.trigger.y },
      data: { name: TRIGGER_NAME },
      width: STEP_WIDTH,
      height: layout.trigger.height,
      zIndex: 10,
    },
  ];
  for (const container of layout.containers) {
    nodes.push({
      id: container.name,
      type: "container",
      position: { x: container.x, y: container.y },
      data: { container },
      width: container.width,
      height: container.height,
      zIndex: container.depth,
    });
    if (container.type !== "loop") {
      for (const lane of container.lanes) {
        nodes.push({
          id: `lane:${container.name}:${lane.ref.lane}`,
          type: "lane",
          position: { x: lane.centerX - 40, y: lane.labelY },
          data: { label: lane.label, lane: lane.ref.lane },
          width: 80,
          height: LANE_LABEL_HEIGHT,
          style: { display: "flex", justifyContent: "center" },
          zIndex: 10,
        });
      }
    }
  }
  for (const step of layout.steps) {
    nodes.push({
      id: step.name,
      type: "step",
      position: { x: step.x, y: step.y },
      data: { name: step.name },
      width: STEP_WIDTH,
      height: STEP_HEIGHT,
      zIndex: 10,
    });
  }
  for (const zone of layout.dropZones) {
    nodes.push({
      id: zone.id,
      type: "dropzone",
      position: { x: zone.x - DROP_ZONE_SIZE / 2, y: zone.y - DROP_ZONE_SIZE / 2 },
      data: { zone, label: dropZoneLabel(zone.slot, zone.after) },
      width: DROP_ZONE_SIZE,
      height: DROP_ZONE_SIZE,
      zIndex: 20,
    });
  }
  const edges: Edge[] = layout.edges.map((edge) => ({
    id: edge.id,
    source: edge.source,
    sourceHandle: edge.sourceHandle,
    target: edge.target,
    targetHandle: edge.targetHandle,
    type: "smoothstep",
    pathOptions: { offset: 12, borderRadius: 10 },
    focusable: false,
    selectable: false,
    zIndex: 5,
  }));
  return { nodes, edges };
}

const EMPTY_STRUCTURE: StructureNode[] = [];

/** The minimap, at the pane's bottom right, and React Flow's margin around its panels. */
const MINIMAP = { width: 150, height: 100 };
const PANEL_MARGIN = 15;
const MINIMAP_SHOWN_KEY = "flowbuilder:minimap";

function minimapShownAtFirst(): boolean {
  try {
    return window.localStorage.getItem(MINIMAP_SHOWN_KEY) !== "hidden";
  } catch {
    return true;
  }
}

export function Canvas({ onReady }: { onReady?: () => void }) {
  const structure = useAppStore((state) => state.definition?.steps_structure ?? EMPTY_STRUCTURE);
  const triggerHeight = useAppStore((state) => triggerCardHeight(state.definition?.trigger.connector));
  const { nodes, edges } = useMemo(
    () =>
      toFlow(
        computeLayout({ trigger: { connector: "", operation: "", properties: {} }, steps_structure: structure, steps: {} }, triggerHeight),
      ),
    [structure, triggerHeight],
  );
  const drop = useDropOnSlot();
  const { screenToFlowPosition, getViewport, setCenter, setViewport } = useReactFlow();
  const selected = useAppStore((state) => state.selectedStep);

  // Bring a newly selected step (just added, or picked from the keyboard) into view.
  useEffect(() => {
    if (selected === null) return;
    const node = nodes.find((candidate) => candidate.id === selected);
    const pane = document.querySelector(".react-flow")?.getBoundingClientRect();
    if (node === undefined || pane === undefined) return;
    const { x, y, zoom } = getViewport();
    const width = node.width ?? STEP_WIDTH;
    const left = node.position.x * zoom + x;
    const top = node.position.y * zoom + y;
    const visible = left >= 0 && top >= 0 && left + width * zoom <= pane.width && top + STEP_HEIGHT * zoom <= pane.height;
    if (!visible) {
      void setCenter(node.position.x + width / 2, node.position.y + STEP_HEIGHT / 2, { zoom, duration: 250 });
    }
  }, [selected, nodes, getViewport, setCenter]);

  // The canvas narrows when the debug panel opens: keep what was in the middle there.
  useEffect(() => {
    const pane = document.querySelector(".react-flow");
    if (pane === null) return;
    let width = pane.getBoundingClientRect().width;
    const observer = new ResizeObserver(() => {
      const next = pane.getBoundingClientRect().width;
      if (next === width || width === 0) {
        width = next;
        return;
      }
      const { x, y, zoom } = getViewport();
      void setViewport({ x: x + (next - width) / 2, y, zoom });
      width = next;
    });
    observer.observe(pane);
    return () => observer.disconnect();
  }, [getViewport, setViewport]);

  // A failed or waiting run: bring the step it failed or waits at, and the note beside it, into view.
  const spotlightStep = useAppStore((state) => state.spotlightStep);
  useEffect(() => {
    if (spotlightStep === null) return;
    const node = nodes.find((candidate) => candidate.id === spotlightStep);
    const pane = document.querySelector(".react-flow")?.getBoundingClientRect();
    if (node === undefined || pane === undefined) return;
    const { x, y, zoom } = getViewport();
    const errorWidth = 240;
    const left = node.position.x * zoom + x;
    const top = node.position.y * zoom + y;
    const width = ((node.width ?? STEP_WIDTH) + errorWidth) * zoom;
    if (left >= 0 && top >= 0 && left + width <= pane.width && top + STEP_HEIGHT * zoom <= pane.height) return;
    // Slide sideways (and down or up only if the step is out of sight), keeping the zoom when it fits.
    const scale = Math.max(0.5, Math.min(zoom, (pane.width - 48) / ((node.width ?? STEP_WIDTH) + errorWidth)));
    const shownLeft = node.position.x * scale + x * (scale / zoom);
    const shownWidth = ((node.width ?? STEP_WIDTH) + errorWidth) * scale;
    let nextX = x * (scale / zoom);
    if (shownLeft + shownWidth > pane.width - 24) nextX -= shownLeft + shownWidth - (pane.width - 24);
    if (node.position.x * scale + nextX < 24) nextX = 24 - node.position.x * scale;
    const shownTop = node.position.y * scale + y * (scale / zoom);
    const nextY =
      shownTop < 0 || shownTop + STEP_HEIGHT * scale > pane.height ? pane.height / 2 - (node.position.y + STEP_HEIGHT / 2) * scale : y * (scale / zoom);
    void setViewport({ x: nextX, y: nextY, zoom: scale }, { duration: 300 });
  }, [spotlightStep, nodes, getViewport, setViewport]);

  // A drop beside the zones lands on the nearest one, when it is close enough.
  const onDragOver = useCallback((event: DragEvent) => {
    if (appStore.getState().dragging !== null) {
      event.preventDefault();
    }
  }, []);
  const onDrop = useCallback(
    (event: DragEvent) => {
      event.preventDefault();
      if (appStore.getState().dragging === null && event.dataTransfer.types.length === 0) return;
      const point = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      let best: { slot: Slot; distance: number } | null = null;
      for (const node of nodes) {
        if (node.type !== "dropzone") continue;
        const distance = Math.hypot(node.data.zone.x - point.x, node.data.zone.y - point.y);
        if (best === null || distance < best.distance) best = { slot: node.data.zone.slot, distance };
      }
      if (best !== null && best.distance < 90) {
        drop(event, best.slot);
      } else {
        appStore.getState().setDragging(null);
        notifications.show({
          color: "gray",
          title: "Not added",
          message: "Drop on a + between two steps, or inside a loop or a lane.",
        });
      }
    },
    [nodes, drop, screenToFlowPosition],
  );

  const [minimapShown, setMinimapShown] = useState(minimapShownAtFirst);
  const toggleMinimap = () => {
    setMinimapShown((shown) => {
      try {
        window.localStorage.setItem(MINIMAP_SHOWN_KEY, shown ? "hidden" : "shown");
      } catch {
        // Private mode: the choice lasts this visit.
      }
      return !shown;
    });
  };

  const onInit = useCallback(
    (instance: ReactFlowInstance<CanvasNode, Edge>) => {
      // Top-aligned at a readable zoom, clear of the minimap; a long workflow is scrolled from the top.
      const bounds = instance.getNodesBounds(instance.getNodes());
      const pane = document.querySelector(".react-flow")?.getBoundingClientRect();
      if (pane !== undefined && pane.width > 0 && pane.height > 0) {
        const corner = minimapShownAtFirst()
          ? { width: MINIMAP.width + 2 * PANEL_MARGIN, height: MINIMAP.height + 2 * PANEL_MARGIN }
          : { width: 0, height: 0 };
        void instance.setViewport(openingViewport({ bounds, pane, corner }));
      }
      onReady?.();
    },
    [onReady],
  );

  return (
    <ReactFlow<CanvasNode, Edge>
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      onInit={onInit}
      nodesDraggable={false}
      nodesConnectable={false}
      elementsSelectable={false}
      nodesFocusable={false}
      edgesFocusable={false}
      panOnScroll
      zoomOnDoubleClick={false}
      minZoom={0.2}
      maxZoom={1.5}
      onDragOver={onDragOver}
      onDrop={onDrop}
      onPaneClick={() => {
        appStore.getState().selectStep(null);
        appStore.getState().inspectStep(null);
      }}
      proOptions={{ hideAttribution: true }}
      aria-label="Workflow canvas"
    >
      <Background variant={BackgroundVariant.Dots} gap={18} size={1.2} color="var(--mantine-color-gray-4)" />
      <Controls showInteractive={false} position="bottom-left">
        <ControlButton
          onClick={toggleMinimap}
          aria-label={minimapShown ? "Hide the overview" : "Show the overview"}
          title={minimapShown ? "Hide the overview" : "Show the overview"}
        >
          {/* React Flow fills its control icons; Tabler's are drawn with strokes. */}
          {minimapShown ? (
            <IconMapOff size={14} style={{ fill: "none" }} aria-hidden />
          ) : (
            <IconMap size={14} style={{ fill: "none" }} aria-hidden />
          )}
        </ControlButton>
      </Controls>
      {minimapShown && (
        <MiniMap
          position="bottom-right"
          style={MINIMAP}
          pannable
          zoomable
          nodeColor={(node) =>
            node.type === "container" ? "rgba(99,102,241,0.12)" : node.type === "dropzone" ? "transparent" : "#c7d2fe"
          }
          nodeStrokeColor={(node) => (node.type === "container" ? "#a5b4fc" : "transparent")}
          ariaLabel="Workflow overview"
        />
      )}
    </ReactFlow>
  );
}
