/** Query keys shared by the hooks, so a mutation can refresh what it changed. */
export const queryKeys = {
  me: ["me"] as const,
  setup: ["setup"] as const,
  connectors: ["connectors"] as const,
  workflows: ["workflows"] as const,
  workflow: (id: string) => ["workflows", id] as const,
  authentications: (connector?: string) =>
    connector === undefined ? (["authentications"] as const) : (["authentications", connector] as const),
  recentRuns: ["runs", "recent"] as const,
};
