import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Container,
  EmptyState,
  Group,
  Menu,
  Modal,
  Paper,
  Radio,
  Skeleton,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
  VisuallyHidden,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconAlertTriangle, IconClockPause, IconCopy, IconDots, IconPencil, IconPlus, IconRoute, IconTrash } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { errorAt, fieldErrorsOf, messageOf } from "../api/errors";
import { queryKeys } from "../api/query-keys";
import type { Run, WorkflowSummary } from "../api/types";
import { useCreateWorkflow } from "../api/use-create-workflow";
import { useDeleteWorkflow } from "../api/use-delete-workflow";
import { useConnectorCatalogue, useGetConnectors } from "../api/use-get-connectors";
import { useGetRecentRuns } from "../api/use-get-recent-runs";
import { getWorkflow } from "../api/use-get-workflow";
import { useGetWorkflows } from "../api/use-get-workflows";
import { useUpdateWorkflow } from "../api/use-update-workflow";
import { defaultProperties, emptyDefinition } from "../definition/structure";
import { EnabledSwitch } from "../triggers/EnabledSwitch";
import { triggerChoices, type TriggerChoice } from "../triggers/triggers";
import { runWaitingText } from "../debug/run-waiting";
import { STATUS_COLORS } from "../debug/StepRunStatus";
import { fullDate, timeAgo } from "./format";

export function DashboardPage() {
  const workflows = useGetWorkflows();
  const runs = useGetRecentRuns();
  const catalogue = useConnectorCatalogue();
  const [creating, setCreating] = useState(false);
  const [renaming, setRenaming] = useState<WorkflowSummary | null>(null);
  const [deleting, setDeleting] = useState<WorkflowSummary | null>(null);
  const create = useCreateWorkflow();
  const queryClient = useQueryClient();

  const lastRuns = useMemo(() => {
    const latest = new Map<string, Run>();
    for (const run of runs.data?.results ?? []) {
      if (!latest.has(run.workflow)) latest.set(run.workflow, run);
    }
    return latest;
  }, [runs.data]);

  const duplicate = async (workflow: WorkflowSummary) => {
    try {
      const full = await getWorkflow(workflow.id);
      const copy = await create.mutateAsync({ name: `${workflow.name} (copy)`, definition: full.definition });
      notifications.show({ color: "teal", title: "Workflow duplicated", message: `“${copy.name}” was created.` });
    } catch (error) {
      notifications.show({ color: "red", title: "Could not duplicate", message: messageOf(error) });
    }
  };

  const list = workflows.data?.results ?? [];
  return (
    <Container size="lg" py="xl">
      <Group justify="space-between" mb="lg" align="flex-end">
        <Stack gap={2}>
          <Title order={1} fz={26}>
            Workflows
          </Title>
          <Text c="dimmed" fz="sm">
            Your organisation's workflows. Open one to edit it in the builder.
          </Text>
        </Stack>
        <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
          Create new workflow
        </Button>
      </Group>
      <Paper withBorder radius="lg" shadow="xs">
        {workflows.isPending ? (
          <Stack p="lg" gap="md">
            {[0, 1, 2].map((row) => (
              <Skeleton key={row} h={22} radius="sm" />
            ))}
          </Stack>
        ) : workflows.isError ? (
          <Alert m="lg" color="red" variant="light" icon={<IconAlertTriangle size={16} />} title="The workflows could not be loaded">
            {workflows.error.message}
          </Alert>
        ) : list.length === 0 ? (
          <EmptyState
            py={56}
            icon={<IconRoute size={28} />}
            variant="light"
            title="No workflow yet"
            description="A workflow starts with a trigger and runs its steps one after the other. Create your first one."
          >
            <EmptyState.Actions>
              <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
                Create new workflow
              </Button>
            </EmptyState.Actions>
          </EmptyState>
        ) : (
          <Table verticalSpacing="sm" horizontalSpacing="lg" highlightOnHover aria-label="Workflows">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th w={200}>Trigger</Table.Th>
                <Table.Th w={96}>Enabled</Table.Th>
                <Table.Th w={220}>Last run</Table.Th>
                <Table.Th w={160}>Updated</Table.Th>
                <Table.Th w={56}>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((workflow) => {
                const trigger = catalogue.get(workflow.trigger);
                const run = lastRuns.get(workflow.id);
                return (
                  <Table.Tr key={workflow.id}>
                    <Table.Td>
                      <Group gap={8} wrap="nowrap">
                        <Text component={Link} to={`/workflows/${workflow.id}`} fw={600} fz="sm" c="indigo.7" style={{ textDecoration: "none" }}>
                          {workflow.name}
                        </Text>
                        {workflow.problems.length > 0 && (
                          <Tooltip label={workflow.problems.map((problem) => problem.message).join("; ")} withArrow multiline maw={320}>
                            <Badge variant="light" color="orange" tt="none" style={{ flexShrink: 0 }}>
                              Draft: {workflow.problems.length === 1 ? "1 problem" : `${workflow.problems.length} problems`}
                            </Badge>
                          </Tooltip>
                        )}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={8} wrap="nowrap">
                        {trigger !== undefined && <img src={trigger.icon_url} alt="" width={18} height={18} />}
                        <Text fz="sm">{trigger?.title ?? workflow.trigger}</Text>
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <EnabledSwitch
                        workflowId={workflow.id}
                        workflowName={workflow.name}
                        enabled={workflow.enabled}
                        onChanged={() => void queryClient.invalidateQueries({ queryKey: queryKeys.workflows })}
                      />
                    </Table.Td>
                    <Table.Td>
                      {run === undefined ? (
                        <Text fz="sm" c="dimmed">
                          Never run
                        </Text>
                      ) : (
                        <Tooltip label={run.status === "waiting" ? `${runWaitingText(run)} · started ${fullDate(run.created_at)}` : fullDate(run.created_at)} withArrow>
                          <Group gap={6} wrap="nowrap">
                            <Badge
                              variant="light"
                              color={STATUS_COLORS[run.status]}
                              tt="none"
                              size="sm"
                              leftSection={run.status === "waiting" ? <IconClockPause size={12} aria-hidden /> : undefined}
                              style={{ flex: "none" }}
                            >
                              {run.status}
                            </Badge>
                            <Text fz="xs" c="dimmed" style={{ whiteSpace: "nowrap" }}>
                              {timeAgo(run.created_at)}
                            </Text>
                          </Group>
                        </Tooltip>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Tooltip label={fullDate(workflow.updated_at)} withArrow>
                        <Text fz="sm" c="dimmed">
                          {timeAgo(workflow.updated_at)}
                        </Text>
                      </Tooltip>
                    </Table.Td>
                    <Table.Td>
                      <Menu position="bottom-end" shadow="md" width={170}>
                        <Menu.Target>
                          <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${workflow.name}`}>
                            <IconDots size={16} />
                          </ActionIcon>
                        </Menu.Target>
                        <Menu.Dropdown>
                          <Menu.Item leftSection={<IconPencil size={15} />} onClick={() => setRenaming(workflow)}>
                            Rename
                          </Menu.Item>
                          <Menu.Item leftSection={<IconCopy size={15} />} onClick={() => void duplicate(workflow)}>
                            Duplicate
                          </Menu.Item>
                          <Menu.Divider />
                          <Menu.Item color="red" leftSection={<IconTrash size={15} />} onClick={() => setDeleting(workflow)}>
                            Delete
                          </Menu.Item>
                        </Menu.Dropdown>
                      </Menu>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      <CreateWorkflowModal opened={creating} onClose={() => setCreating(false)} />
      <RenameWorkflowModal
        workflow={renaming}
        onClose={() => setRenaming(null)}
        onRenamed={() => void queryClient.invalidateQueries({ queryKey: queryKeys.workflows })}
      />
      <DeleteWorkflowModal workflow={deleting} onClose={() => setDeleting(null)} />
    </Container>
  );
}

/** A new workflow's definition: the chosen trigger, with its required properties' defaults. */
function newDefinition(choice: TriggerChoice) {
  const definition = emptyDefinition({ connector: choice.connector.key, operation: choice.operation.key });
  return { ...definition, trigger: { ...definition.trigger, properties: defaultProperties(choice.operation) } };
}

function CreateWorkflowModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const connectors = useGetConnectors();
  const choices = useMemo(() => triggerChoices(connectors.data ?? []), [connectors.data]);
  const [name, setName] = useState("");
  const [trigger, setTrigger] = useState<string | null>(null);
  const create = useCreateWorkflow();
  const navigate = useNavigate();
  // Manual (the first) until another is picked: Enter in the name creates a workflow at once.
  const chosen = choices.find((choice) => choice.value === trigger) ?? choices[0];
  const errors = fieldErrorsOf(create.error);
  const close = () => {
    onClose();
    setName("");
    setTrigger(null);
    create.reset();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (chosen === undefined || name.trim() === "") return;
    create.mutate(
      { name: name.trim(), definition: newDefinition(chosen) },
      { onSuccess: (workflow) => void navigate(`/workflows/${workflow.id}`) },
    );
  };
  return (
    <Modal closeButtonProps={{ "aria-label": "Close" }} opened={opened} onClose={close} title="Create new workflow" size="lg" centered>
      <form onSubmit={submit}>
        <Stack gap="md">
          <TextInput
            label="Workflow name"
            placeholder="e.g. New paying accounts to Slack"
            value={name}
            onChange={(event) => setName(event.currentTarget.value)}
            required
            data-autofocus
            error={errorAt(errors, "name")}
          />
          <Radio.Group label="Trigger" description="What starts the workflow." value={chosen?.value ?? null} onChange={setTrigger} required>
            <Stack gap="xs" mt="xs">
              {choices.map((choice) => (
                <Radio.Card key={choice.value} value={choice.value} radius="md" p="sm" aria-label={choice.label} data-trigger={choice.connector.key}>
                  <Group wrap="nowrap" align="flex-start" gap="sm">
                    <Radio.Indicator mt={2} />
                    <img src={choice.connector.icon_url} alt="" width={22} height={22} />
                    <Stack gap={0} style={{ minWidth: 0 }}>
                      <Text fw={600} fz="sm">
                        {choice.label}
                      </Text>
                      <Text fz="xs" c="dimmed">
                        {choice.description}
                      </Text>
                    </Stack>
                  </Group>
                </Radio.Card>
              ))}
              {connectors.isPending && [0, 1, 2, 3].map((slot) => <Skeleton key={slot} h={56} radius="md" />)}
            </Stack>
          </Radio.Group>
          {create.isError && errors.length === 0 && (
            <Alert color="red" variant="light" icon={<IconAlertTriangle size={16} />}>
              {messageOf(create.error)}
            </Alert>
          )}
          <Group justify="flex-end" mt="xs">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending} disabled={chosen === undefined || name.trim() === ""}>
              Create
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function RenameWorkflowModal({ workflow, onClose, onRenamed }: { workflow: WorkflowSummary | null; onClose: () => void; onRenamed: () => void }) {
  const [name, setName] = useState("");
  const update = useUpdateWorkflow();
  const [shown, setShown] = useState<string | null>(null);
  if (workflow !== null && shown !== workflow.id) {
    setShown(workflow.id);
    setName(workflow.name);
    update.reset();
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (workflow === null || name.trim() === "") return;
    update.mutate(
      { id: workflow.id, version: workflow.version, name: name.trim() },
      {
        onSuccess: () => {
          onRenamed();
          setShown(null);
          onClose();
        },
      },
    );
  };
  return (
    <Modal closeButtonProps={{ "aria-label": "Close" }} opened={workflow !== null} onClose={() => { setShown(null); onClose(); }} title="Rename workflow" centered>
      <form onSubmit={submit}>
        <Stack gap="md">
          <TextInput label="Workflow name" value={name} onChange={(event) => setName(event.currentTarget.value)} required data-autofocus error={errorAt(fieldErrorsOf(update.error), "name")} />
          {update.isError && fieldErrorsOf(update.error).length === 0 && (
            <Alert color="red" variant="light" icon={<IconAlertTriangle size={16} />}>
              {messageOf(update.error)}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => { setShown(null); onClose(); }}>
              Cancel
            </Button>
            <Button type="submit" loading={update.isPending} disabled={name.trim() === ""}>
              Rename
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function DeleteWorkflowModal({ workflow, onClose }: { workflow: WorkflowSummary | null; onClose: () => void }) {
  const remove = useDeleteWorkflow();
  return (
    <Modal closeButtonProps={{ "aria-label": "Close" }} opened={workflow !== null} onClose={onClose} title="Delete workflow?" centered size="sm">
      <Stack gap="md">
        <Text fz="sm">
          “{workflow?.name}” and its run history will be deleted. This cannot be undone.
        </Text>
        {remove.isError && (
          <Alert color="red" variant="light">
            {messageOf(remove.error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            color="red"
            loading={remove.isPending}
            onClick={() => workflow !== null && remove.mutate(workflow.id, { onSuccess: onClose })}
          >
            Delete
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
