import { useMutation } from "@tanstack/react-query";
import { api } from "./client";
import type { JsonValue, StepTestResult } from "./types";

export interface StepTest {
  workflowId: string;
  step: string;
  /** Outputs of earlier steps by name, standing in for a run's; without it, a run's are read. */
  sample?: Record<string, JsonValue>;
  /** The run whose outputs to read (the latest with them, by default). */
  run?: string;
  /** Inside a loop: which iteration's data, from 0. */
  iteration?: number;
  /** Required for a step that changes things in a vendor (else 409 `confirmation_required`). */
  confirm?: boolean;
}

/** `POST /api/workflows/{id}/steps/{name}/test/`: runs one saved step alone, recording nothing. */
export function useTestStep() {
  return useMutation({
    mutationFn: ({ workflowId, step, ...body }: StepTest) => api.post<StepTestResult>(`/api/workflows/${workflowId}/steps/${step}/test/`, body),
  });
}
