/** A step clicked on the canvas while a run is selected: its input and output in that run, iteration by iteration, or its properties. */
import { ActionIcon, Alert, Badge, Box, Button, Group, Loader, NumberInput, ScrollArea, SegmentedControl, Stack, Text, ThemeIcon, Tooltip } from "@mantine/core";
import { IconAlertTriangle, IconArrowLeft, IconChevronLeft, IconChevronRight, IconCircleDashed, IconDatabase, IconListDetails } from "@tabler/icons-react";
import { useEffect, useState } from "react";
import type { Run } from "../api/types";
import { useGetStepRunOfStep } from "../api/use-get-step-run-of-step";
import { stepTitle, useCatalogue } from "../builder/catalogue-context";
import { PropertiesPanel } from "../builder/PropertiesPanel";
import { findNode, stepOf, TRIGGER_NAME } from "../definition/structure";
import { fullDate, timeAgo } from "../pages/format";
import { useAppStore } from "../store";
import type { InspectorTab } from "../store/run-slice";
import { useActiveRun } from "./run-context";
import { StepBody } from "./StepRunList";
import { StatusDot, statusLabel, type AnyStatus } from "./StepRunStatus";
import classes from "./debug.module.css";

export function StepInspector({ name }: { name: string }) {
  const tab = useAppStore((state) => state.inspectorTab);
  const setTab = useAppStore((state) => state.setInspectorTab);
  const inspectStep = useAppStore((state) => state.inspectStep);
  const runId = useAppStore((state) => state.activeRunId);
  const { run } = useActiveRun();
  // A step selected elsewhere (a problem's link, a duplicate) is inspected in its turn.
  const selected = useAppStore((state) => state.selectedStep);
  useEffect(() => {
    if (selected !== null && selected !== name) inspectStep(selected);
  }, [selected, name, inspectStep]);
  return (
    <section className={classes.detail} aria-label={`${name} in the selected run`}>
      <Group px={12} py={8} gap={8} wrap="nowrap" justify="space-between" style={{ borderBottom: "1px solid var(--mantine-color-gray-2)" }}>
        <Group gap={8} wrap="nowrap" style={{ minWidth: 0 }}>
          <Tooltip label="Back to every step run of this run" withArrow openDelay={400}>
            <Button size="compact-sm" variant="subtle" color="gray" leftSection={<IconArrowLeft size={15} aria-hidden />} onClick={() => inspectStep(null)}>
              Whole run
            </Button>
          </Tooltip>
          {run !== undefined && <RunSummary run={run} />}
        </Group>
        <SegmentedControl
          size="xs"
          aria-label="What to show of the step"
          value={tab}
          onChange={(value) => setTab(value as InspectorTab)}
          data={[
            {
              value: "data",
              label: (
                <Group gap={6} wrap="nowrap">
                  <IconDatabase size={14} aria-hidden />
                  Step data
                </Group>
              ),
            },
            {
              value: "properties",
              label: (
                <Group gap={6} wrap="nowrap">
                  <IconListDetails size={14} aria-hidden />
                  Properties
                </Group>
              ),
            },
          ]}
        />
      </Group>
      {tab === "properties" ? (
        <Box style={{ flex: 1, minHeight: 0 }}>
          <PropertiesPanel />
        </Box>
      ) : runId === null ? null : (
        <StepData key={`${runId}:${name}`} runId={runId} name={name} />
      )}
    </section>
  );
}

/** Which run the step's data comes from: its status and when it started. */
function RunSummary({ run }: { run: Run }) {
  const started = run.started_at ?? run.created_at;
  return (
    <Group gap={6} wrap="nowrap" style={{ minWidth: 0 }} data-testid="inspected-run">
      <StatusDot status={run.status} size={14} />
      <Text fz="xs" c="dimmed" truncate>
        {statusLabel(run.status)} run · <span title={fullDate(started)}>{timeAgo(started)}</span>
      </Text>
    </Group>
  );
}

/** Whether the step runs once per iteration of a loop around it. */
function useInLoop(name: string): boolean {
  return useAppStore((state) => {
    const definition = state.definition;
    if (definition === null) return false;
    return findNode(definition, name)?.ancestors.some((ancestor) => findNode(definition, ancestor)?.node.type === "loop") ?? false;
  });
}

function StepData({ runId, name }: { runId: string; name: string }) {
  const { run, live } = useActiveRun();
  const [index, setIndex] = useState(0);
  const query = useGetStepRunOfStep(runId, name, index, live);
  const inLoop = useInLoop(name);
  const count = query.data?.count ?? 0;
  const stepRun = query.data?.results[0];

  return (
    <Stack gap={0} style={{ flex: 1, minHeight: 0 }}>
      <Box px={16} pt={10} pb={10} style={{ borderBottom: "1px solid var(--mantine-color-gray-2)" }}>
        <StepHeading name={name} status={stepRun?.status} />
        {(inLoop || count > 1) && count > 0 && (
          <IterationPicker
            noun={inLoop ? "Iteration" : "Run"}
            index={index}
            count={count}
            onChange={setIndex}
            loading={query.isPlaceholderData}
            path={query.isPlaceholderData ? undefined : stepRun?.path}
          />
        )}
      </Box>
      {query.isPending ? (
        <Group justify="center" py="xl">
          <Loader size="sm" aria-label={`Loading the data of ${name}`} />
        </Group>
      ) : query.isError ? (
        <Alert m={12} color="red" variant="light" icon={<IconAlertTriangle size={16} />}>
          {query.error.message}
        </Alert>
      ) : stepRun === undefined ? (
        <DidNotRun name={name} run={run} live={live} />
      ) : (
        <ScrollArea style={{ flex: 1, minHeight: 0 }} type="auto" offsetScrollbars>
          <Box pl={12} className={classes.inspectedBody} style={{ opacity: query.isPlaceholderData ? 0.55 : 1, transition: "opacity 120ms" }}>
            <StepBody key={stepRun.sequence} stepRun={stepRun} runId={runId} padding={0} />
          </Box>
        </ScrollArea>
      )}
    </Stack>
  );
}

function StepHeading({ name, status }: { name: string; status: AnyStatus | undefined }) {
  const catalogue = useCatalogue();
  const step = useAppStore((state) => (state.definition === null ? undefined : stepOf(state.definition, name)));
  const connector = step === undefined ? undefined : catalogue.get(step.connector);
  const title = name === TRIGGER_NAME ? (connector?.title ?? "Trigger") : stepTitle(step, connector);
  return (
    <Group gap={10} wrap="nowrap">
      {connector !== undefined && <img src={connector.icon_url} alt="" width={24} height={24} style={{ flex: "none" }} />}
      <Box style={{ flex: 1, minWidth: 0 }}>
        <Text fw={650} fz="sm" truncate title={title}>
          {title}
        </Text>
        <Badge variant="light" color="gray" radius="sm" tt="none" ff="monospace" fw={500} size="sm">
          {name}
        </Badge>
      </Box>
      {status !== undefined && (
        <Group gap={6} wrap="nowrap" data-testid="inspected-status">
          <StatusDot status={status} size={16} />
          <Text fz="xs" fw={550}>
            {statusLabel(status)}
          </Text>
        </Group>
      )}
    </Group>
  );
}

/** "Iteration 5 of 20", with previous and next and a number to type. */
function IterationPicker({
  noun,
  index,
  count,
  onChange,
  loading,
  path,
}: {
  noun: string;
  index: number;
  count: number;
  onChange: (index: number) => void;
  loading: boolean;
  path: string | undefined;
}) {
  const [draft, setDraft] = useState<string | number>(index + 1);
  useEffect(() => setDraft(index + 1), [index]);
  const lower = noun.toLowerCase();
  return (
    <Group gap={6} mt={10} wrap="nowrap" role="group" aria-label={`${noun} of the step`}>
      <Tooltip label={`Previous ${lower}`} withArrow openDelay={400}>
        <ActionIcon variant="default" size="md" aria-label={`Previous ${lower}`} disabled={index === 0} onClick={() => onChange(index - 1)}>
          <IconChevronLeft size={15} />
        </ActionIcon>
      </Tooltip>
      <Text fz="sm" fw={550}>
        {noun}
      </Text>
      <NumberInput
        size="xs"
        w={76}
        aria-label={noun}
        value={draft}
        min={1}
        max={count}
        allowDecimal={false}
        allowNegative={false}
        clampBehavior="blur"
        onChange={(value) => {
          setDraft(value);
          if (typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= count) onChange(value - 1);
        }}
        onBlur={() => setDraft(index + 1)}
      />
      <Text fz="sm" c="dimmed" style={{ whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" }} data-testid="iteration-count">
        of {count.toLocaleString()}
      </Text>
      <Tooltip label={`Next ${lower}`} withArrow openDelay={400}>
        <ActionIcon variant="default" size="md" aria-label={`Next ${lower}`} disabled={index >= count - 1} onClick={() => onChange(index + 1)}>
          <IconChevronRight size={15} />
        </ActionIcon>
      </Tooltip>
      <Box style={{ flex: 1, minWidth: 0 }} ta="right">
        {loading ? (
          <Loader size={14} aria-label={`Loading the ${lower}`} />
        ) : (
          path !== undefined && (
            <Text fz={11.5} c="dimmed" ff="monospace" truncate title={path}>
              {path}
            </Text>
          )
        )}
      </Box>
    </Group>
  );
}

function DidNotRun({ name, run, live }: { name: string; run: Run | undefined; live: boolean }) {
  const why = live
    ? "It has not run yet: its input and output show here once it does."
    : run?.status === "failed"
      ? `The run failed at ${run.failed_step || "a step"} before reaching it.`
      : run?.status === "cancelled"
        ? "The run was cancelled before reaching it."
        : "A condition or branch took another way, or a loop around it had nothing to go through.";
  return (
    <Stack align="center" justify="center" p="xl" gap="sm" ta="center" style={{ flex: 1 }} data-testid="step-did-not-run">
      <ThemeIcon size={44} radius="xl" variant="light" color="gray">
        {live ? <Loader size={20} type="dots" aria-hidden /> : <IconCircleDashed size={22} aria-hidden />}
      </ThemeIcon>
      <Text fw={600}>{live ? `${name} has not run yet` : `${name} did not run in this run`}</Text>
      <Text fz="sm" c="dimmed" maw={320}>
        {why}
      </Text>
    </Stack>
  );
}
