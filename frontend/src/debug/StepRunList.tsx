import { ActionIcon, Alert, Badge, Button, Group, Loader, Stack, Text, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconAlertTriangle, IconChevronDown, IconChevronRight, IconDownload, IconPlugConnected, IconRepeat } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useCallback, useEffect, useEffectEvent, useMemo, useRef, useState } from "react";
import { api } from "../api/client";
import { queryKeys } from "../api/query-keys";
import { isRunLive, type JsonValue, type Run, type StepRun } from "../api/types";
import { useGetStepRun } from "../api/use-get-step-run";
import { stepTitle, useCatalogue } from "../builder/catalogue-context";
import { stepOf, TRIGGER_NAME } from "../definition/structure";
import { appStore, useAppStore } from "../store";
import { continuedError } from "./canvas-status";
import { copyText } from "./clipboard";
import { formatBytes, formatDuration } from "./format";
import { JsonTree } from "./JsonTree";
import { jsonPathOf, type JsonKey } from "./jsonpath";
import { buildStepRunTree, entryStatus, flattenTree, summarise, type FlatRow } from "./step-run-tree";
import { StatusDot } from "./StepRunStatus";
import classes from "./debug.module.css";

const INDENT = 18;

export interface StepRunListProps {
  run: Run;
  /** Step runs in sequence order (the loaded part of the run, or search results). */
  rows: readonly StepRun[];
  canLoadMore: boolean;
  loadMore: () => void;
  fetching: boolean;
  live: boolean;
  loaded: boolean;
  empty: string;
  /** A step run to scroll to and open (`Show the failed step run`). */
  reveal: { path: string; at: number } | null;
  /** Called when the step run to reveal is not among the rows loaded. */
  onRevealMissing?: (path: string) => void;
}

function estimate(row: FlatRow | undefined, open: ReadonlySet<string>): number {
  if (row === undefined) return 44;
  if (row.kind === "iteration") return 33;
  return open.has(row.key) ? 320 : 41;
}

/** A run's step runs, loops grouped into collapsible iterations, in a virtualised list. */
export function StepRunList({ run, rows, canLoadMore, loadMore, fetching, live, loaded, empty, reveal, onRevealMissing }: StepRunListProps) {
  const tree = useMemo(() => buildStepRunTree(rows), [rows]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const [open, setOpen] = useState<ReadonlySet<string>>(() => new Set(run.failed_step !== "" ? [run.failed_step] : []));
  const flat = useMemo(() => flattenTree(tree, collapsed), [tree, collapsed]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const following = useRef(true);

  const count = flat.length + (canLoadMore ? 1 : 0);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: (index) => estimate(flat[index], open),
    getItemKey: (index) => flat[index]?.key ?? "__more__",
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;

  // Page in more as the end of what is loaded comes near.
  useEffect(() => {
    if (canLoadMore && !fetching && lastIndex >= flat.length - 25) loadMore();
  }, [canLoadMore, fetching, lastIndex, flat.length, loadMore]);

  // While the run goes, stay at the end if that is where the reader is.
  useEffect(() => {
    if (live && following.current && flat.length > 0) virtualizer.scrollToIndex(flat.length - 1, { align: "end" });
  }, [live, flat.length, virtualizer]);

  // When a run fails, open its failed step run once it arrives.
  useEffect(() => {
    if (run.failed_step !== "") setOpen((current) => (current.has(run.failed_step) ? current : new Set([...current, run.failed_step])));
  }, [run.failed_step]);

  // Reads the list as it is now, but is not itself a reason to run the effect below.
  const revealRow = useEffectEvent((path: string, folds: ReadonlySet<string>) => {
    const index = flat.findIndex((row) => row.key === path);
    if (index === -1) {
      // Inside a folded iteration, or not loaded: unfold its loops, else ask the server.
      const folded = [...folds].filter((key) => path.startsWith(`${key}.`) || path.startsWith(`${key}[`));
      if (folded.length > 0) setCollapsed((current) => new Set([...current].filter((key) => !folded.includes(key))));
      else onRevealMissing?.(path);
      return;
    }
    following.current = false;
    setOpen((current) => new Set([...current, path]));
    virtualizer.scrollToIndex(index, { align: "start" });
  });

  // Only when asked (a new `at`) or unfolded for it, not on every change of the list.
  useEffect(() => {
    if (reveal !== null) revealRow(reveal.path, collapsed);
  }, [reveal, collapsed]);

  const toggleOpen = useCallback((key: string) => {
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  }, []);
  const toggleCollapsed = useCallback((key: string) => {
    setCollapsed((current) => {
      const next = new Set(current);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  }, []);

  if (!loaded || (rows.length === 0 && fetching)) {
    return (
      <Group justify="center" py="xl" style={{ flex: 1 }} align="flex-start">
        <Loader size="sm" aria-label="Loading the step runs" />
      </Group>
    );
  }
  if (rows.length === 0) {
    return (
      <Stack align="center" py="xl" px="md" gap={6} style={{ flex: 1 }}>
        {live && <Loader size="sm" type="dots" aria-hidden />}
        <Text fz="sm" c="dimmed" ta="center">
          {empty}
        </Text>
      </Stack>
    );
  }

  return (
    <div
      ref={scrollRef}
      className={classes.stepList}
      role="list"
      aria-label="Step runs"
      aria-busy={fetching}
      onScroll={(event) => {
        const element = event.currentTarget;
        following.current = element.scrollTop + element.clientHeight >= element.scrollHeight - 48;
      }}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: "relative", width: "100%" }}>
        {items.map((item) => {
          const row = flat[item.index];
          return (
            <div
              key={item.key}
              data-index={item.index}
              ref={virtualizer.measureElement}
              role="listitem"
              style={{ position: "absolute", top: 0, left: 0, width: "100%", transform: `translateY(${item.start}px)` }}
            >
              {row === undefined ? (
                <Group justify="center" py={10} gap={8}>
                  <Loader size="xs" aria-hidden />
                  <Text fz="xs" c="dimmed">
                    Loading more step runs…
                  </Text>
                </Group>
              ) : (
                <Line row={row} run={run} open={open.has(row.key)} onToggleOpen={toggleOpen} onToggleCollapsed={toggleCollapsed} />
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}

interface LineProps {
  row: FlatRow;
  run: Run;
  open: boolean;
  onToggleOpen: (key: string) => void;
  onToggleCollapsed: (key: string) => void;
}

const Line = memo(function Line({ row, run, open, onToggleOpen, onToggleCollapsed }: LineProps) {
  const padding = 12 + row.depth * INDENT;
  if (row.kind === "iteration") {
    const status = summarise(row.iteration.children);
    const duration = sumDurations(row.iteration.children);
    return (
      <div className={classes.line} data-kind="iteration" data-key={row.key} data-status={status} style={{ paddingLeft: padding }}>
        <button
          type="button"
          className={classes.lineButton}
          onClick={() => onToggleCollapsed(row.key)}
          aria-expanded={row.expanded}
          aria-label={`Iteration ${row.iteration.index + 1} of ${row.loopName}`}
        >
          {row.expanded ? <IconChevronDown size={14} aria-hidden /> : <IconChevronRight size={14} aria-hidden />}
          <StatusDot status={status} size={15} />
          <Text fz={12.5} fw={550}>
            Iteration {row.iteration.index + 1}
          </Text>
          <Text fz={11.5} c="dimmed">
            {row.iteration.children.length} {row.iteration.children.length === 1 ? "step" : "steps"}
          </Text>
        </button>
        <span className={classes.meta}>{duration > 0 ? formatDuration(duration) : ""}</span>
      </div>
    );
  }
  const stepRun = row.kind === "step" ? row.run : row.loop.run;
  // A finished run's loop whose own step run is not among the rows (search, status filter): what its iterations shown say.
  const status =
    row.kind === "step"
      ? row.run.status
      : row.loop.run === undefined && !isRunLive(run.status)
        ? summarise(row.loop.iterations)
        : entryStatus(row.loop);
  const name = row.kind === "step" ? row.run.step_name : row.loop.name;
  return (
    <div data-path={row.key}>
      <div className={classes.line} data-kind={row.kind} data-status={status} data-selected={open} style={{ paddingLeft: padding }}>
        {row.kind === "loop" && (
          <Tooltip label={row.expanded ? "Fold the iterations" : "Show the iterations"} withArrow openDelay={400}>
            <ActionIcon
              size="sm"
              variant="subtle"
              color="indigo"
              onClick={() => onToggleCollapsed(row.key)}
              aria-expanded={row.expanded}
              aria-label={`${row.expanded ? "Hide" : "Show"} the iterations of ${row.key}`}
            >
              {row.expanded ? <IconChevronDown size={15} /> : <IconChevronRight size={15} />}
            </ActionIcon>
          </Tooltip>
        )}
        <button
          type="button"
          className={classes.lineButton}
          onClick={() => stepRun !== undefined && onToggleOpen(row.key)}
          aria-expanded={stepRun === undefined ? undefined : open}
          aria-label={`${row.key}: ${status}`}
          disabled={stepRun === undefined}
          style={{ cursor: stepRun === undefined ? "default" : "pointer" }}
        >
          {row.kind === "step" && (open ? <IconChevronDown size={14} aria-hidden /> : <IconChevronRight size={14} aria-hidden />)}
          <StatusDot status={status} size={18} />
          <StepLabel name={name} />
          <span className={classes.stepName}>{row.key}</span>
        </button>
        <span className={classes.meta}>
          {row.kind === "loop" && (
            <Text span fz={11.5} c="indigo.7" fw={550}>
              {loopCount(row.loop.iterations.length, stepRun, run, name, row.key)}
            </Text>
          )}
          {stepRun !== undefined && stepRun.retries > 0 && (
            <Tooltip label={`The vendor was called ${stepRun.retries + 1} times`} withArrow>
              <Badge size="xs" variant="light" color="orange" leftSection={<IconRepeat size={10} />} tt="none">
                {stepRun.retries} {stepRun.retries === 1 ? "retry" : "retries"}
              </Badge>
            </Tooltip>
          )}
          {stepRun?.reused && (
            <Tooltip label="Output reused from the run being retried: not executed again" withArrow multiline maw={240}>
              <Badge size="xs" variant="light" color="gray" tt="none">
                reused
              </Badge>
            </Tooltip>
          )}
          {stepRun !== undefined ? formatDuration(stepRun.duration_ms) : <Loader size={12} type="dots" aria-label="Running" />}
        </span>
      </div>
      {open && stepRun !== undefined && <StepBody stepRun={stepRun} runId={run.id} padding={padding + 22} />}
    </div>
  );
});

function loopCount(seen: number, own: StepRun | undefined, run: Run, name: string, key: string): string {
  // The run's progress counts iterations done, as the canvas shows; it follows the latest
  // instance of a nested loop, so a nested one reads its own step run.
  const progress = run.progress?.loops?.[name];
  if (progress !== undefined && !key.includes("[")) return `${progress.done.toLocaleString()} / ${progress.count.toLocaleString()}`;
  const output = own?.output;
  if (output !== null && typeof output === "object" && !Array.isArray(output) && typeof output.count === "number") {
    return `${(typeof output.iterations === "number" ? output.iterations : seen).toLocaleString()} / ${output.count.toLocaleString()}`;
  }
  return `${seen} ${seen === 1 ? "iteration" : "iterations"}`;
}

function sumDurations(entries: readonly { kind: string; run?: StepRun }[]): number {
  return entries.reduce((sum, entry) => sum + (entry.run?.duration_ms ?? 0), 0);
}

function StepLabel({ name }: { name: string }) {
  const catalogue = useCatalogue();
  const step = useAppStore((state) => (state.definition === null ? undefined : stepOf(state.definition, name)));
  const connector = step === undefined ? undefined : catalogue.get(step.connector);
  const title = name === TRIGGER_NAME ? (connector?.title ?? "Trigger") : step === undefined ? name : stepTitle(step, connector);
  return (
    <>
      {connector !== undefined && <img src={connector.icon_url} alt="" width={16} height={16} style={{ flex: "none" }} />}
      <Text fz={13} fw={550} truncate style={{ minWidth: 0 }}>
        {title}
      </Text>
    </>
  );
}

/** One step run's error, input, output and log, with "Load full" and "Use output". */
export function StepBody({ stepRun, runId, padding }: { stepRun: StepRun; runId: string; padding: number }) {
  const [wantFull, setWantFull] = useState(false);
  const truncated = stepRun.input_truncated || stepRun.output_truncated;
  const full = useGetStepRun(runId, stepRun.sequence, wantFull && truncated);
  const shown = full.data ?? stepRun;
  const queryClient = useQueryClient();

  const copyPath = useCallback(
    (keys: JsonKey[]) => {
      const path = jsonPathOf(stepRun.step_name, keys);
      void copyText(path).then((copied) =>
        notifications.show({
          color: copied ? "teal" : "orange",
          title: copied ? "Jsonpath copied" : "Copy it from here",
          message: path,
        }),
      );
    },
    [stepRun.step_name],
  );

  const applyOutput = async () => {
    let output: JsonValue = shown.output;
    if (shown.output_truncated) {
      const whole = await queryClient.fetchQuery({
        queryKey: queryKeys.stepRun(runId, stepRun.sequence),
        queryFn: () => api.get<StepRun>(`/api/runs/${runId}/steps/${stepRun.sequence}/`),
        staleTime: Infinity,
      });
      output = whole.output;
    }
    appStore.getState().setStepSample(stepRun.step_name, output);
    notifications.show({
      color: "indigo",
      title: `Output of ${stepRun.step_name} in use`,
      message: "The connector-snake and jsonpath completion now offer its properties.",
    });
  };

  return (
    <div className={classes.stepBody} style={{ paddingLeft: padding }} aria-label={`Step run ${stepRun.path}`} role="group">
      <Stack gap={8} pt={6}>
        {stepRun.status === "continued" && (
          <Alert
            color="orange"
            variant="light"
            p={8}
            icon={<IconAlertTriangle size={15} aria-hidden />}
            styles={{ message: { fontSize: 12.5, wordBreak: "break-word" } }}
            data-testid="continued-failure"
          >
            Failed and continued (its output is the error){continuedError(stepRun) !== undefined ? `: ${continuedError(stepRun)}` : "."}
          </Alert>
        )}
        {stepRun.error !== "" && stepRun.status !== "continued" && (
          <Alert color="red" variant="light" p={8} styles={{ message: { fontSize: 12.5, wordBreak: "break-word" } }}>
            {stepRun.error}
          </Alert>
        )}
        <Text fz={11.5} c="dimmed">
          {stepRun.connector}.{stepRun.operation} · started {new Date(stepRun.started_at).toLocaleTimeString()} · {formatDuration(stepRun.duration_ms)}
          {stepRun.retries > 0 && ` · ${stepRun.retries} ${stepRun.retries === 1 ? "retry" : "retries"}`}
          {stepRun.reused && " · output reused from the retried run"}
        </Text>
        <PayloadSection
          title="Input"
          owner={stepRun.path}
          value={shown.input}
          size={stepRun.input_size}
          truncated={shown.input_truncated}
          loading={full.isFetching}
          onLoadFull={() => setWantFull(true)}
          empty={stepRun.status === "failed" ? "No input: the step failed before its properties were resolved." : undefined}
        />
        <PayloadSection
          title="Output"
          owner={stepRun.path}
          value={shown.output}
          size={stepRun.output_size}
          truncated={shown.output_truncated}
          loading={full.isFetching}
          onLoadFull={() => setWantFull(true)}
          onKeyClick={copyPath}
          hint={shown.output === null ? undefined : "Click a key to copy its jsonpath"}
          empty={stepRun.status === "failed" ? "No output: the step failed." : undefined}
        />
        {stepRun.log.length > 0 && (
          <div className={classes.section}>
            <div className={classes.sectionHeader} style={{ paddingLeft: 10 }}>
              Log
            </div>
            <div className={classes.sectionBody}>
              {stepRun.log.map((line, index) => (
                <div key={index} className={classes.logLine}>
                  {line}
                </div>
              ))}
            </div>
          </div>
        )}
        {stepRun.status === "succeeded" && (
          <Group gap={6}>
            <Tooltip label="Offer this output's properties in the connector-snake and the jsonpath completion" withArrow multiline maw={260}>
              <Button size="compact-xs" variant="light" leftSection={<IconPlugConnected size={13} aria-hidden />} onClick={() => void applyOutput()}>
                Use output
              </Button>
            </Tooltip>
          </Group>
        )}
      </Stack>
    </div>
  );
}

function PayloadSection({
  title,
  owner,
  value,
  size,
  truncated,
  loading,
  onLoadFull,
  onKeyClick,
  hint,
  empty,
}: {
  title: "Input" | "Output";
  owner: string;
  value: JsonValue;
  size: number;
  truncated: boolean;
  loading: boolean;
  onLoadFull: () => void;
  onKeyClick?: (keys: JsonKey[]) => void;
  hint?: string;
  /** Shown in place of a null value. */
  empty?: string;
}) {
  const [expanded, setExpanded] = useState(true);
  const preview = truncated && value !== null && typeof value === "object" && !Array.isArray(value) && typeof value.preview === "string" ? value.preview : null;
  return (
    <div className={classes.section} data-section={title.toLowerCase()}>
      <div className={classes.sectionHeader}>
        <button type="button" className={classes.sectionToggle} onClick={() => setExpanded((current) => !current)} aria-expanded={expanded}>
          {expanded ? <IconChevronDown size={13} aria-hidden /> : <IconChevronRight size={13} aria-hidden />}
          {title}
        </button>
        {hint !== undefined && expanded && !truncated && (
          <Text span fz={11} c="dimmed" fw={400}>
            {hint}
          </Text>
        )}
        <Text span fz={11} c="dimmed" fw={400}>
          {size > 0 ? formatBytes(size) : ""}
        </Text>
      </div>
      {expanded && (
        <div className={classes.sectionBody}>
          {truncated ? (
            <div className={classes.truncated} role="note" aria-label={`${title} truncated`}>
              <Group justify="space-between" gap={6} wrap="nowrap">
                <Text fz={12} fw={550} c="orange.8">
                  Truncated: {formatBytes(size)} is over the 64 KB shown in lists
                </Text>
                <Button size="compact-xs" variant="light" color="orange" leftSection={<IconDownload size={12} aria-hidden />} onClick={onLoadFull} loading={loading}>
                  Load full
                </Button>
              </Group>
              {preview !== null && <pre className={classes.preview}>{preview}…</pre>}
            </div>
          ) : value === null && empty !== undefined ? (
            <Text fz={12} c="dimmed" fs="italic">
              {empty}
            </Text>
          ) : (
            <JsonTree value={value} label={`${title} of ${owner}`} onKeyClick={onKeyClick} />
          )}
        </div>
      )}
    </div>
  );
}
