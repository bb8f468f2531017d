/**
 * A run takes the workflow as saved on the server: before starting one, wait for the edits the
 * canvas shows to be saved (autosave is debounced), and refuse when they cannot be.
 */
import type { AppStore } from "../store";

export class NotSavedError extends Error {}

export function waitForSave(store: AppStore, timeoutMs = 15_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let unsubscribe: () => void = () => {};
    const finish = (error?: Error) => {
      if (timer !== null) clearTimeout(timer);
      unsubscribe();
      if (error === undefined) resolve();
      else reject(error);
    };
    const check = (): boolean => {
      const { saveState, serverErrors, saveMessage } = store.getState();
      if (saveState === "saved") {
        finish();
        return true;
      }
      if (saveState === "invalid") {
        const count = serverErrors.length;
        finish(new NotSavedError(`The workflow has ${count === 1 ? "a problem" : `${count} problems`} to fix before it can run${saveMessage ? `: ${saveMessage}` : "."}`));
        return true;
      }
      if (saveState === "conflict") {
        finish(new NotSavedError("This workflow was changed elsewhere: load their version or save yours over it, then run."));
        return true;
      }
      return false;
    };
    if (check()) return;
    unsubscribe = store.subscribe(() => {
      check();
    });
    timer = setTimeout(() => finish(new NotSavedError("The latest edits could not be saved yet: the run would not include them. Try again in a moment.")), timeoutMs);
  });
}
