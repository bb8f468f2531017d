import { notifications } from "@mantine/notifications";
import { useQueries, type UseQueryResult } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useRef, type ReactNode } from "react";
import { queryKeys } from "../api/query-keys";
import { getStepRuns } from "../api/step-runs";
import { isRunLive, type Run } from "../api/types";
import { useGetRun } from "../api/use-get-run";
import { useGetStepRunLog } from "../api/use-get-step-run-log";
import { TRIGGER_NAME, walk } from "../definition/structure";
import { appStore, useAppStore } from "../store";
import { canvasStatuses, type StepProbe } from "./canvas-status";
import { hasMore } from "./step-run-log";
import { waitingStepOf } from "./run-waiting";
import { stepNamesOfPath } from "./step-run-tree";
import { ActiveRunContext, type ActiveRun } from "./run-context";
import { formatDuration } from "./format";

/**
 * Polls the selected run and its step runs while it is live, and writes the state of every step
 * into the store for the canvas. The debug panel reads the same data through `useActiveRun`.
 */
export function ActiveRunProvider({ children }: { children: ReactNode }) {
  const runId = useAppStore((state) => state.activeRunId);
  const structure = useAppStore((state) => state.definition?.steps_structure);
  const runQuery = useGetRun(runId);
  const run = runQuery.data?.id === runId ? runQuery.data : undefined;
  const live = isRunLive(run?.status);
  const steps = useGetStepRunLog(runId, live);
  const { log } = steps;

  const names = useMemo(
    () => [TRIGGER_NAME, ...(structure === undefined ? [] : walk({ trigger: { connector: "", operation: "", properties: {} }, steps_structure: structure, steps: {} }).map((entry) => entry.node.name))],
    [structure],
  );

  // A finished run not loaded whole: ask the server whether the steps not seen yet ran at all.
  const unseen = useMemo(() => {
    if (run === undefined || live || !log.loaded || !hasMore(log)) return [];
    const seen = new Set(log.rows.map((row) => row.step_name));
    return names.filter((name) => !seen.has(name));
  }, [run, live, log, names]);
  // useQueries shares the combined value structurally: the same object while no probe changes.
  const combineProbes = useCallback(
    (results: UseQueryResult<StepProbe>[]) => {
      const found: Record<string, StepProbe> = {};
      unseen.forEach((name, index) => {
        const data = results[index]?.data;
        if (data !== undefined) found[name] = data;
      });
      return found;
    },
    [unseen],
  );
  const probed = useQueries({
    queries: unseen.map((name) => ({
      queryKey: queryKeys.stepRunProbe(runId ?? "", name),
      queryFn: async ({ signal }: { signal: AbortSignal }): Promise<StepProbe> => {
        const page = await getStepRuns(runId!, { offset: 0, limit: 1, step: name }, signal);
        const failed = page.count === 0 ? undefined : await getStepRuns(runId!, { offset: 0, limit: 1, step: name, status: "failed" }, signal);
        const probe: StepProbe = { count: page.count };
        if (failed !== undefined && failed.count > 0) probe.status = "failed";
        else if (page.results[0] !== undefined) probe.status = page.results[0].status;
        return probe;
      },
      staleTime: Infinity,
    })),
    combine: combineProbes,
  });

  useEffect(() => {
    if (run === undefined) {
      appStore.getState().setStepStates({});
      return;
    }
    const spotlight = stepNamesOfPath(run.status === "failed" ? run.failed_step : waitingStepOf(run)).at(-1) ?? null;
    appStore.getState().setStepStates(canvasStatuses({ names, run, rows: log.rows, complete: log.loaded && !hasMore(log), probes: probed }), spotlight);
  }, [run, log, names, probed]);

  useFinishedNotice(run);

  const value = useMemo<ActiveRun>(() => ({ run, runError: runQuery.error, live, steps }), [run, runQuery.error, live, steps]);
  return <ActiveRunContext.Provider value={value}>{children}</ActiveRunContext.Provider>;
}

/** Says how a run the user watched has ended. */
function useFinishedNotice(run: Run | undefined) {
  const watched = useRef<{ id: string; live: boolean } | null>(null);
  useEffect(() => {
    if (run === undefined) return;
    const previous = watched.current;
    watched.current = { id: run.id, live: isRunLive(run.status) };
    if (previous === null || previous.id !== run.id || !previous.live || isRunLive(run.status)) return;
    const took = run.duration_ms === null ? "" : ` in ${formatDuration(run.duration_ms)}`;
    if (run.status === "succeeded") {
      notifications.show({ color: "teal", title: "Run succeeded", message: `The workflow ran${took}.` });
    } else if (run.status === "failed") {
      notifications.show({ color: "red", title: `Run failed at ${run.failed_step || "a step"}`, message: run.error || "See the debug panel." });
    } else {
      notifications.show({ color: "gray", title: "Run cancelled", message: `Stopped${took}.` });
    }
  }, [run]);
}
