import { Alert, Badge, Box, Button, CloseButton, Collapse, Group, Loader, ScrollArea, Select, Stack, Text, TextInput, ThemeIcon, Tooltip, UnstyledButton } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { IconAlertTriangle, IconArrowBackUp, IconBug, IconChevronDown, IconChevronRight, IconClockPause, IconPlayerPlay, IconRefresh, IconSearch, IconServerOff } from "@tabler/icons-react";
import { useEffect, useMemo, useState } from "react";
import { isRunLive, RUN_STATUSES, STEP_RUN_STATUSES, type Run, type RunEvent, type RunStatus, type StepRun, type StepRunStatus } from "../api/types";
import { useGetRuns } from "../api/use-get-runs";
import { useSearchStepRuns } from "../api/use-get-step-run-log";
import { useCatalogue } from "../builder/catalogue-context";
import { fullDate, timeAgo } from "../pages/format";
import { useAppStore } from "../store";
import { continuedFailuresText, formatDuration } from "./format";
import { useCanRun, useRunActionButton } from "./RunControls";
import { useActiveRun } from "./run-context";
import { runTimeline, runWaitingText, waitingStepOf, waitingText } from "./run-waiting";
import { hasMore } from "./step-run-log";
import { StepInspector } from "./StepInspector";
import { StepRunList } from "./StepRunList";
import { StatusDot, statusLabel } from "./StepRunStatus";
import { ChildRuns, RunOrigin, TriggerKindIcon } from "../triggers/RunOrigin";
import { runListTriggerText } from "../triggers/triggers";
import classes from "./debug.module.css";

/**
 * The debug panel: the runs of this workflow, and the selected run's step runs with their input and
 * output, or one step's (clicked on the canvas) in the selected run.
 */
export function DebugPanel() {
  const setDebugOpen = useAppStore((state) => state.setDebugOpen);
  // A step clicked on the canvas: its data in the selected run, in place of the whole run.
  const inspected = useAppStore((state) => state.inspectedStep);
  const activeRunId = useAppStore((state) => state.activeRunId);
  return (
    <aside className={classes.panel} aria-label="Debug panel">
      <div className={classes.panelHeader}>
        <ThemeIcon variant="light" size={28} radius="md">
          <IconBug size={17} aria-hidden />
        </ThemeIcon>
        <Box style={{ flex: 1, minWidth: 0 }}>
          <Text fw={650} lh={1.2}>
            Debug
          </Text>
          <Text fz="xs" c="dimmed" lh={1.2}>
            Every run of this workflow, each step's input and output
          </Text>
        </Box>
        <CloseButton aria-label="Close the debug panel" onClick={() => setDebugOpen(false)} />
      </div>
      {inspected !== null && activeRunId !== null ? (
        <StepInspector name={inspected} />
      ) : (
        <>
          <RunsSection />
          <RunDetail />
        </>
      )}
    </aside>
  );
}

function RunsSection() {
  const workflowId = useAppStore((state) => state.workflowId) ?? "";
  const activeRunId = useAppStore((state) => state.activeRunId);
  const selectRun = useAppStore((state) => state.selectRun);
  const [status, setStatus] = useState<RunStatus | null>(null);
  const [open, setOpen] = useState(true);
  const runs = useGetRuns(workflowId, status);
  const catalogue = useCatalogue();
  const { run: activeRun } = useActiveRun();
  const results = runs.data?.results;

  // Opening the panel with no run selected shows the newest.
  useEffect(() => {
    const newest = results?.[0];
    if (activeRunId === null && status === null && newest !== undefined) selectRun(newest.id);
  }, [activeRunId, status, results, selectRun]);

  // The selected run's own poll is fresher than the list's.
  const shown = results?.map((run) => (activeRun !== undefined && run.id === activeRun.id ? activeRun : run));

  return (
    <section className={classes.runs} aria-label="Runs">
      <Group px={16} py={8} justify="space-between" wrap="nowrap">
        <UnstyledButton onClick={() => setOpen((value) => !value)} aria-expanded={open} aria-label={`${open ? "Hide" : "Show"} the runs`}>
          <Group gap={6} wrap="nowrap">
            {open ? <IconChevronDown size={15} aria-hidden /> : <IconChevronRight size={15} aria-hidden />}
            <Text fz="sm" fw={600}>
              Runs
            </Text>
            {runs.data !== undefined && (
              <Badge size="sm" variant="light" color="gray" tt="none">
                {runs.data.count.toLocaleString()}
              </Badge>
            )}
          </Group>
        </UnstyledButton>
        <Select
          size="xs"
          w={160}
          aria-label="Filter runs by status"
          value={status ?? "all"}
          onChange={(value) => setStatus(value === null || value === "all" ? null : (value as RunStatus))}
          data={[{ value: "all", label: "All statuses" }, ...RUN_STATUSES.map((value) => ({ value, label: statusLabel(value) }))]}
          allowDeselect={false}
          comboboxProps={{ withinPortal: true }}
        />
      </Group>
      <Collapse expanded={open}>
        {runs.isPending ? (
          <Group justify="center" py="md">
            <Loader size="sm" aria-label="Loading the runs" />
          </Group>
        ) : shown === undefined || shown.length === 0 ? (
          <Text fz="sm" c="dimmed" px={16} pb={12}>
            {status === null ? "No runs yet. Run workflow starts one and shows it here." : `No ${statusLabel(status).toLowerCase()} runs.`}
          </Text>
        ) : (
          <ScrollArea.Autosize mah={188} type="auto">
            <div role="listbox" aria-label="Runs of this workflow">
              {shown.map((run) => (
                <RunRow
                  key={run.id}
                  run={run}
                  selected={run.id === activeRunId}
                  trigger={catalogue.get(run.trigger)?.title ?? run.trigger}
                  onSelect={() => selectRun(run.id)}
                />
              ))}
            </div>
          </ScrollArea.Autosize>
        )}
      </Collapse>
    </section>
  );
}

function RunRow({ run, selected, trigger, onSelect }: { run: Run; selected: boolean; trigger: string; onSelect: () => void }) {
  const started = run.started_at ?? run.created_at;
  return (
    <UnstyledButton className={classes.runRow} data-selected={selected} role="option" aria-selected={selected} onClick={onSelect} data-run-id={run.id}>
      <StatusDot status={run.status} size={18} />
      <Box style={{ minWidth: 0 }}>
        <Text fz={13} fw={550} truncate>
          {run.status === "waiting" ? waitingText(run.resume_at, "") : statusLabel(run.status)}
          <Text span c="dimmed" fw={400}>
            {" · "}
            <span title={fullDate(started)}>{timeAgo(started)}</span>
          </Text>
        </Text>
        <Text fz={11.5} c="dimmed" truncate title={trigger} data-testid="run-trigger">
          <TriggerKindIcon kind={run.trigger_kind} size={12} /> {runListTriggerText(run)} · version {run.workflow_version}
          {run.retry_of !== null ? " · retry" : ""}
          {run.attempt > 1 ? ` · attempt ${run.attempt}` : ""}
          {(run.continued_failures ?? 0) > 0 ? ` · ${continuedFailuresText(run.continued_failures)}` : ""}
        </Text>
      </Box>
      <Text fz={12} c="dimmed" style={{ fontVariantNumeric: "tabular-nums" }}>
        {run.duration_ms !== null ? formatDuration(run.duration_ms) : isRunLive(run.status) ? "…" : ""}
      </Text>
    </UnstyledButton>
  );
}

function RunDetail() {
  const { run, runError, live, steps } = useActiveRun();
  const activeRunId = useAppStore((state) => state.activeRunId);
  const canRun = useCanRun();
  const replay = useRunActionButton("replay");
  const retry = useRunActionButton("retry");
  const [search, setSearch] = useState("");
  const [debounced] = useDebouncedValue(search.trim(), 300);
  const [stepStatus, setStepStatus] = useState<StepRunStatus | "">("");
  const found = useSearchStepRuns(activeRunId, debounced, stepStatus);
  const [reveal, setReveal] = useState<{ path: string; at: number } | null>(null);

  useEffect(() => {
    setSearch("");
    setStepStatus("");
    setReveal(null);
  }, [activeRunId]);

  const searchRows = useMemo<StepRun[]>(() => found.data?.pages.flatMap((page) => page.results) ?? [], [found.data]);

  if (activeRunId === null) {
    return (
      <Stack align="center" justify="center" style={{ flex: 1 }} p="xl" gap="sm" ta="center">
        <ThemeIcon size={48} radius="xl" variant="light" color="gray">
          <IconPlayerPlay size={24} aria-hidden />
        </ThemeIcon>
        <Text fw={600}>No run selected</Text>
        <Text fz="sm" c="dimmed" maw={280}>
          Run workflow, or pick a run above: each step's input and output show here, live while it runs.
        </Text>
      </Stack>
    );
  }
  if (run === undefined) {
    return (
      <Stack align="center" justify="center" style={{ flex: 1 }}>
        {runError !== null ? (
          <Alert color="red" icon={<IconAlertTriangle size={16} />} maw={360}>
            {runError.message}
          </Alert>
        ) : (
          <Loader size="sm" aria-label="Loading the run" />
        )}
      </Stack>
    );
  }

  const started = run.started_at ?? run.created_at;
  const waiting = runWaitingText(run);
  const at = run.status === "running" ? run.progress?.current_step : run.status === "waiting" ? waitingStepOf(run) : "";
  const searching = debounced !== "" || stepStatus !== "";
  const log = steps.log;
  const countText = searching
    ? found.data === undefined
      ? "Searching…"
      : `${(found.data.pages[0]?.count ?? 0).toLocaleString()} matching`
    : `${log.total.toLocaleString()} step ${log.total === 1 ? "run" : "runs"}`;

  return (
    <section className={classes.detail} aria-label="Selected run">
      <Box px={16} pt={12} pb={10} style={{ borderBottom: "1px solid var(--mantine-color-gray-2)" }}>
        <Group gap={8} wrap="nowrap">
          <StatusDot status={run.status} size={22} />
          <Box style={{ flex: 1, minWidth: 0 }}>
            {/* A waiting run's line wraps: until when and why must show whole. */}
            <Text fw={650} fz="sm" truncate={waiting === undefined} aria-live="polite" data-testid="run-status" style={{ overflowWrap: "anywhere" }}>
              {waiting ?? statusLabel(run.status)}
              {continuedFailuresText(run.continued_failures) !== null ? (
                <Text span c="orange.8" fw={500} data-testid="run-continued-failures">
                  {" · "}
                  {continuedFailuresText(run.continued_failures)}
                </Text>
              ) : null}
              {run.attempt > 1 ? (
                <Badge ml={8} size="sm" variant="light" color="gray" tt="none" style={{ verticalAlign: "1px" }} data-testid="run-attempt">
                  Attempt {run.attempt}
                </Badge>
              ) : null}
              {at ? (
                <Text span c="dimmed" fw={400} ff="monospace" fz="xs">
                  {" "}
                  at&nbsp;{at}
                </Text>
              ) : null}
              {run.cancel_requested && live ? (
                <Text span c="orange" fw={500} fz="xs">
                  {" "}
                  · cancelling
                </Text>
              ) : null}
            </Text>
          </Box>
          <Group gap={6} wrap="nowrap">
            <Tooltip label="Run the workflow again with this run's payload" withArrow>
              <Button
                size="xs"
                variant="default"
                leftSection={<IconRefresh size={14} aria-hidden />}
                onClick={() => void replay.perform(run.id)}
                loading={replay.pending}
                disabled={!canRun || live}
              >
                Replay
              </Button>
            </Tooltip>
            {run.status === "failed" && (
              <Tooltip label="Run again from the failed step, reusing the outputs of the steps before it" withArrow multiline maw={260}>
                <Button
                  size="xs"
                  color="red"
                  variant="light"
                  leftSection={<IconArrowBackUp size={14} aria-hidden />}
                  onClick={() => void retry.perform(run.id)}
                  loading={retry.pending}
                  disabled={!canRun}
                >
                  Retry from failed step
                </Button>
              </Tooltip>
            )}
          </Group>
        </Group>
        <Text fz="xs" c="dimmed" mt={4} pl={30}>
          <span title={fullDate(started)}>Started {timeAgo(started)}</span>
          {run.duration_ms !== null && ` · took ${formatDuration(run.duration_ms)}`} · version {run.workflow_version}
          {run.retry_of !== null && " · retry of an earlier run"}
        </Text>
        <Box pl={30} mt={2} style={{ minWidth: 0 }}>
          <RunOrigin run={run} />
        </Box>
        <RunTimeline events={run.events} />
        <ChildRuns runs={run.children} />
        {run.status === "failed" && (
          <Alert mt={10} color="red" variant="light" p="xs" icon={<IconAlertTriangle size={16} />} title={`Failed at ${run.failed_step || "a step"}`}>
            <Stack gap={4} align="flex-start">
              <Text fz="xs" style={{ wordBreak: "break-word" }}>
                {run.error}
              </Text>
              {run.failed_step !== "" && (
                <Button size="compact-xs" variant="subtle" color="red" onClick={() => setReveal({ path: run.failed_step, at: Date.now() })}>
                  Show the failed step run
                </Button>
              )}
            </Stack>
          </Alert>
        )}
      </Box>
      <Group px={12} py={8} gap={8} wrap="nowrap" style={{ borderBottom: "1px solid var(--mantine-color-gray-2)" }}>
        <TextInput
          size="xs"
          style={{ flex: 1 }}
          leftSection={<IconSearch size={14} aria-hidden />}
          placeholder="Search this run's steps: path, input, output, error"
          aria-label="Search step runs"
          value={search}
          onChange={(event) => setSearch(event.currentTarget.value)}
          rightSection={search !== "" ? <CloseButton size="sm" aria-label="Clear the search" onClick={() => setSearch("")} /> : undefined}
        />
        <Select
          size="xs"
          w={152}
          aria-label="Filter step runs by status"
          value={stepStatus === "" ? "all" : stepStatus}
          onChange={(value) => setStepStatus(value === null || value === "all" ? "" : (value as StepRunStatus))}
          data={[{ value: "all", label: "All statuses" }, ...STEP_RUN_STATUSES.map((value) => ({ value, label: statusLabel(value) }))]}
          allowDeselect={false}
          comboboxProps={{ withinPortal: true }}
        />
        <Text fz="xs" c="dimmed" style={{ flex: "none", fontVariantNumeric: "tabular-nums" }} aria-live="polite">
          {countText}
        </Text>
      </Group>
      {searching ? (
        <StepRunList
          key={`search:${run.id}:${debounced}:${stepStatus}`}
          run={run}
          rows={searchRows}
          canLoadMore={found.hasNextPage}
          loadMore={() => {
            if (!found.isFetchingNextPage) void found.fetchNextPage();
          }}
          fetching={found.isFetching}
          live={false}
          loaded={found.data !== undefined}
          empty={
            debounced === ""
              ? `No ${statusLabel(stepStatus || "succeeded").toLowerCase()} step run in this run.`
              : `No ${stepStatus === "" ? "" : `${statusLabel(stepStatus).toLowerCase()} `}step run of this run mentions “${debounced}”.`
          }
          reveal={null}
        />
      ) : (
        <StepRunList
          key={run.id}
          run={run}
          rows={log.rows}
          canLoadMore={!live && hasMore(log)}
          loadMore={steps.loadMore}
          fetching={steps.isFetching}
          live={live}
          loaded={log.loaded}
          empty={live ? "Waiting for the first step to run…" : "This run has no step runs."}
          reveal={reveal}
          onRevealMissing={(path) => setSearch(path)}
        />
      )}
    </section>
  );
}

const EVENT_ICONS = { waiting: IconClockPause, worker_lost: IconServerOff } as const;
const EVENT_COLORS = { waiting: "violet", worker_lost: "orange" } as const;

/** What interrupted the run without ending it (parked, worker lost), oldest first; nothing when nothing did. */
function RunTimeline({ events }: { events: readonly RunEvent[] }) {
  const entries = useMemo(() => runTimeline(events), [events]);
  if (entries.length === 0) return null;
  return (
    <ol className={classes.timeline} aria-label="Run events">
      {entries.map((entry) => {
        const Icon = EVENT_ICONS[entry.kind];
        return (
          <li key={entry.key} className={classes.timelineItem} title={entry.message} data-kind={entry.kind}>
            <ThemeIcon size={16} radius="xl" variant="light" color={EVENT_COLORS[entry.kind]}>
              <Icon size={11} stroke={2.2} aria-hidden />
            </ThemeIcon>
            <Text span fz={11.5} c="dimmed" className={classes.timelineTime}>
              {entry.time}
            </Text>
            <Text span fz={11.5} className={classes.timelineText}>
              {entry.text}
            </Text>
          </li>
        );
      })}
    </ol>
  );
}
