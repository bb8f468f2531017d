import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/client";
import type { Workflow } from "../api/types";
import type { WorkflowUpdate } from "../api/use-update-workflow";
import { emptyDefinition, ROOT } from "../definition/structure";
import { connector } from "../test/catalogue";
import { draftKey, startAutosave } from "./autosave";
import { visibleServerErrors } from "./save-slice";
import { createAppStore, type AppStore } from "./store";

function workflow(version = 1): Workflow {
  return { id: "wf-1", name: "Demo", definition: emptyDefinition(), version, enabled: false, webhook_url: null, next_fire_times: null, problems: [], created_at: "", updated_at: "" };
}

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
    items,
  };
}

describe("autosave", () => {
  let store: AppStore;
  let save: ReturnType<typeof vi.fn<(update: WorkflowUpdate) => Promise<Workflow>>>;
  let storage: ReturnType<typeof memoryStorage>;
  let stop: () => void;

  beforeEach(() => {
    vi.useFakeTimers();
    store = createAppStore();
    store.getState().loadWorkflow(workflow());
    save = vi.fn<(update: WorkflowUpdate) => Promise<Workflow>>();
    storage = memoryStorage();
    stop = startAutosave(store, { save, debounceMs: 300, storage });
  });

  afterEach(() => {
    stop();
    vi.useRealTimers();
  });

  it("saves the edits of a burst once, with the version they were made on", async () => {
    save.mockImplementation(async (update) => ({ ...workflow(2), definition: update.definition! }));
    store.getState().addStep(connector("slack"), { ...ROOT, index: 0 });
    store.getState().setProperty("slack-1", "channel", { type: "string", value: "#cs" });
    expect(storage.items.has(draftKey("wf-1"))).toBe(true);

    await vi.advanceTimersByTimeAsync(300);

    expect(save).toHaveBeenCalledTimes(1);
    expect(save.mock.calls[0]![0]).toMatchObject({ id: "wf-1", version: 1, name: "Demo" });
    expect(save.mock.calls[0]![0].definition!.steps["slack-1"]!.properties).toEqual({ channel: { type: "string", value: "#cs" } });
    expect(store.getState().saveState).toBe("saved");
    expect(store.getState().version).toBe(2);
    expect(storage.items.has(draftKey("wf-1"))).toBe(false);
  });

  it("saves a half-configured step as a draft, shows its problems until their field is edited, and keeps no local copy", async () => {
    const channelRequired = { path: "steps.slack-1.properties.channel", message: "Channel is required" };
    save
      .mockImplementationOnce(async (update) => ({ ...workflow(2), definition: update.definition!, problems: [channelRequired] }))
      .mockImplementation(async (update) => ({ ...workflow(3), definition: update.definition!, problems: [] }));
    store.getState().addStep(connector("slack"), { ...ROOT, index: 0 });
    await vi.advanceTimersByTimeAsync(300);

    expect(save).toHaveBeenCalledTimes(1);
    expect(store.getState().saveState).toBe("saved");
    expect(store.getState().version).toBe(2);
    expect(visibleServerErrors(store.getState())).toEqual([channelRequired]);
    expect(storage.items.has(draftKey("wf-1"))).toBe(false);

    // Edited: the problem stops showing at once, before the server has said anything.
    store.getState().setProperty("slack-1", "channel", { type: "string", value: "#cs" });
    expect(visibleServerErrors(store.getState())).toEqual([]);
    await vi.advanceTimersByTimeAsync(300);

    expect(save).toHaveBeenCalledTimes(2);
    expect(save.mock.calls[1]![0].version).toBe(2);
    expect(store.getState().saveState).toBe("saved");
    expect(store.getState().serverErrors).toEqual([]);
  });

  it("keeps a refused edit, shows the errors, and retries on the next edit", async () => {
    const refusal = new ApiError(400, {
      detail: "The workflow definition is invalid.",
      errors: [{ path: "steps.slack-1.properties.channel", message: "Channel is required" }],
    });
    save.mockRejectedValueOnce(refusal).mockImplementation(async (update) => ({ ...workflow(2), definition: update.definition! }));
    store.getState().addStep(connector("slack"), { ...ROOT, index: 0 });
    await vi.advanceTimersByTimeAsync(300);

    expect(store.getState().saveState).toBe("invalid");
    expect(store.getState().serverErrors).toEqual([{ path: "steps.slack-1.properties.channel", message: "Channel is required" }]);
    expect(store.getState().definition!.steps["slack-1"]).toBeDefined();

    store.getState().setProperty("slack-1", "channel", { type: "string", value: "#cs" });
    await vi.advanceTimersByTimeAsync(300);

    expect(save).toHaveBeenCalledTimes(2);
    expect(save.mock.calls[1]![0].version).toBe(1);
    expect(store.getState().saveState).toBe("saved");
    expect(store.getState().serverErrors).toEqual([]);
  });

  it("stops on a conflict and saves over it only when asked", async () => {
    save.mockRejectedValueOnce(new ApiError(409, { detail: "changed elsewhere", current_version: 5 }));
    store.getState().addStep(connector("slack"), { ...ROOT, index: 0 });
    await vi.advanceTimersByTimeAsync(300);

    expect(store.getState().saveState).toBe("conflict");
    expect(store.getState().conflictVersion).toBe(5);
    store.getState().setProperty("slack-1", "channel", { type: "string", value: "#cs" });
    await vi.advanceTimersByTimeAsync(1000);
    expect(save).toHaveBeenCalledTimes(1);

    save.mockImplementation(async (update) => ({ ...workflow(6), definition: update.definition! }));
    store.getState().overwriteWith(5);
    await vi.advanceTimersByTimeAsync(300);

    expect(save).toHaveBeenCalledTimes(2);
    expect(save.mock.calls[1]![0].version).toBe(5);
    expect(store.getState().saveState).toBe("saved");
  });

  it("retries after a network failure", async () => {
    save.mockRejectedValueOnce(new TypeError("Failed to fetch")).mockImplementation(async (update) => ({ ...workflow(2), definition: update.definition! }));
    store.getState().addStep(connector("slack"), { ...ROOT, index: 0 });
    await vi.advanceTimersByTimeAsync(300);
    expect(store.getState().saveState).toBe("offline");

    await vi.advanceTimersByTimeAsync(1000 + 300);

    expect(save).toHaveBeenCalledTimes(2);
    expect(store.getState().saveState).toBe("saved");
  });
});
