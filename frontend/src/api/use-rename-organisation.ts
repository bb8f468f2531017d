import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import { queryKeys } from "./query-keys";
import type { Organisation } from "./types";

/** `PATCH /api/organisation/`: owners and admins rename it; 400 names `name`. */
export function useRenameOrganisation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api.patch<Organisation>("/api/organisation/", { name }),
    onSuccess: (organisation) => {
      queryClient.setQueryData(queryKeys.organisation, organisation);
      // The account menu shows the name too.
      return queryClient.invalidateQueries({ queryKey: queryKeys.me });
    },
  });
}
