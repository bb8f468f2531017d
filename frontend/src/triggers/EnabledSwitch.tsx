import { Group, List, Loader, Switch, Text, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useState } from "react";
import { isApiError } from "../api/client";
import { fieldErrorsOf, messageOf } from "../api/errors";
import type { Workflow } from "../api/types";
import { useGetMe } from "../api/use-get-me";
import { useSetWorkflowEnabled } from "../api/use-set-workflow-enabled";
import { enableProblems } from "./triggers";

/** True when the signed-in person may change workflows (viewers may only look). */
export function useCanEdit(): boolean {
  const role = useRole();
  return role !== undefined && role !== "viewer";
}

function useRole() {
  return useGetMe().data?.role;
}

export interface EnabledSwitchProps {
  workflowId: string;
  workflowName: string;
  enabled: boolean;
  /** The workflow as the server answered the switch. */
  onChanged?: (workflow: Workflow) => void;
  /** Runs before enabling (the builder waits for its edits to be saved); a rejection stops it. */
  prepare?: () => Promise<void>;
  /** Shown beside the switch; without it the switch is named "Enabled (<workflow name>)" for screen readers only. */
  label?: string;
  size?: "xs" | "sm" | "md";
}

/**
 * The Enabled switch of a workflow: only an enabled workflow fires from its webhook or schedule
 * (Run workflow always works). Enabling a workflow with problems is refused: they show in a
 * notification and the switch stays off. Viewers see it, disabled.
 */
export function EnabledSwitch({ workflowId, workflowName, enabled, onChanged, prepare, label, size = "sm" }: EnabledSwitchProps) {
  const role = useRole();
  const canEdit = role !== undefined && role !== "viewer";
  const mutation = useSetWorkflowEnabled();
  const [preparing, setPreparing] = useState(false);
  const busy = preparing || mutation.isPending;

  const change = async (next: boolean) => {
    try {
      if (next && prepare !== undefined) {
        setPreparing(true);
        try {
          await prepare();
        } finally {
          setPreparing(false);
        }
      }
      const workflow = await mutation.mutateAsync({ id: workflowId, enabled: next });
      onChanged?.(workflow);
      notifications.show({
        color: next ? "teal" : "gray",
        title: next ? `“${workflowName}” is enabled` : `“${workflowName}” is disabled`,
        message: next ? "Its trigger (a webhook or a schedule) starts runs from now on." : "A webhook trigger answers 404, a schedule stops firing.",
      });
    } catch (error) {
      const refused = isApiError(error) && error.status === 400;
      const problems = refused ? enableProblems(fieldErrorsOf(error), messageOf(error)) : [messageOf(error)];
      notifications.show({
        id: `enable-refused-${workflowId}`,
        color: "red",
        autoClose: 12_000,
        title: next ? `“${workflowName}” was not enabled` : `“${workflowName}” was not disabled`,
        message: (
          <div data-testid="enable-problems">
            {refused && (
              <Text fz="sm" mb={4}>
                Fix {problems.length === 1 ? "this problem" : `these ${problems.length} problems`} first:
              </Text>
            )}
            {problems.length === 1 && !refused ? (
              <Text fz="sm">{problems[0]}</Text>
            ) : (
              <List size="sm" spacing={2}>
                {problems.map((problem) => (
                  <List.Item key={problem}>{problem}</List.Item>
                ))}
              </List>
            )}
          </div>
        ),
      });
    }
  };

  const name = label ?? `Enabled (${workflowName})`;
  const toggle = (
    <Switch
      size={size}
      checked={enabled}
      onChange={(event) => void change(event.currentTarget.checked)}
      disabled={!canEdit || busy}
      aria-label={name}
      color="teal"
      thumbIcon={busy ? <Loader size={8} color="gray" aria-hidden /> : undefined}
      label={label === undefined ? undefined : <Text span fz="sm" fw={500} c={enabled ? undefined : "dimmed"}>{label}</Text>}
      styles={{ body: { alignItems: "center" }, track: { cursor: canEdit ? "pointer" : "not-allowed" } }}
    />
  );
  const help = role === "viewer"
    ? "Viewers cannot switch workflows on or off."
    : enabled
      ? "Enabled: its webhook and schedule start runs. Switch off to stop them."
      : "Disabled: its webhook answers 404 and its schedule does not fire. Run workflow works either way.";
  return (
    <Tooltip label={help} withArrow multiline maw={280} openDelay={300} disabled={role === undefined}>
      <Group gap={0} wrap="nowrap" data-enabled={enabled}>
        {toggle}
      </Group>
    </Tooltip>
  );
}
