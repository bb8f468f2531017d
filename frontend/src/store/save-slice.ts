import { triggerStateOf, type FieldError, type Workflow, type WorkflowDefinition } from "../api/types";
import type { AppSlice } from "./types";

/**
 * saved: the server has what the editor shows (a draft with problems is saved too: they are in
 * `serverErrors`). pending: an edit waits for the debounce. saving: a PATCH is in flight.
 * invalid: the server refused the definition outright (structural nonsense, or an authentication
 * the editor may not use; errors shown on their fields; the next edit retries). conflict: saved
 * elsewhere since loaded. offline: the request failed and is retried.
 */
export type SaveState = "saved" | "pending" | "saving" | "invalid" | "conflict" | "offline";

export interface SaveSlice {
  version: number;
  saveState: SaveState;
  /**
   * What the server says is wrong with the definition it was last sent: the `problems` of the
   * draft it saved (or loaded), or the errors of a refusal.
   */
  serverErrors: FieldError[];
  /** The definition `serverErrors` describe: an error stops showing once its field is edited. */
  refusedDefinition: WorkflowDefinition | null;
  /** Message of the last failure (conflict, network, or errors without a field). */
  saveMessage: string | null;
  /** The server's version when a save met a conflict. */
  conflictVersion: number | null;
  /** Bumped by every edit; the save that sent `editSeq` N clears the edits up to N. */
  editSeq: number;
  savedSeq: number;
  markEdited: () => void;
  saveStarted: () => number;
  /** `sent`: the definition sent, which the saved workflow's `problems` describe. */
  saveSucceeded: (workflow: Workflow, sentSeq: number, sent?: WorkflowDefinition) => void;
  saveRefused: (errors: FieldError[], message: string, sentSeq: number, sent: WorkflowDefinition) => void;
  saveConflicted: (currentVersion: number | null, message: string) => void;
  saveFailed: (message: string) => void;
  /** After a conflict: keep my edits and save them over the version now on the server. */
  overwriteWith: (version: number) => void;
}

export const createSaveSlice: AppSlice<SaveSlice> = (set, get) => ({
  version: 0,
  saveState: "saved",
  serverErrors: [],
  refusedDefinition: null,
  saveMessage: null,
  conflictVersion: null,
  editSeq: 0,
  savedSeq: 0,

  markEdited: () =>
    set((state) => ({
      editSeq: state.editSeq + 1,
      saveState: state.saveState === "conflict" ? "conflict" : state.saveState === "saving" ? "saving" : "pending",
    })),

  saveStarted: () => {
    set({ saveState: "saving" });
    return get().editSeq;
  },

  saveSucceeded: (workflow, sentSeq, sent) =>
    set((state) => {
      const caughtUp = state.editSeq === sentSeq;
      return {
        version: workflow.version,
        // The saved definition's webhook URL and fire times (a schedule edit moves them).
        triggerState: triggerStateOf(workflow),
        savedSeq: sentSeq,
        saveState: caughtUp ? "saved" : "pending",
        // A draft's problems, shown on their fields until edited (the next save tells again).
        serverErrors: workflow.problems ?? [],
        refusedDefinition: sent ?? null,
        saveMessage: null,
      };
    }),

  saveRefused: (errors, message, sentSeq, sent) =>
    set((state) => ({
      refusedDefinition: sent,
      savedSeq: sentSeq,
      // A newer edit may already fix it: try again at once if there is one.
      saveState: state.editSeq === sentSeq ? "invalid" : "pending",
      serverErrors: errors,
      saveMessage: message,
    })),

  saveConflicted: (currentVersion, message) =>
    set({ saveState: "conflict", conflictVersion: currentVersion, saveMessage: message }),

  saveFailed: (message) => set({ saveState: "offline", saveMessage: message }),

  overwriteWith: (version) =>
    set((state) => ({
      version,
      conflictVersion: null,
      saveMessage: null,
      saveState: "pending",
      editSeq: state.editSeq + 1,
    })),
});

/** The value a server error path names (`steps.slack-1.properties.channel`), or undefined. */
function valueAt(definition: WorkflowDefinition, path: string): unknown {
  let value: unknown = definition;
  for (const key of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * Whether a refusal still describes what the editor shows: the field it names has not been
 * edited since (edits replace what they change, so an unchanged field is the same object).
 */
export function errorStillApplies(error: FieldError, refused: WorkflowDefinition | null, current: WorkflowDefinition | null): boolean {
  if (refused === null || current === null) return true;
  // Errors name a property, or a step's key: compare the whole property for nested paths.
  const match = /^(steps\.[^.]+\.properties\.[^.]+|steps\.[^.]+\.[^.]+|trigger\.properties\.[^.]+)/.exec(error.path);
  const path = match?.[1] ?? error.path;
  return valueAt(refused, path) === valueAt(current, path);
}

export function visibleServerErrors(state: Pick<SaveSlice, "serverErrors" | "refusedDefinition"> & { definition: WorkflowDefinition | null }): FieldError[] {
  return state.serverErrors.filter((error) => errorStillApplies(error, state.refusedDefinition, state.definition));
}

