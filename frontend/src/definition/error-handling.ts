/**
 * A step's error handling (`steps.<name>.error_handling`): what a failure means (stop, continue,
 * or take the step's error lane) and how often to retry first. The error lane lives in the
 * step's node in `steps_structure` as `content: {"_error": [...]}`; its success path is what
 * follows the step.
 */
import type { ErrorHandling, ErrorMode, OperationKind, RetrySettings, StructureNode, WorkflowDefinition } from "../api/types";
import { findNode, namesIn } from "./structure";

export const ERROR_LANE = "_error";
export const MAX_ATTEMPTS = 10;
export const DEFAULT_DELAY_SECONDS = 1;
export const DEFAULT_MAX_DELAY_SECONDS = 60;

export const ERROR_MODES: readonly { value: ErrorMode; label: string; description: string }[] = [
  { value: "stop", label: "Stop", description: "A failure stops the run, which fails naming this step." },
  {
    value: "continue",
    label: "Continue",
    description: "The run goes on; the step's output is its error ($.steps.<name>.error.message), and the run still succeeds.",
  },
  {
    value: "error_lane",
    label: "Error lane",
    description: "A failure runs the steps of the step's “On failure” lane, which can read the error; then the run goes on.",
  },
];

/** Flow steps (loops, branches, Break and Continue loop, Terminate) and triggers cannot take error handling. */
export function acceptsErrorHandling(kind: OperationKind | string | undefined, connector?: string): boolean {
  if (connector === "terminate") return false;
  return kind === "action";
}

/** The step's settings, with absent meaning stop and no retry. */
export function errorHandlingOf(step: { error_handling?: ErrorHandling } | undefined): ErrorHandling {
  return step?.error_handling ?? { mode: "stop" };
}

export function defaultRetry(): RetrySettings {
  return { attempts: 3, backoff: "exponential", delay_seconds: DEFAULT_DELAY_SECONDS, max_delay_seconds: DEFAULT_MAX_DELAY_SECONDS };
}

/** The steps inside a step's error lane (the step itself not included). */
export function errorLaneSteps(definition: WorkflowDefinition, name: string): string[] {
  const lane = findNode(definition, name)?.node.content?.[ERROR_LANE] ?? [];
  return lane.flatMap(namesIn);
}

function withNodeContent(definition: WorkflowDefinition, name: string, update: (node: StructureNode) => StructureNode): WorkflowDefinition {
  let changed = false;
  const rewrite = (lane: StructureNode[]): StructureNode[] =>
    lane.map((node) => {
      if (node.name === name) {
        const next = update(node);
        if (next !== node) changed = true;
        return next;
      }
      if (node.content === undefined) return node;
      return { ...node, content: Object.fromEntries(Object.entries(node.content).map(([key, children]) => [key, rewrite(children)])) };
    });
  const steps_structure = rewrite(definition.steps_structure);
  return changed ? { ...definition, steps_structure } : definition;
}

/**
 * Sets a step's error handling. Stop with no retry removes the setting (absent is the default).
 * Error lane gives the node an empty `_error` lane (keeping one it has); any other mode removes
 * the lane and the steps in it.
 */
export function setErrorHandling(definition: WorkflowDefinition, name: string, handling: ErrorHandling): WorkflowDefinition {
  const step = definition.steps[name];
  if (step === undefined) return definition;
  const { error_handling: _previous, ...rest } = step;
  const keep = handling.mode !== "stop" || handling.retry !== undefined;
  let steps: WorkflowDefinition["steps"] = { ...definition.steps, [name]: keep ? { ...rest, error_handling: handling } : rest };
  let updated: WorkflowDefinition = { ...definition, steps };
  if (handling.mode === "error_lane") {
    updated = withNodeContent(updated, name, (node) =>
      node.content?.[ERROR_LANE] !== undefined ? node : { ...node, content: { ...(node.content ?? {}), [ERROR_LANE]: [] } },
    );
  } else {
    const removed = new Set(errorLaneSteps(definition, name));
    updated = withNodeContent(updated, name, (node) => {
      if (node.content?.[ERROR_LANE] === undefined) return node;
      const { [ERROR_LANE]: _lane, ...others } = node.content;
      const { content: _content, ...bare } = node;
      return Object.keys(others).length === 0 ? bare : { ...bare, content: others };
    });
    if (removed.size > 0) {
      steps = Object.fromEntries(Object.entries(updated.steps).filter(([stepName]) => !removed.has(stepName)));
      updated = { ...updated, steps };
    }
  }
  return updated;
}

/** "Retries up to 2 times, waiting 1 s then doubling (at most 60 s)" — the retry line under the fields. */
export function describeRetry(retry: RetrySettings | undefined): string {
  if (retry === undefined || retry.attempts <= 1) return "No retry: the first failure counts.";
  const retries = retry.attempts - 1;
  const delay = retry.delay_seconds ?? DEFAULT_DELAY_SECONDS;
  const times = retries === 1 ? "once" : `up to ${retries} times`;
  if (retry.backoff === "fixed") return `Retries ${times}, waiting ${formatSeconds(delay)} between tries.`;
  const cap = retry.max_delay_seconds ?? DEFAULT_MAX_DELAY_SECONDS;
  return `Retries ${times}, waiting ${formatSeconds(delay)} then doubling (at most ${formatSeconds(cap)}).`;
}

function formatSeconds(seconds: number): string {
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}
