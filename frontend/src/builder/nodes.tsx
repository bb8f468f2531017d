import { Handle, type Node, type NodeProps, Position } from "@xyflow/react";
import { IconPlus } from "@tabler/icons-react";
import { memo, useState, type DragEvent } from "react";
import type { LaidContainer, LaidDropZone } from "../definition/layout";
import { STEP_HEIGHT } from "../definition/layout";
import { isInside } from "../definition/structure";
import { appStore, useAppStore } from "../store";
import { StepCard } from "./StepCard";
import { useDropOnSlot } from "./drop";
import classes from "./builder.module.css";

function Handles({ body = false }: { body?: boolean }) {
  return (
    <>
      <Handle type="target" position={Position.Top} id="in" className={classes.handle} isConnectable={false} />
      <Handle type="source" position={Position.Bottom} id="out" className={classes.handle} isConnectable={false} />
      {body && (
        <Handle
          type="source"
          position={Position.Bottom}
          id="body"
          className={classes.handle}
          isConnectable={false}
          style={{ top: 14 + STEP_HEIGHT, bottom: "auto" }}
        />
      )}
    </>
  );
}

export type StepNode = Node<{ name: string }, "step">;
export type ContainerNode = Node<{ container: LaidContainer }, "container">;
export type LaneNode = Node<{ label: string; lane: string }, "lane">;
export type DropZoneNode = Node<{ zone: LaidDropZone; label: string }, "dropzone">;
export type CanvasNode = StepNode | ContainerNode | LaneNode | DropZoneNode;

export const StepNodeView = memo(function StepNodeView({ data }: NodeProps<StepNode>) {
  return (
    <>
      <Handles />
      <StepCard name={data.name} />
    </>
  );
});

export const ContainerNodeView = memo(function ContainerNodeView({ data }: NodeProps<ContainerNode>) {
  const { container } = data;
  return (
    <div
      className={classes.container}
      data-type={container.type}
      style={{ width: container.width, height: container.height }}
    >
      <Handles body />
      <div className={classes.containerHeader}>
        <StepCard name={container.name} />
      </div>
    </div>
  );
});

export const LaneNodeView = memo(function LaneNodeView({ data }: NodeProps<LaneNode>) {
  return (
    <>
      <Handle type="target" position={Position.Top} id="in" className={classes.handle} isConnectable={false} />
      <div className={classes.laneLabel} data-lane={data.lane}>
        {data.label}
      </div>
      <Handle type="source" position={Position.Bottom} id="out" className={classes.handle} isConnectable={false} />
    </>
  );
});

export const DropZoneNodeView = memo(function DropZoneNodeView({ data }: NodeProps<DropZoneNode>) {
  const { zone, label } = data;
  const dragging = useAppStore((state) => state.dragging);
  const openPicker = useAppStore((state) => state.openPicker);
  const [over, setOver] = useState(false);
  const drop = useDropOnSlot();
  // A step cannot be dropped into itself.
  const accepts =
    dragging !== null &&
    !(dragging.kind === "step" && appStore.getState().definition !== null && isInside(appStore.getState().definition!, zone.slot, dragging.name));
  const onDragOver = (event: DragEvent) => {
    if (!accepts) return;
    event.preventDefault();
    event.stopPropagation();
    event.dataTransfer.dropEffect = dragging?.kind === "step" ? "move" : "copy";
    if (!over) setOver(true);
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    event.stopPropagation();
    setOver(false);
    drop(event, zone.slot);
  };
  return (
    <div className={`${classes.dropZone} nopan nodrag`} data-drop-zone={zone.id}>
      <Handle type="target" position={Position.Top} id="in" className={classes.handle} isConnectable={false} />
      <button
        type="button"
        className={classes.dropTarget}
        data-active={accepts}
        data-over={accepts && over}
        aria-label={label}
        title={label}
        onClick={() => openPicker(zone.slot)}
        onDragOver={onDragOver}
        onDragEnter={onDragOver}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <IconPlus size={accepts ? 16 : 14} stroke={2.2} aria-hidden />
        {accepts && <span>Drop here</span>}
      </button>
    </div>
  );
});

export const nodeTypes = {
  step: StepNodeView,
  container: ContainerNodeView,
  lane: LaneNodeView,
  dropzone: DropZoneNodeView,
};
