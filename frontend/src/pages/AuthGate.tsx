import { Center, Loader } from "@mantine/core";
import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { isApiError } from "../api/client";
import { useGetMe } from "../api/use-get-me";
import { useGetSetup } from "../api/use-get-setup";

/** Shows its children to a signed-in user; sends others to first-run setup or to sign in. */
export function AuthGate({ children }: { children: ReactNode }) {
  const me = useGetMe();
  const signedOut = me.isError && isApiError(me.error) && (me.error.status === 401 || me.error.status === 403);
  const setup = useGetSetup(signedOut);
  const location = useLocation();
  if (me.isSuccess) return <>{children}</>;
  if (signedOut && setup.data !== undefined) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={setup.data.needs_setup ? "/setup" : `/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  return (
    <Center h="100dvh">
      <Loader aria-label="Loading" />
    </Center>
  );
}
