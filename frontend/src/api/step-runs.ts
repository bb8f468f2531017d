import { api } from "./client";
import type { Page, StepRun } from "./types";

export interface StepRunQuery {
  offset: number;
  limit: number;
  search?: string;
  step?: string;
  status?: string;
}

/** `GET /api/runs/{id}/steps/`: one page of step runs in execution order (limit at most 1000). */
export function getStepRuns(runId: string, query: StepRunQuery, signal?: AbortSignal): Promise<Page<StepRun>> {
  const params = new URLSearchParams({ offset: String(query.offset), limit: String(query.limit) });
  if (query.search) params.set("search", query.search);
  if (query.step) params.set("step", query.step);
  if (query.status) params.set("status", query.status);
  return api.get<Page<StepRun>>(`/api/runs/${runId}/steps/?${params}`, signal === undefined ? undefined : { signal });
}
