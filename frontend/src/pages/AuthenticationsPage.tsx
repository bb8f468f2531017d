import { ActionIcon, Alert, Badge, Button, Container, EmptyState, Group, Menu, Modal, Paper, Skeleton, Stack, Table, Text, Title, Tooltip, VisuallyHidden } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconAlertTriangle, IconDots, IconKey, IconPencil, IconPlugConnected, IconPlus, IconTrash } from "@tabler/icons-react";
import { useState } from "react";
import { isApiError } from "../api/client";
import { messageOf } from "../api/errors";
import type { Authentication } from "../api/types";
import { useDeleteAuthentication } from "../api/use-delete-authentication";
import { useGetAuthentications } from "../api/use-get-authentications";
import { useConnectorCatalogue } from "../api/use-get-connectors";
import { useTestAuthentication } from "../api/use-test-authentication";
import { AuthenticationModal } from "../authentications/AuthenticationModal";
import { fullDate, timeAgo } from "./format";

export function AuthenticationsPage() {
  const authentications = useGetAuthentications();
  const catalogue = useConnectorCatalogue();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<Authentication | null>(null);
  const [deleting, setDeleting] = useState<Authentication | null>(null);
  const test = useTestAuthentication();
  const list = authentications.data ?? [];

  const runTest = (authentication: Authentication) =>
    test.mutate(authentication.id, {
      onSuccess: (result) =>
        notifications.show({
          color: result.ok ? "teal" : "red",
          title: result.ok ? `${authentication.name} works` : `${authentication.name} failed`,
          message: result.message,
        }),
      onError: (error) => notifications.show({ color: "red", title: "Could not test", message: messageOf(error) }),
    });

  return (
    <Container size="lg" py="xl">
      <Group justify="space-between" mb="lg" align="flex-end">
        <Stack gap={2}>
          <Title order={1} fz={26}>
            Authentications
          </Title>
          <Text c="dimmed" fz="sm">
            Your personal authentications and the organisation's. Secrets are stored encrypted and never shown again.
          </Text>
        </Stack>
        <Button leftSection={<IconPlus size={16} />} onClick={() => setAdding(true)}>
          Add new authentication
        </Button>
      </Group>
      <Paper withBorder radius="lg" shadow="xs">
        {authentications.isPending ? (
          <Stack p="lg" gap="md">
            {[0, 1, 2].map((row) => (
              <Skeleton key={row} h={22} radius="sm" />
            ))}
          </Stack>
        ) : authentications.isError ? (
          <Alert m="lg" color="red" variant="light" icon={<IconAlertTriangle size={16} />} title="The authentications could not be loaded">
            {authentications.error.message}
          </Alert>
        ) : list.length === 0 ? (
          <EmptyState
            py={56}
            icon={<IconKey size={28} />}
            variant="light"
            title="No authentication yet"
            description="An authentication lets steps act on a service (Totango, Slack…) on your behalf. Add one here or from a step's Authenticate tab."
          >
            <EmptyState.Actions>
              <Button leftSection={<IconPlus size={16} />} onClick={() => setAdding(true)}>
                Add new authentication
              </Button>
            </EmptyState.Actions>
          </EmptyState>
        ) : (
          <Table verticalSpacing="sm" horizontalSpacing="lg" highlightOnHover aria-label="Authentications">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th w={180}>Connector</Table.Th>
                <Table.Th w={150}>Type</Table.Th>
                <Table.Th w={130}>Owner</Table.Th>
                <Table.Th w={140}>Updated</Table.Th>
                <Table.Th w={120}>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.map((authentication) => {
                const connector = catalogue.get(authentication.connector);
                return (
                  <Table.Tr key={authentication.id}>
                    <Table.Td>
                      <Text fw={600} fz="sm">
                        {authentication.name}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={8} wrap="nowrap">
                        {connector !== undefined && <img src={connector.icon_url} alt="" width={18} height={18} />}
                        <Text fz="sm">{connector?.title ?? authentication.connector}</Text>
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Badge variant="light" color={authentication.scope === "personal" ? "indigo" : "grape"} tt="none">
                        {authentication.scope === "personal" ? "Personal" : "Organisational"}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text fz="sm">{authentication.owner}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Tooltip label={fullDate(authentication.updated_at)} withArrow>
                        <Text fz="sm" c="dimmed">
                          {timeAgo(authentication.updated_at)}
                        </Text>
                      </Tooltip>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4} justify="flex-end" wrap="nowrap">
                        <Button
                          size="compact-xs"
                          variant="light"
                          leftSection={<IconPlugConnected size={13} />}
                          loading={test.isPending && test.variables === authentication.id}
                          onClick={() => runTest(authentication)}
                          aria-label={`Test ${authentication.name}`}
                        >
                          Test
                        </Button>
                        <Menu position="bottom-end" shadow="md" width={160}>
                          <Menu.Target>
                            <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${authentication.name}`}>
                              <IconDots size={16} />
                            </ActionIcon>
                          </Menu.Target>
                          <Menu.Dropdown>
                            <Menu.Item leftSection={<IconPencil size={15} />} onClick={() => setEditing(authentication)}>
                              Edit
                            </Menu.Item>
                            <Menu.Item color="red" leftSection={<IconTrash size={15} />} onClick={() => setDeleting(authentication)}>
                              Delete
                            </Menu.Item>
                          </Menu.Dropdown>
                        </Menu>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        )}
      </Paper>
      <AuthenticationModal opened={adding} onClose={() => setAdding(false)} />
      <AuthenticationModal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        {...(editing === null ? {} : { existing: editing, connector: catalogue.get(editing.connector) })}
      />
      <DeleteAuthenticationModal authentication={deleting} onClose={() => setDeleting(null)} />
    </Container>
  );
}

function DeleteAuthenticationModal({ authentication, onClose }: { authentication: Authentication | null; onClose: () => void }) {
  const remove = useDeleteAuthentication();
  // 409: workflows use it; the user may still delete it, knowing their runs will fail.
  const inUse = isApiError(remove.error) && remove.error.status === 409;
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <Modal closeButtonProps={{ "aria-label": "Close" }} opened={authentication !== null} onClose={close} title="Delete authentication?" centered size="sm">
      <Stack gap="md">
        <Text fz="sm">Steps that use “{authentication?.name}” will fail to run until they are given another authentication.</Text>
        {remove.isError && (
          <Alert color={inUse ? "orange" : "red"} variant="light" icon={<IconAlertTriangle size={16} />}>
            {messageOf(remove.error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            Cancel
          </Button>
          <Button
            color="red"
            loading={remove.isPending}
            onClick={() => authentication !== null && remove.mutate({ id: authentication.id, force: inUse }, { onSuccess: close })}
          >
            {inUse ? "Delete anyway" : "Delete"}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
