/** What started a run, and the runs it called, in the debug panel. */
import { Anchor, Group, Text } from "@mantine/core";
import { IconBellRinging, IconCalendarTime, IconCornerDownRight, IconHandClick, IconSubtask, IconWebhook } from "@tabler/icons-react";
import { Link } from "react-router";
import type { Run, RunChild, TriggerKind } from "../api/types";
import { useGetRun } from "../api/use-get-run";
import { useGetWorkflows } from "../api/use-get-workflows";
import { StatusDot, statusLabel } from "../debug/StepRunStatus";
import { childRunLabel, runHref, runTriggerText, shortRunId } from "./triggers";

const ICONS = {
  manual: IconHandClick,
  webhook: IconWebhook,
  schedule: IconCalendarTime,
  callable: IconSubtask,
  alert: IconBellRinging,
} as const;

/** The icon of what started a run: a hand (Run workflow), a webhook, a calendar, a called workflow, an alert. */
export function TriggerKindIcon({ kind, size = 13 }: { kind: TriggerKind; size?: number }) {
  const Icon = ICONS[kind];
  return <Icon size={size} stroke={2} aria-hidden style={{ flex: "none", verticalAlign: "-2px" }} />;
}

/** The name of a workflow of this organisation, from the workflows list (undefined while unknown). */
function useWorkflowName(id: string | undefined): string | undefined {
  const workflows = useGetWorkflows();
  return id === undefined ? undefined : workflows.data?.results.find((workflow) => workflow.id === id)?.name;
}

/** "Called by Order intake › run 3f2a9c1e": a link that opens the parent run in its workflow's builder. */
function ParentRunLink({ runId, testId = "parent-run-link" }: { runId: string; testId?: string }) {
  const parent = useGetRun(runId);
  const name = useWorkflowName(parent.data?.workflow);
  const text = `${name === undefined ? "" : `${name} › `}run ${shortRunId(runId)}`;
  if (parent.data === undefined) {
    return (
      <Text span fz="xs" c="dimmed">
        {parent.isError ? `run ${shortRunId(runId)} (no longer kept)` : text}
      </Text>
    );
  }
  return (
    <Anchor component={Link} to={runHref(parent.data.workflow, runId)} fz="xs" data-testid={testId}>
      {text}
    </Anchor>
  );
}

/** The selected run's origin line: "Manual · by ada", "Webhook", "Schedule · for 15:05", "Called by <parent run>". */
export function RunOrigin({
  run,
}: {
  run: Pick<Run, "trigger_kind" | "started_by" | "scheduled_for" | "parent_run"> & { alert_for?: string | null };
}) {
  return (
    <Group gap={4} wrap="nowrap" component="span" style={{ display: "inline-flex", maxWidth: "100%" }} data-testid="run-origin">
      <TriggerKindIcon kind={run.trigger_kind} />
      <Text span fz="xs" c="dimmed" style={{ whiteSpace: "nowrap" }}>
        {runTriggerText(run)}
      </Text>
      {run.trigger_kind === "callable" && run.parent_run !== null && <ParentRunLink runId={run.parent_run} />}
      {run.trigger_kind === "alert" && typeof run.alert_for === "string" && <ParentRunLink runId={run.alert_for} testId="alert-for-link" />}
    </Group>
  );
}

/** The runs a run called (its Call workflow steps), each a link to it, wherever its workflow is. */
export function ChildRuns({ runs }: { runs: readonly RunChild[] }) {
  if (runs.length === 0) return null;
  return (
    <nav aria-label="Called runs" style={{ marginTop: 8, paddingLeft: 30 }}>
      <Text fz={11.5} fw={600} c="dimmed" mb={2}>
        Called {runs.length === 1 ? "1 workflow run" : `${runs.length} workflow runs`}
      </Text>
      <ul style={{ listStyle: "none", margin: 0, padding: 0, maxHeight: 92, overflowY: "auto" }}>
        {runs.map((child) => (
          <li key={child.id} style={{ display: "flex", alignItems: "center", gap: 6, minWidth: 0, lineHeight: "20px" }}>
            <IconCornerDownRight size={13} aria-hidden style={{ flex: "none", color: "var(--mantine-color-gray-5)" }} />
            <StatusDot status={child.status} size={14} />
            <Anchor component={Link} to={runHref(child.workflow, child.id)} fz="xs" truncate="end" title={`${childRunLabel(child)} · ${statusLabel(child.status)}`}>
              {childRunLabel(child)}
            </Anchor>
            <Text span fz={11} c="dimmed" style={{ flex: "none" }}>
              run {shortRunId(child.id)}
            </Text>
          </li>
        ))}
      </ul>
    </nav>
  );
}
