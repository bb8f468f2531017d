import { Alert, Button, Center, Loader, PasswordInput, Stack, TextInput } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { useState, type FormEvent } from "react";
import { Navigate, useNavigate } from "react-router";
import { errorAt, fieldErrorsOf, messageOf } from "../api/errors";
import { useGetSetup } from "../api/use-get-setup";
import { usePostSetup } from "../api/use-post-setup";
import { useSignIn } from "../api/use-sign-in";
import { AuthScreen } from "./SignInPage";

/** First run: creates the owner account, then signs it in. */
export function SetupPage() {
  const setup = useGetSetup();
  const createOwner = usePostSetup();
  const signIn = useSignIn();
  const navigate = useNavigate();
  const [username, setUsername] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [organisation, setOrganisation] = useState("");
  if (setup.isPending) {
    return (
      <Center h="100dvh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (setup.data?.needs_setup === false && !createOwner.isSuccess) return <Navigate to="/sign-in" replace />;
  const errors = fieldErrorsOf(createOwner.error ?? signIn.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    createOwner.mutate(
      { username, password, ...(email === "" ? {} : { email }), ...(organisation.trim() === "" ? {} : { organisation_name: organisation.trim() }) },
      { onSuccess: () => signIn.mutate({ username, password }, { onSuccess: () => void navigate("/", { replace: true }) }) },
    );
  };
  return (
    <AuthScreen title="Welcome: create the owner account" subtitle="This install has no account yet. The first one owns the organisation and can invite the others.">
      <form onSubmit={submit}>
        <Stack gap="md">
          <TextInput label="Organisation name" autoFocus description="Optional: your company or team. Rename it later on the Organisation page." placeholder={username.trim() === "" ? undefined : `${username.trim()}'s workspace`} value={organisation} onChange={(event) => setOrganisation(event.currentTarget.value)} autoComplete="organization" error={errorAt(errors, "organisation_name")} />
          <TextInput label="Username" value={username} onChange={(event) => setUsername(event.currentTarget.value)} autoComplete="username" required error={errorAt(errors, "username")} />
          <TextInput label="Email" description="Optional" type="email" value={email} onChange={(event) => setEmail(event.currentTarget.value)} autoComplete="email" error={errorAt(errors, "email")} />
          <PasswordInput label="Password" value={password} onChange={(event) => setPassword(event.currentTarget.value)} autoComplete="new-password" required error={errorAt(errors, "password")} />
          {(createOwner.isError || signIn.isError) && errors.length === 0 && (
            <Alert color="red" variant="light" icon={<IconAlertTriangle size={16} />}>
              {messageOf(createOwner.error ?? signIn.error)}
            </Alert>
          )}
          <Button type="submit" loading={createOwner.isPending || signIn.isPending} fullWidth mt="xs">
            Create account
          </Button>
        </Stack>
      </form>
    </AuthScreen>
  );
}
