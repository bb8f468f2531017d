import { ActionIcon, Menu, Tooltip } from "@mantine/core";
import {
  IconArrowDown,
  IconArrowUp,
  IconCopy,
  IconDots,
  IconExclamationMark,
  IconPencil,
  IconTrash,
} from "@tabler/icons-react";
import { memo, type DragEvent, type KeyboardEvent } from "react";
import { appStore, useAppStore } from "../store";
import { errorStillApplies } from "../store/save-slice";
import { findNode, TRIGGER_NAME, stepOf } from "../definition/structure";
import { stepIssues } from "../definition/issues";
import { STEP_HEIGHT } from "../definition/layout";
import { useCatalogue, stepTitle } from "./catalogue-context";
import { StepRunBadge, StepRunContinued, StepRunError, StepRunWaiting, statusLabel } from "../debug/StepRunStatus";
import { TriggerCardDetails } from "../triggers/TriggerDetails";
import { triggerCardHeight } from "../triggers/triggers";
import classes from "./builder.module.css";

export const STEP_DRAG_TYPE = "application/x-flowbuilder-step";

/** The generic node of every step (and the trigger): icon, title, name, red mark, actions. */
export const StepCard = memo(function StepCard({ name }: { name: string }) {
  const catalogue = useCatalogue();
  const step = useAppStore((state) => (state.definition === null ? undefined : stepOf(state.definition, name)));
  const selected = useAppStore((state) => state.selectedStep === name);
  const beingDragged = useAppStore((state) => state.dragging?.kind === "step" && state.dragging.name === name);
  // The server's problems with this step (a saved draft's, or a refusal's) not edited since, as
  // one string: a selector must return the same value while nothing changed.
  const serverMessages = useAppStore((state) => {
    const base = name === TRIGGER_NAME ? TRIGGER_NAME : `steps.${name}`;
    return state.serverErrors
      .filter(
        (error) =>
          (error.path === base || error.path.startsWith(`${base}.`)) && errorStillApplies(error, state.refusedDefinition, state.definition),
      )
      .map((error) => `${error.path}\t${error.message}`)
      .join("\n");
  });
  const runState = useAppStore((state) => state.stepStates[name]);
  const selectInPanel = useAppStore((state) => state.selectStep);
  const setDebugOpen = useAppStore((state) => state.setDebugOpen);
  // A step picked on the canvas while a run is selected shows its data in that run (its
  // properties a click away in the debug panel); otherwise its properties, in place of the panel.
  const selectStep = (step: string) => {
    const { debugOpen, activeRunId, inspectStep } = appStore.getState();
    if (debugOpen && activeRunId !== null) {
      inspectStep(step);
      return;
    }
    selectInPanel(step);
    setDebugOpen(false);
  };
  const setDragging = useAppStore((state) => state.setDragging);

  const connector = step === undefined ? undefined : catalogue.get(step.connector);
  const isTrigger = name === TRIGGER_NAME;
  // The trigger card grows to show its details (webhook URL, schedule, callable input).
  const height = isTrigger ? triggerCardHeight(step?.connector) : undefined;
  const title = isTrigger ? (connector?.title ?? "Trigger") : stepTitle(step, connector);
  // The server's problems, then what the client tells at once (a required field left empty).
  const fromServer = serverMessages === "" ? [] : serverMessages.split("\n").map((line) => line.split("\t") as [string, string]);
  const local = step === undefined ? [] : stepIssues(name, step, connector).filter((issue) => !fromServer.some(([path]) => path === issue.path));
  const problems = [...fromServer.map(([, message]) => message), ...local.map((issue) => issue.message)];
  const problem = problems.length === 0 ? undefined : problems.join("; ");

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.target === event.currentTarget && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      selectStep(name);
    }
  };

  const onDragStart = (event: DragEvent) => {
    event.dataTransfer.setData(STEP_DRAG_TYPE, name);
    event.dataTransfer.effectAllowed = "move";
    setDragging({ kind: "step", name });
  };

  return (
    <div
      className={`${classes.card} nopan nodrag`}
      data-step-name={name}
      data-selected={selected}
      data-invalid={problem !== undefined}
      data-problems={problems.length}
      data-dragging={beingDragged}
      data-run-status={runState?.status}
      data-details={height !== undefined && height !== STEP_HEIGHT}
      style={height !== undefined && height !== STEP_HEIGHT ? { height } : undefined}
      role="button"
      tabIndex={0}
      aria-pressed={selected}
      aria-label={`${title} (${name})${problem === undefined ? "" : `: ${problem}`}${runState === undefined ? "" : `, ${runState.waiting ?? statusLabel(runState.status)}`}`}
      draggable={!isTrigger}
      onDragStart={isTrigger ? undefined : onDragStart}
      onDragEnd={() => setDragging(null)}
      onClick={() => selectStep(name)}
      onKeyDown={onKeyDown}
    >
      <div className={classes.icon}>
        {connector !== undefined && <img src={connector.icon_url} alt="" draggable={false} />}
      </div>
      <div className={classes.cardText}>
        <div className={classes.cardTitle} title={title}>
          {title}
        </div>
        <div className={classes.cardName}>
          {name}
          {runState?.progress !== undefined && (
            <span className={classes.loopProgress} aria-label={`Loop progress ${runState.progress.done} of ${runState.progress.count}`}>
              {runState.progress.done.toLocaleString()} / {runState.progress.count.toLocaleString()}
            </span>
          )}
        </div>
      </div>
      {runState?.progress !== undefined && runState.progress.count > 0 && (
        <div className={classes.progressTrack} aria-hidden>
          <div
            className={classes.progressBar}
            data-status={runState.status}
            style={{ width: `${Math.min(100, (100 * runState.progress.done) / runState.progress.count)}%` }}
          />
        </div>
      )}
      {runState !== undefined && <StepRunBadge state={runState} />}
      {runState?.status === "failed" && runState.error !== undefined && <StepRunError name={name} error={runState.error} />}
      {runState?.status === "waiting" && runState.waiting !== undefined && <StepRunWaiting name={name} text={runState.waiting} />}
      {runState?.status === "continued" && runState.error !== undefined && (
        <StepRunContinued name={name} error={runState.error} count={runState.continued ?? 1} />
      )}
      {!isTrigger && <StepMenu name={name} title={title} />}
      {isTrigger && <TriggerCardDetails />}
      {problem !== undefined && (
        <Tooltip
          label={
            problems.length === 1 ? (
              problem
            ) : (
              <ul className={classes.problemTooltip}>
                {problems.map((message) => (
                  <li key={message}>{message}</li>
                ))}
              </ul>
            )
          }
          withArrow
          position="top"
          multiline
          maw={300}
        >
          <span className={classes.redMark} role="img" aria-label={`Needs attention: ${problem}`} data-count={problems.length}>
            {problems.length > 1 ? problems.length : <IconExclamationMark size={13} stroke={3} aria-hidden />}
          </span>
        </Tooltip>
      )}
    </div>
  );
});

function StepMenu({ name, title }: { name: string; title: string }) {
  const selectStep = useAppStore((state) => state.selectStep);
  const requestTitleFocus = useAppStore((state) => state.requestTitleFocus);
  const duplicateStep = useAppStore((state) => state.duplicateStep);
  const shiftStep = useAppStore((state) => state.shiftStep);
  const requestDelete = useRequestDelete();
  return (
    <Menu position="bottom-end" withinPortal shadow="md" width={190}>
      <Menu.Target>
        <ActionIcon
          variant="subtle"
          color="gray"
          size="sm"
          aria-label={`Actions for ${name}`}
          onClick={(event) => event.stopPropagation()}
          onKeyDown={(event) => event.stopPropagation()}
        >
          <IconDots size={16} aria-hidden />
        </ActionIcon>
      </Menu.Target>
      <Menu.Dropdown onClick={(event) => event.stopPropagation()}>
        <Menu.Label>{title}</Menu.Label>
        <Menu.Item
          leftSection={<IconPencil size={15} />}
          onClick={() => {
            selectStep(name, "properties");
            requestTitleFocus(name);
          }}
        >
          Rename
        </Menu.Item>
        <Menu.Item leftSection={<IconCopy size={15} />} onClick={() => duplicateStep(name)}>
          Duplicate
        </Menu.Item>
        <Menu.Item leftSection={<IconArrowUp size={15} />} onClick={() => shiftStep(name, -1)}>
          Move up
        </Menu.Item>
        <Menu.Item leftSection={<IconArrowDown size={15} />} onClick={() => shiftStep(name, 1)}>
          Move down
        </Menu.Item>
        <Menu.Divider />
        <Menu.Item color="red" leftSection={<IconTrash size={15} />} onClick={() => requestDelete(name)}>
          Delete
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

/** Deletes a step at once, or asks first when it is a container (a loop or a branch). */
export function useRequestDelete(): (name: string) => void {
  const removeStep = useAppStore((state) => state.removeStep);
  const confirmDelete = useAppStore((state) => state.confirmDelete);
  return (name: string) => {
    const definition = appStore.getState().definition;
    if (definition === null) return;
    if (findNode(definition, name)?.node.content !== undefined) {
      confirmDelete(name);
    } else {
      removeStep(name);
    }
  };
}
