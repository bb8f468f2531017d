import { Button, Group, Modal, NumberInput, SegmentedControl, Stack, Switch, Text } from "@mantine/core";
import { useState } from "react";
import type { ErrorHandling, ErrorMode, FieldError, RetrySettings, StepDefinition } from "../api/types";
import {
  DEFAULT_DELAY_SECONDS,
  DEFAULT_MAX_DELAY_SECONDS,
  defaultRetry,
  describeRetry,
  ERROR_MODES,
  errorHandlingOf,
  errorLaneSteps,
  MAX_ATTEMPTS,
} from "../definition/error-handling";
import { appStore, useAppStore } from "../store";

function errorAt(errors: readonly FieldError[], path: string): string | undefined {
  return errors.find((error) => error.path === path)?.message;
}

/** The "Error handling" section of an action step's properties: mode and retry. */
export function ErrorHandlingSection({ name, step, errors }: { name: string; step: StepDefinition; errors: readonly FieldError[] }) {
  const setErrorHandling = useAppStore((state) => state.setErrorHandling);
  const handling = errorHandlingOf(step);
  const [pending, setPending] = useState<{ mode: ErrorMode; steps: string[] } | null>(null);
  const base = `steps.${name}.error_handling`;
  const mode = ERROR_MODES.find((candidate) => candidate.value === handling.mode) ?? ERROR_MODES[0]!;

  const apply = (next: ErrorHandling) => setErrorHandling(name, next);
  const chooseMode = (value: string) => {
    const next = value as ErrorMode;
    if (next === handling.mode) return;
    const definition = appStore.getState().definition;
    const inLane = handling.mode === "error_lane" && definition !== null ? errorLaneSteps(definition, name) : [];
    if (inLane.length > 0) {
      setPending({ mode: next, steps: inLane });
      return;
    }
    apply({ ...handling, mode: next });
  };
  const setRetry = (retry: RetrySettings | undefined) => {
    const { retry: _previous, ...rest } = handling;
    apply(retry === undefined ? rest : { ...rest, retry });
  };
  const retry = handling.retry;

  return (
    <Stack gap="sm" role="group" aria-label="Error handling" pt="sm" style={{ borderTop: "1px solid var(--mantine-color-gray-2)" }}>
      <Text fw={650} fz="sm">
        Error handling
      </Text>
      <Stack gap={4}>
        <Text fz="sm" fw={500} id={`${name}-error-mode`}>
          When this step fails
        </Text>
        <SegmentedControl
          aria-labelledby={`${name}-error-mode`}
          size="xs"
          fullWidth
          value={mode.value}
          onChange={chooseMode}
          data={ERROR_MODES.map((candidate) => ({ value: candidate.value, label: candidate.label }))}
        />
        <Text fz="xs" c="dimmed" data-testid="error-mode-description">
          {mode.description.replace("<name>", name)}
        </Text>
        {errorAt(errors, `${base}.mode`) !== undefined && (
          <Text fz="xs" c="red">
            {errorAt(errors, `${base}.mode`)}
          </Text>
        )}
      </Stack>
      <Switch
        label="Retry before giving up"
        checked={retry !== undefined}
        onChange={(event) => setRetry(event.currentTarget.checked ? defaultRetry() : undefined)}
      />
      {retry !== undefined && (
        <Stack gap="xs" pl="md">
          <Group grow align="flex-start">
            <NumberInput
              size="xs"
              label="Attempts"
              description="Tries in all, the first included"
              min={1}
              max={MAX_ATTEMPTS}
              clampBehavior="strict"
              allowDecimal={false}
              value={retry.attempts}
              onChange={(value) => setRetry({ ...retry, attempts: typeof value === "number" ? value : 1 })}
              error={errorAt(errors, `${base}.retry.attempts`)}
            />
            <Stack gap={4}>
              <Text fz="xs" fw={500}>
                Backoff
              </Text>
              <SegmentedControl
                size="xs"
                aria-label="Backoff"
                value={retry.backoff}
                onChange={(value) => setRetry({ ...retry, backoff: value === "fixed" ? "fixed" : "exponential" })}
                data={[
                  { value: "fixed", label: "Fixed" },
                  { value: "exponential", label: "Exponential" },
                ]}
              />
            </Stack>
          </Group>
          <Group grow align="flex-start">
            <NumberInput
              size="xs"
              label="Delay (s)"
              min={0}
              value={retry.delay_seconds ?? DEFAULT_DELAY_SECONDS}
              onChange={(value) => setRetry({ ...retry, delay_seconds: typeof value === "number" ? value : DEFAULT_DELAY_SECONDS })}
              error={errorAt(errors, `${base}.retry.delay_seconds`)}
            />
            {retry.backoff === "exponential" && (
              <NumberInput
                size="xs"
                label="Max delay (s)"
                min={0}
                value={retry.max_delay_seconds ?? DEFAULT_MAX_DELAY_SECONDS}
                onChange={(value) =>
                  setRetry({ ...retry, max_delay_seconds: typeof value === "number" ? value : DEFAULT_MAX_DELAY_SECONDS })
                }
                error={errorAt(errors, `${base}.retry.max_delay_seconds`)}
              />
            )}
          </Group>
          <Text fz="xs" c="dimmed">
            {describeRetry(retry)}
          </Text>
        </Stack>
      )}
      <Modal opened={pending !== null} onClose={() => setPending(null)} title="Remove the error lane?" centered>
        <Stack gap="md">
          <Text fz="sm">
            The “On failure” lane of {name} holds {pending?.steps.length === 1 ? "1 step" : `${pending?.steps.length ?? 0} steps`} (
            {pending?.steps.join(", ")}). They are deleted with the lane.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setPending(null)}>
              Keep the lane
            </Button>
            <Button
              color="red"
              onClick={() => {
                if (pending !== null) apply({ ...handling, mode: pending.mode });
                setPending(null);
              }}
            >
              Remove lane and steps
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
