/**
 * Saves every edit, debounced, with the version it was made on. A half-configured definition is
 * saved as a draft (the server answers with its `problems`); one refused outright (structural
 * nonsense, an authentication the editor may not use) keeps the edit in the editor and is retried
 * on the next edit; a conflict waits for the user; a network failure is retried with backoff.
 * Edits not yet saved (offline, say) are kept in localStorage until they are.
 */
import { isApiError } from "../api/client";
import { fieldErrorsOf, messageOf } from "../api/errors";
import type { Workflow } from "../api/types";
import type { WorkflowUpdate } from "../api/use-update-workflow";
import type { AppStore } from "./store";

export interface AutosaveOptions {
  save: (update: WorkflowUpdate) => Promise<Workflow>;
  debounceMs?: number;
  storage?: Pick<Storage, "getItem" | "setItem" | "removeItem"> | null;
}

export interface Draft {
  version: number;
  name: string;
  definition: Workflow["definition"];
}

export function draftKey(workflowId: string): string {
  return `flowbuilder:draft:${workflowId}`;
}

export function readDraft(storage: AutosaveOptions["storage"], workflowId: string): Draft | null {
  try {
    const raw = storage?.getItem(draftKey(workflowId));
    return raw ? (JSON.parse(raw) as Draft) : null;
  } catch {
    return null;
  }
}

export function startAutosave(store: AppStore, { save, debounceMs = 500, storage = null }: AutosaveOptions): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let retryDelay = 1000;
  let stopped = false;

  const schedule = (delay: number) => {
    if (timer !== null || stopped) return;
    timer = setTimeout(() => {
      timer = null;
      void flush();
    }, delay);
  };

  const keepDraft = () => {
    const { workflowId, definition, name, version } = store.getState();
    if (storage && workflowId !== null && definition !== null) {
      try {
        storage.setItem(draftKey(workflowId), JSON.stringify({ version, name, definition } satisfies Draft));
      } catch {
        // A full or unavailable storage only loses the safety copy, not the edit.
      }
    }
  };

  const flush = async () => {
    const state = store.getState();
    if (state.saveState !== "pending" || state.workflowId === null || state.definition === null) return;
    const sentSeq = state.saveStarted();
    const { workflowId, version, name, definition } = store.getState();
    try {
      const saved = await save({ id: workflowId!, version, name, definition: definition! });
      if (stopped) return;
      retryDelay = 1000;
      store.getState().saveSucceeded(saved, sentSeq, definition!);
      if (store.getState().saveState === "saved") {
        storage?.removeItem(draftKey(workflowId!));
      } else {
        keepDraft();
        schedule(debounceMs);
      }
    } catch (error) {
      if (stopped) return;
      if (isApiError(error) && error.status === 409) {
        const body = error.body as { current_version?: number } | null;
        store.getState().saveConflicted(body?.current_version ?? null, error.message);
      } else if (isApiError(error) && error.status === 400) {
        store.getState().saveRefused(fieldErrorsOf(error), error.message, sentSeq, definition!);
        if (store.getState().saveState === "pending") schedule(debounceMs);
      } else {
        store.getState().saveFailed(messageOf(error));
        const delay = retryDelay;
        retryDelay = Math.min(retryDelay * 2, 30_000);
        setTimeout(() => {
          if (!stopped && store.getState().saveState === "offline") {
            store.setState({ saveState: "pending" });
          }
        }, delay);
      }
    }
  };

  const unsubscribe = store.subscribe((state, previous) => {
    if (state.editSeq !== previous.editSeq) {
      keepDraft();
    }
    if (state.saveState === "pending" && (previous.saveState !== "pending" || state.editSeq !== previous.editSeq)) {
      if (timer !== null) {
        clearTimeout(timer);
        timer = null;
      }
      schedule(debounceMs);
    }
  });

  return () => {
    stopped = true;
    unsubscribe();
    if (timer !== null) clearTimeout(timer);
  };
}
