import {
  Alert,
  AppShell,
  Badge,
  Button,
  Card,
  Center,
  Group,
  Loader,
  Stack,
  Text,
  ThemeIcon,
  Title,
} from "@mantine/core";
import { IconAlertTriangle, IconCircleCheck, IconRefresh, IconRoute } from "@tabler/icons-react";
import { useGetHealth } from "./api/use-get-health";

export const PRODUCT_NAME = "Flowbuilder";

function Logo() {
  return (
    <Group gap="xs" wrap="nowrap">
      <ThemeIcon size="lg" radius="md" variant="gradient" gradient={{ from: "indigo", to: "cyan", deg: 135 }}>
        <IconRoute size={20} stroke={2} aria-hidden />
      </ThemeIcon>
      <Title order={3} fw={700}>
        {PRODUCT_NAME}
      </Title>
    </Group>
  );
}

function ApiStatus() {
  const health = useGetHealth();

  if (health.isPending) {
    return (
      <Group gap="xs" justify="center" role="status">
        <Loader size="xs" />
        <Text size="sm" c="dimmed">
          Checking API…
        </Text>
      </Group>
    );
  }

  if (health.isError) {
    return (
      <Alert
        variant="light"
        color="red"
        title="API: error"
        icon={<IconAlertTriangle size={18} />}
        role="alert"
        w="100%"
        ta="left"
      >
        <Stack gap="xs" align="flex-start">
          <Text size="sm">{health.error.message}</Text>
          <Button
            size="xs"
            variant="light"
            color="red"
            leftSection={<IconRefresh size={14} />}
            loading={health.isFetching}
            onClick={() => void health.refetch()}
          >
            Retry
          </Button>
        </Stack>
      </Alert>
    );
  }

  const ok = health.data.status === "ok";
  return (
    <Center role="status">
      <Badge
        size="lg"
        variant="light"
        tt="none"
        color={ok ? "teal" : "yellow"}
        leftSection={ok ? <IconCircleCheck size={16} /> : <IconAlertTriangle size={16} />}
      >
        API: {health.data.status}
      </Badge>
    </Center>
  );
}

export function App() {
  return (
    <AppShell header={{ height: 60 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Logo />
          <Badge variant="outline" color="gray">
            Preview
          </Badge>
        </Group>
      </AppShell.Header>

      <AppShell.Main>
        <Center mih="calc(100dvh - 60px - 2 * var(--mantine-spacing-md))">
          <Card withBorder shadow="sm" padding="xl" radius="lg" maw={520} w="100%">
            <Stack gap="md" align="center" ta="center">
              <ThemeIcon size={56} radius="xl" variant="light">
                <IconRoute size={32} stroke={1.5} aria-hidden />
              </ThemeIcon>
              <Title order={2}>The workflow builder is coming soon</Title>
              <Text c="dimmed">
                Soon you will be able to connect apps and automate processes by drawing workflows on a visual
                canvas.
              </Text>
              <ApiStatus />
            </Stack>
          </Card>
        </Center>
      </AppShell.Main>
    </AppShell>
  );
}
