import { Alert, Button, Group, Select, Stack, Text } from "@mantine/core";
import { IconAlertTriangle, IconCircleCheck, IconPlugConnected, IconPlugConnectedX, IconPlus } from "@tabler/icons-react";
import { useState } from "react";
import type { Connector, StepDefinition } from "../api/types";
import { useGetAuthentications } from "../api/use-get-authentications";
import { useTestAuthentication } from "../api/use-test-authentication";
import { AuthenticationModal } from "../authentications/AuthenticationModal";
import { useAppStore } from "../store";

/** The Authenticate tab: pick one of the authentications the user may use, or add one. */
export function AuthenticateTab({ name, step, connector, error }: { name: string; step: StepDefinition; connector: Connector; error?: string | undefined }) {
  const authentications = useGetAuthentications(connector.key);
  const setAuthentication = useAppStore((state) => state.setAuthentication);
  const [adding, setAdding] = useState(false);
  const test = useTestAuthentication();
  const list = authentications.data ?? [];
  const data = [
    { group: "Personal", items: list.filter((item) => item.scope === "personal").map((item) => ({ value: item.id, label: item.name })) },
    {
      group: "Organisational",
      items: list.filter((item) => item.scope === "organisational").map((item) => ({ value: item.id, label: item.name })),
    },
  ].filter((group) => group.items.length > 0);
  const missing = step.authentication !== undefined && authentications.isSuccess && !list.some((item) => item.id === step.authentication);
  const selected = missing ? null : (step.authentication ?? null);

  return (
    <Stack p="md" gap="md">
      <Text fz="sm" c="dimmed">
        The {connector.title} account this step acts as. Authentications are shared between steps and workflows.
      </Text>
      <Stack gap={6}>
        <Select
          label="Authentication"
          placeholder={authentications.isPending ? "Loading…" : list.length === 0 ? "No authentication yet" : "Choose an authentication"}
          data={data}
          value={selected}
          onChange={(value) => {
            test.reset();
            setAuthentication(name, value);
          }}
          error={missing ? "This authentication no longer exists, or you may not use it." : error}
          clearable
          searchable
          selectFirstOptionOnChange
          comboboxProps={{ withinPortal: true }}
          nothingFoundMessage="No authentication"
        />
        <Group justify="space-between">
          <Button variant="subtle" size="compact-sm" leftSection={<IconPlus size={14} />} onClick={() => setAdding(true)}>
            Add new authentication
          </Button>
          {selected !== null && (
            <Button
              variant="subtle"
              color="gray"
              size="compact-sm"
              leftSection={<IconPlugConnected size={14} />}
              loading={test.isPending}
              onClick={() => test.mutate(selected)}
            >
              Test connection
            </Button>
          )}
        </Group>
      </Stack>
      {test.data !== undefined && (
        <Alert
          color={test.data.ok ? "teal" : "red"}
          variant="light"
          icon={test.data.ok ? <IconCircleCheck size={16} /> : <IconPlugConnectedX size={16} />}
          role="status"
        >
          {test.data.message}
        </Alert>
      )}
      {test.isError && (
        <Alert color="red" variant="light" icon={<IconAlertTriangle size={16} />}>
          {test.error.message}
        </Alert>
      )}
      <AuthenticationModal
        opened={adding}
        onClose={() => setAdding(false)}
        connector={connector}
        onSaved={(created) => setAuthentication(name, created.id)}
      />
    </Stack>
  );
}
