import { isApiError } from "./client";
import type { FieldError } from "./types";

/** The `errors: [{path, message}]` of a 400 answer, or none. */
export function fieldErrorsOf(error: unknown): FieldError[] {
  if (!isApiError(error) || error.body === null || typeof error.body !== "object") {
    return [];
  }
  const errors = (error.body as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) {
    return [];
  }
  return errors.filter(
    (item): item is FieldError =>
      item !== null && typeof item === "object" && typeof item.path === "string" && typeof item.message === "string",
  );
}

/** The `problems: [{path, message}]` of a run or enabling refused for a draft's problems, or none. */
export function problemsOf(error: unknown): FieldError[] {
  if (!isApiError(error) || error.status !== 400 || error.body === null || typeof error.body !== "object") {
    return [];
  }
  const problems = (error.body as { problems?: unknown }).problems;
  return Array.isArray(problems) ? problems.filter(isFieldError) : [];
}

function isFieldError(item: unknown): item is FieldError {
  return item !== null && typeof item === "object" && typeof (item as FieldError).path === "string" && typeof (item as FieldError).message === "string";
}

/** Message of the error named by `path`, if any. */
export function errorAt(errors: FieldError[], path: string): string | undefined {
  return errors.find((error) => error.path === path)?.message;
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  return "Something went wrong.";
}
