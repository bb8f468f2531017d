import { Alert, Anchor, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { useState, type FormEvent } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { errorAt, fieldErrorsOf, messageOf } from "../api/errors";
import { useGetSetup } from "../api/use-get-setup";
import { useSignIn } from "../api/use-sign-in";
import { Logo } from "./Logo";

/** Only paths inside the app may be returned to after signing in. */
function safeNext(next: string | null): string {
  return next !== null && next.startsWith("/") && !next.startsWith("//") ? next : "/";
}

export function SignInPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const signIn = useSignIn();
  const setup = useGetSetup();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  if (setup.data?.needs_setup === true) return <Navigate to="/setup" replace />;
  const errors = fieldErrorsOf(signIn.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate({ username, password }, { onSuccess: () => void navigate(safeNext(params.get("next")), { replace: true }) });
  };
  return (
    <AuthScreen title="Sign in" subtitle="Build and run your workflows.">
      <form onSubmit={submit}>
        <Stack gap="md">
          <TextInput label="Username" value={username} onChange={(event) => setUsername(event.currentTarget.value)} autoComplete="username" required data-autofocus autoFocus error={errorAt(errors, "username")} />
          <PasswordInput label="Password" value={password} onChange={(event) => setPassword(event.currentTarget.value)} autoComplete="current-password" required error={errorAt(errors, "password")} />
          {signIn.isError && errors.length === 0 && (
            <Alert color="red" variant="light" icon={<IconAlertTriangle size={16} />}>
              {messageOf(signIn.error)}
            </Alert>
          )}
          <Button type="submit" loading={signIn.isPending} fullWidth mt="xs">
            Sign in
          </Button>
        </Stack>
      </form>
    </AuthScreen>
  );
}

export function AuthScreen({ title, subtitle, children }: { title: string; subtitle: string; children: React.ReactNode }) {
  return (
    <Center mih="100dvh" bg="gray.0" p="md">
      <Stack w="100%" maw={400} gap="lg" align="stretch">
        <Center>
          <Logo size="lg" />
        </Center>
        <Paper withBorder shadow="sm" radius="lg" p="xl">
          <Stack gap={4} mb="lg">
            <Title order={1} fz={22}>
              {title}
            </Title>
            <Text c="dimmed" fz="sm">
              {subtitle}
            </Text>
          </Stack>
          {children}
        </Paper>
        <Text ta="center" fz="xs" c="dimmed">
          Self-hosted · <Anchor href="/api/docs/" fz="xs">API</Anchor>
        </Text>
      </Stack>
    </Center>
  );
}
