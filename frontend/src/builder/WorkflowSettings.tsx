import { ActionIcon, Alert, Button, Group, Loader, Modal, Select, Stack, Text, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconSettings } from "@tabler/icons-react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api/client";
import { errorAt, fieldErrorsOf, messageOf } from "../api/errors";
import { queryKeys } from "../api/query-keys";
import type { Workflow, WorkflowSummary } from "../api/types";
import { getWorkflow } from "../api/use-get-workflow";
import { useGetWorkflows } from "../api/use-get-workflows";
import { useCanEdit } from "../triggers/EnabledSwitch";

/** The trigger connector an alerting workflow starts with. */
export const ALERT_TRIGGER = "alert";

/** Workflows that can be another's alerting workflow: those with the Alert trigger, not the workflow itself. */
export function alertWorkflowChoices(workflows: readonly WorkflowSummary[], workflowId: string): { value: string; label: string }[] {
  return workflows
    .filter((workflow) => workflow.trigger === ALERT_TRIGGER && workflow.id !== workflowId)
    .map((workflow) => ({ value: workflow.id, label: workflow.name }))
    .sort((a, b) => a.label.localeCompare(b.label));
}

/** `alert_workflow` as the API sends it (absent from an older server). */
function alertWorkflowOf(workflow: Workflow | undefined): string | null {
  const value = (workflow as { alert_workflow?: string | null } | undefined)?.alert_workflow;
  return typeof value === "string" ? value : null;
}

/** Settings in the builder's header: the workflow-level ones (its alerting workflow). */
export function WorkflowSettingsButton({ workflowId }: { workflowId: string }) {
  const [opened, setOpened] = useState(false);
  return (
    <>
      <Tooltip label="Workflow settings" withArrow>
        <ActionIcon variant="subtle" color="gray" size="lg" onClick={() => setOpened(true)} aria-label="Workflow settings">
          <IconSettings size={19} />
        </ActionIcon>
      </Tooltip>
      <Modal opened={opened} onClose={() => setOpened(false)} title="Workflow settings" centered closeButtonProps={{ "aria-label": "Close" }}>
        {opened && <SettingsForm workflowId={workflowId} onClose={() => setOpened(false)} />}
      </Modal>
    </>
  );
}

function SettingsForm({ workflowId, onClose }: { workflowId: string; onClose: () => void }) {
  const canEdit = useCanEdit();
  const queryClient = useQueryClient();
  const workflows = useGetWorkflows();
  // The builder's own copy of the workflow is loaded once; the settings are read fresh.
  const current = useQuery({
    queryKey: [...queryKeys.workflow(workflowId), "settings"],
    queryFn: ({ signal }) => getWorkflow(workflowId, signal),
    gcTime: 0,
  });
  const [chosen, setChosen] = useState<string | null | undefined>(undefined);
  const saved = alertWorkflowOf(current.data);
  const value = chosen === undefined ? saved : chosen;
  const save = useMutation({
    mutationFn: (alertWorkflow: string | null) => api.patch<Workflow>(`/api/workflows/${workflowId}/`, { alert_workflow: alertWorkflow }),
    onSuccess: (workflow) => {
      queryClient.setQueryData([...queryKeys.workflow(workflowId), "settings"], workflow);
      void queryClient.invalidateQueries({ queryKey: queryKeys.workflows, exact: true });
      notifications.show({
        color: "teal",
        title: "Settings saved",
        message: alertWorkflowOf(workflow) === null ? "No workflow is alerted when a run fails." : "The alert workflow runs when a run of this one fails.",
      });
      onClose();
    },
  });
  const choices = alertWorkflowChoices(workflows.data?.results ?? [], workflowId);
  const fieldError = errorAt(fieldErrorsOf(save.error), "alert_workflow");

  if (current.isPending || workflows.isPending) return <Loader size="sm" aria-label="Loading the settings" />;
  return (
    <Stack gap="md">
      <Select
        label="Alert workflow"
        description="Runs when a run of this workflow fails (after its error handling), with the failed step and error. Only workflows with the Alert trigger can be chosen."
        placeholder={choices.length === 0 ? "No workflow has the Alert trigger yet" : "None"}
        data={choices}
        value={value}
        onChange={(next) => setChosen(next)}
        clearable
        disabled={!canEdit}
        error={fieldError}
        comboboxProps={{ withinPortal: true }}
      />
      {save.error !== null && fieldError === undefined && (
        <Alert color="red" variant="light" p="xs">
          {messageOf(save.error)}
        </Alert>
      )}
      {choices.length === 0 && (
        <Text fz="xs" c="dimmed">
          Create a workflow with the Alert trigger to have failures reported (to Slack, say).
        </Text>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button onClick={() => save.mutate(value)} loading={save.isPending} disabled={!canEdit || value === saved}>
          Save
        </Button>
      </Group>
    </Stack>
  );
}
