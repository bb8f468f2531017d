import { useMutation, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";
import type { Authentication, AuthenticationScope, JsonValue, Page } from "./types";

export interface AuthenticationInput {
  name: string;
  connector: string;
  scope: AuthenticationScope;
  fields: Record<string, JsonValue>;
}

type AuthenticationList = Page<Authentication> | Authentication[] | undefined;

function withAuthentication(list: AuthenticationList, created: Authentication): AuthenticationList {
  if (list === undefined) return list;
  if (Array.isArray(list)) return [...list, created];
  return { ...list, count: list.count + 1, results: [...list.results, created] };
}

/** Shows a new authentication in the cached lists at once, so a dropdown can select it. */
function addToCachedLists(queryClient: QueryClient, created: Authentication): void {
  for (const key of [queryKeys.authentications(), queryKeys.authentications(created.connector)]) {
    queryClient.setQueryData<AuthenticationList>(key, (list) => withAuthentication(list, created));
  }
}

/** `POST /api/authentications/`: 400 names bad fields as `fields.<field>`. */
export function useCreateAuthentication() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: AuthenticationInput) => api.post<Authentication>("/api/authentications/", input),
    onSuccess: (created) => {
      addToCachedLists(queryClient, created);
      return queryClient.invalidateQueries({ queryKey: queryKeys.authentications() });
    },
  });
}
