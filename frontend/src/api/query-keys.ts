/** Query keys shared by the hooks, so a mutation can refresh what it changed. */
export const queryKeys = {
  me: ["me"] as const,
  organisation: ["organisation"] as const,
  members: ["organisation", "members"] as const,
  setup: ["setup"] as const,
  connectors: ["connectors"] as const,
  workflows: ["workflows"] as const,
  workflow: (id: string) => ["workflows", id] as const,
  /** What Test step of one step reads by default (the latest run's outputs). */
  stepTestSample: (workflowId: string, step: string) => ["workflows", workflowId, "step-test", step] as const,
  authentications: (connector?: string) =>
    connector === undefined ? (["authentications"] as const) : (["authentications", connector] as const),
  recentRuns: ["runs", "recent"] as const,
  /** Every query about runs (lists, one run, step runs): what a new run refreshes. */
  runs: ["runs"] as const,
  workflowRuns: (workflowId: string, status: string | null) => ["runs", "list", workflowId, status ?? "all"] as const,
  run: (id: string) => ["runs", "one", id] as const,
  stepRunLog: (runId: string) => ["runs", "step-log", runId] as const,
  stepRunSearch: (runId: string, search: string, status = "") => ["runs", "step-search", runId, search, status] as const,
  stepRun: (runId: string, sequence: number) => ["runs", "step", runId, sequence] as const,
  stepRunProbe: (runId: string, step: string) => ["runs", "step-probe", runId, step] as const,
  /** The `index`-th run (0 first) of one step in a run: a loop's iteration, in execution order. */
  stepRunOfStep: (runId: string, step: string, index: number) => ["runs", "step-of", runId, step, index] as const,
};
