/**
 * "Test step" in the properties panel: runs this one saved step on the latest run's outputs or
 * on sample data (POST /api/workflows/{id}/steps/{name}/test/), shows its resolved input and its
 * output or error, and "Use output" offers the output's fields to the connector-snake.
 */
import { Alert, Button, Group, JsonInput, Modal, NumberInput, Stack, Text, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconAlertTriangle, IconPlugConnected, IconTestPipe } from "@tabler/icons-react";
import { useEffect, useRef, useState } from "react";
import { isApiError } from "../api/client";
import type { JsonValue, Operation, StepTestResult } from "../api/types";
import { useGetStepTestSample } from "../api/use-get-step-test-sample";
import { useTestStep, type StepTest } from "../api/use-test-step";
import { JsonTree } from "../debug/JsonTree";
import { formatDuration } from "../debug/format";
import { waitForSave } from "../debug/wait-for-save";
import { visibleSteps } from "../definition/structure";
import { appStore, useAppStore } from "../store";

/** Steps the server runs alone: actions (Call workflow aside: it would start a run) and branches. */
export function isTestable(connector: string, operation: Operation | undefined): boolean {
  if (operation === undefined || connector === "call_workflow") return false;
  return operation.kind === "action" || operation.kind === "branch";
}

type Parsed = { sample: Record<string, JsonValue> } | { problem: string };

function parseSample(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text.trim() === "" ? "{}" : text);
  } catch {
    return { problem: "Sample data is not valid JSON." };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { problem: 'Sample data must be an object of outputs by step name, e.g. {"trigger": {…}}.' };
  }
  return { sample: value as Record<string, JsonValue> };
}

export function TestStepSection({ name, connector, operation }: { name: string; connector: string; operation: Operation | undefined }) {
  const workflowId = useAppStore((state) => state.workflowId);
  const definition = useAppStore((state) => state.definition);
  const testable = isTestable(connector, operation);
  const loops = definition === null ? [] : visibleSteps(definition, name).filter((step) => step.enclosingLoop);
  const defaults = useGetStepTestSample(workflowId, name, testable);
  const testStep = useTestStep();
  const [sampleText, setSampleText] = useState<string | null>(null);
  const [prefilled, setPrefilled] = useState<string | null>(null);
  const [iteration, setIteration] = useState(0);
  const [question, setQuestion] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [result, setResult] = useState<StepTestResult | null>(null);
  const resultRef = useRef<HTMLDivElement>(null);

  // A new result is below the button, likely out of view: bring it in.
  useEffect(() => {
    if (result !== null) resultRef.current?.scrollIntoView({ block: "nearest" });
  }, [result]);

  // Filled once: from the latest run, or else from the outputs put in use ("Use output") of the
  // steps this one may read. The user's edits are never replaced.
  useEffect(() => {
    if (sampleText !== null || defaults.data === undefined) return;
    const { stepSamples } = appStore.getState();
    const readable = definition === null ? [] : visibleSteps(definition, name).filter((step) => !step.enclosingLoop);
    const used = Object.fromEntries(readable.filter((step) => step.name in stepSamples).map((step) => [step.name, stepSamples[step.name]]));
    const text = JSON.stringify(defaults.data.run === null ? used : defaults.data.sample, null, 2);
    setSampleText(text);
    setPrefilled(text);
  }, [defaults.data, sampleText, definition, name]);

  if (!testable || workflowId === null) return null;
  const run = defaults.data?.run ?? null;
  // Formatting on blur gives the same text back: only a real edit counts.
  const edited = sampleText !== prefilled;

  const send = async (confirm: boolean) => {
    setProblem(null);
    setQuestion(null);
    const request: StepTest = { workflowId, step: name, confirm };
    if (loops.length > 0) request.iteration = iteration;
    if (edited || run === null) {
      const parsed = parseSample(sampleText ?? "{}");
      if ("problem" in parsed) {
        setProblem(parsed.problem);
        return;
      }
      request.sample = parsed.sample;
    } else {
      // Untouched: the server reads the run itself, iterations of loops included.
      request.run = run;
    }
    try {
      setResult(await testStep.mutateAsync(request));
    } catch (error) {
      const body = isApiError(error) ? (error.body as { code?: string; detail?: string } | null) : null;
      if (body?.code === "confirmation_required" && body.detail !== undefined) {
        setQuestion(body.detail);
        return;
      }
      setResult(null);
      setProblem(error instanceof Error ? error.message : "The test could not run.");
    }
  };

  const start = async () => {
    setProblem(null);
    setSaving(true);
    try {
      // The server tests the step as saved: wait for pending edits.
      await waitForSave(appStore);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : "The workflow could not be saved.");
      return;
    } finally {
      setSaving(false);
    }
    const confirmation = defaults.data?.confirmation ?? null;
    if (confirmation !== null) {
      setQuestion(confirmation);
      return;
    }
    await send(false);
  };

  const applyOutput = () => {
    if (result === null) return;
    appStore.getState().setStepSample(name, result.output);
    notifications.show({
      color: "indigo",
      title: `Output of ${name} in use`,
      message: "The connector-snake and jsonpath completion now offer its properties.",
    });
  };

  const from = result?.resolved_from;
  const iterations = Object.entries(from?.iterations ?? {});
  return (
    <Stack gap="sm" role="group" aria-label="Test step" pt="sm" style={{ borderTop: "1px solid var(--mantine-color-gray-2)" }}>
      <Text fw={650} fz="sm">
        Test step
      </Text>
      <JsonInput
        label="Sample data"
        aria-label="Sample data"
        description={
          run !== null
            ? edited
              ? "Your data: the outputs of earlier steps, by step name."
              : "The outputs of the latest run, by step name. Edit them to try other data."
            : prefilled !== null && prefilled !== "{}"
              ? "No run yet: the outputs put in use with Use output, by step name. Edit them to try other data."
              : 'No run yet: give the outputs of the steps this one reads, by step name, e.g. {"trigger": {"name": "Ada"}}.'
        }
        value={sampleText ?? ""}
        placeholder="{}"
        onChange={setSampleText}
        validationError="Not valid JSON"
        formatOnBlur
        // A fixed height: formatting on blur must not move the button being clicked.
        rows={8}
        styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)", fontSize: 12 } }}
      />
      {loops.length > 0 && (
        <NumberInput
          label="Loop iteration"
          description={`Which iteration of ${loops[loops.length - 1]!.name} to read, from 0.`}
          min={0}
          allowDecimal={false}
          value={iteration}
          onChange={(value) => setIteration(typeof value === "number" ? value : 0)}
        />
      )}
      <Group gap="xs">
        <Button
          size="xs"
          variant="light"
          leftSection={<IconTestPipe size={15} aria-hidden />}
          loading={saving || testStep.isPending}
          disabled={defaults.isPending}
          onClick={() => void start()}
        >
          Test step
        </Button>
        {result !== null && result.error === null && (
          <Tooltip label="Offer this output's properties in the connector-snake and the jsonpath completion" withArrow multiline maw={260}>
            <Button size="xs" variant="subtle" leftSection={<IconPlugConnected size={15} aria-hidden />} onClick={applyOutput}>
              Use output
            </Button>
          </Tooltip>
        )}
      </Group>
      {problem !== null && (
        <Alert color="red" variant="light" p="xs" icon={<IconAlertTriangle size={16} />}>
          <Text fz="sm">{problem}</Text>
        </Alert>
      )}
      {result !== null && (
        <Stack gap="xs" data-testid="test-step-result" ref={resultRef}>
          <Text fz="xs" c="dimmed">
            {from?.run != null ? `Read run ${from.run.slice(0, 8)}` : "Read the sample data"}
            {iterations.map(([loop, index]) => ` · ${loop} iteration ${index}`).join("")} · {formatDuration(result.duration_ms)}
          </Text>
          {result.error !== null && (
            <Alert color="red" variant="light" p="xs" icon={<IconAlertTriangle size={16} />} title="The step failed">
              <Text fz="sm" style={{ wordBreak: "break-word" }}>
                {result.error.message}
              </Text>
            </Alert>
          )}
          <Text fz="xs" fw={600}>
            Input
          </Text>
          {result.input === null ? (
            <Text fz="xs" c="dimmed">
              No input: the step failed before its properties were resolved.
            </Text>
          ) : (
            <JsonTree value={result.input} label={`Test input for ${name}`} />
          )}
          {result.error === null && (
            <>
              <Text fz="xs" fw={600}>
                Output
              </Text>
              <JsonTree value={result.output} label={`Test output for ${name}`} />
            </>
          )}
          {result.log.length > 0 && (
            <>
              <Text fz="xs" fw={600}>
                Log
              </Text>
              {result.log.map((line, index) => (
                <Text key={index} fz="xs" ff="monospace" c="dimmed">
                  {line}
                </Text>
              ))}
            </>
          )}
        </Stack>
      )}
      <Modal opened={question !== null} onClose={() => setQuestion(null)} title="Test this step?" centered>
        <Stack gap="md">
          <Text fz="sm">{question}</Text>
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={() => setQuestion(null)}>
              Cancel
            </Button>
            <Button color="orange" onClick={() => void send(true)}>
              Test anyway
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
