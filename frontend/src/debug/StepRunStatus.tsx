import { Loader, Tooltip } from "@mantine/core";
import { IconAlertTriangle, IconCheck, IconClock, IconClockPause, IconPlayerSkipForward, IconPlayerStop, IconX } from "@tabler/icons-react";
import type { RunStatus } from "../api/types";
import type { CanvasStepState, CanvasStepStatus } from "./canvas-status";
import classes from "./debug.module.css";

export type AnyStatus = CanvasStepStatus | RunStatus;

const LABELS: Record<AnyStatus, string> = {
  queued: "Queued",
  running: "Running",
  waiting: "Waiting",
  succeeded: "Succeeded",
  continued: "Failed, continued",
  failed: "Failed",
  skipped: "Skipped",
  cancelled: "Cancelled",
};

export const STATUS_COLORS: Record<AnyStatus, string> = {
  queued: "gray",
  running: "blue",
  waiting: "violet",
  succeeded: "teal",
  continued: "orange",
  failed: "red",
  skipped: "gray",
  cancelled: "orange",
};

export function statusLabel(status: AnyStatus): string {
  return LABELS[status];
}

/** The icon of a status, in its colour (a spinner while running). */
export function StatusIcon({ status, size = 14 }: { status: AnyStatus; size?: number }) {
  switch (status) {
    case "running":
      return <Loader size={size - 2} color="blue" type="oval" aria-hidden />;
    case "succeeded":
      return <IconCheck size={size} stroke={2.6} aria-hidden />;
    case "failed":
      return <IconX size={size} stroke={2.6} aria-hidden />;
    case "continued":
      return <IconAlertTriangle size={size} stroke={2.4} aria-hidden />;
    case "queued":
      return <IconClock size={size} stroke={2.2} aria-hidden />;
    case "waiting":
      return <IconClockPause size={size} stroke={2.2} aria-hidden />;
    case "skipped":
      return <IconPlayerSkipForward size={size} stroke={2.2} aria-hidden />;
    case "cancelled":
      return <IconPlayerStop size={size} stroke={2.2} aria-hidden />;
  }
}

/** A round status mark: on a step card's corner, or before a run or a step run in the debug panel. */
export function StatusDot({ status, size = 20, className }: { status: AnyStatus; size?: number; className?: string }) {
  return (
    <span
      className={`${classes.statusDot} ${className ?? ""}`}
      data-status={status}
      role="img"
      aria-label={statusLabel(status)}
      style={{ width: size, height: size }}
    >
      <StatusIcon status={status} size={Math.round(size * 0.65)} />
    </span>
  );
}

/** The state of a step in the selected run, on its card's top-left corner. */
export function StepRunBadge({ state }: { state: CanvasStepState }) {
  const detail =
    state.status === "continued" && state.runs > 1
      ? ` (${(state.continued ?? 0).toLocaleString()} of ${state.runs.toLocaleString()} runs)`
      : state.runs > 1
        ? ` (${state.runs} runs)`
        : "";
  return (
    <Tooltip label={`${state.waiting ?? statusLabel(state.status)}${detail}`} withArrow position="top">
      <span className={classes.cardBadge}>
        <StatusDot status={state.status} />
      </span>
    </Tooltip>
  );
}

/** What the step a run is parked at waits for, beside its card: "Waiting until 15:04:12 (rate limited by Slack)". */
export function StepRunWaiting({ name, text }: { name: string; text: string }) {
  return (
    <div className={`${classes.cardError} ${classes.cardWaiting}`} role="status" aria-label={`${name}: ${text}`} title={text}>
      <IconClockPause size={13} stroke={2.4} aria-hidden className={classes.cardErrorIcon} />
      <span className={classes.cardErrorText}>{text}</span>
    </div>
  );
}

/** The error a continued step failed with, beside its card: the run went on. */
export function StepRunContinued({ name, error, count }: { name: string; error: string; count: number }) {
  const text = count > 1 ? `${count.toLocaleString()}× failed, continued: ${error}` : `Continued: ${error}`;
  return (
    <div className={`${classes.cardError} ${classes.cardContinued}`} role="status" aria-label={`${name} failed and continued: ${error}`} title={text}>
      <IconAlertTriangle size={13} stroke={2.4} aria-hidden className={classes.cardErrorIcon} />
      <span className={classes.cardErrorText}>{text}</span>
    </div>
  );
}

/** The error of a failed step, beside its card. */
export function StepRunError({ name, error }: { name: string; error: string }) {
  return (
    <div className={classes.cardError} role="alert" aria-label={`${name} failed: ${error}`} title={error}>
      <IconX size={13} stroke={2.6} aria-hidden className={classes.cardErrorIcon} />
      <span className={classes.cardErrorText}>{error}</span>
    </div>
  );
}
