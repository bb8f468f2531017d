import { beforeEach, describe, expect, it } from "vitest";
import type { Workflow } from "../api/types";
import { emptyDefinition, ROOT } from "../definition/structure";
import { connector } from "../test/catalogue";
import { createAppStore, type AppStore } from "./store";

function workflow(): Workflow {
  return {
    id: "wf-1",
    name: "Walkthrough",
    definition: emptyDefinition(),
    version: 1,
    enabled: false,
    webhook_url: null,
    next_fire_times: null,
    problems: [],
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
  };
}

function structureNames(store: AppStore): unknown {
  const strip = (nodes: { name: string; content?: Record<string, unknown[]> }[]): unknown =>
    nodes.map((node) =>
      node.content === undefined
        ? node.name
        : { [node.name]: Object.fromEntries(Object.entries(node.content).map(([lane, children]) => [lane, strip(children as never)])) },
    );
  return strip(store.getState().definition!.steps_structure);
}

/** Builds the guide's workflow: totango-1, loop-1 { slack-1 }. */
function buildWalkthrough(store: AppStore): void {
  const state = store.getState();
  state.addStep(connector("totango"), { ...ROOT, index: 0 });
  state.addStep(connector("loop"), { ...ROOT, index: 1 });
  state.addStep(connector("slack"), { container: "loop-1", lane: "_loop", index: 0 });
}

describe("builder store", () => {
  let store: AppStore;

  beforeEach(() => {
    store = createAppStore();
    store.getState().loadWorkflow(workflow());
  });

  describe("add", () => {
    it("names a step <connector>-<n>, selects it and starts it with the connector's first operation", () => {
      const name = store.getState().addStep(connector("totango"), { ...ROOT, index: 0 });

      const state = store.getState();
      expect(name).toBe("totango-1");
      expect(state.selectedStep).toBe("totango-1");
      expect(state.definition!.steps_structure).toEqual([{ name: "totango-1", type: "normal" }]);
      // The required input with a default starts with it; the one without stays for the user.
      expect(state.definition!.steps["totango-1"]).toEqual({
        connector: "totango",
        operation: "search_data_raw",
        properties: { data_type: { type: "string", value: "accounts" } },
      });
    });

    it("gives a loop a body and the structure type of its operation's kind", () => {
      buildWalkthrough(store);

      expect(structureNames(store)).toEqual(["totango-1", { "loop-1": { _loop: ["slack-1"] } }]);
      expect(store.getState().definition!.steps_structure[1]).toEqual({
        name: "loop-1",
        type: "loop",
        content: { _loop: [{ name: "slack-1", type: "normal" }] },
      });
    });

    it("uses the lowest unused number for the connector", () => {
      const state = store.getState();
      state.addStep(connector("slack"), { ...ROOT, index: 0 });
      state.addStep(connector("slack"), { ...ROOT, index: 1 });
      state.removeStep("slack-1");
      const name = store.getState().addStep(connector("slack"), { ...ROOT, index: 1 });

      expect(name).toBe("slack-1");
      expect(structureNames(store)).toEqual(["slack-2", "slack-1"]);
    });

    it("gives a branch its fixed lanes", () => {
      store.getState().addStep(connector("boolean"), { ...ROOT, index: 0 });

      expect(store.getState().definition!.steps_structure).toEqual([
        { name: "boolean-1", type: "branch", content: { true: [], false: [] } },
      ]);
    });

    it("marks every edit for saving", () => {
      const before = store.getState().editSeq;
      store.getState().addStep(connector("totango"), { ...ROOT, index: 0 });

      expect(store.getState().editSeq).toBe(before + 1);
      expect(store.getState().saveState).toBe("pending");
    });
  });

  describe("move", () => {
    it("moves a step into a loop's body", () => {
      const state = store.getState();
      state.addStep(connector("totango"), { ...ROOT, index: 0 });
      state.addStep(connector("loop"), { ...ROOT, index: 1 });
      state.addStep(connector("slack"), { ...ROOT, index: 2 });

      store.getState().moveStep("slack-1", { container: "loop-1", lane: "_loop", index: 0 });

      expect(structureNames(store)).toEqual(["totango-1", { "loop-1": { _loop: ["slack-1"] } }]);
    });

    it("moves a step down within its lane, counting the slot as the lane looked before", () => {
      const state = store.getState();
      state.addStep(connector("slack"), { ...ROOT, index: 0 });
      state.addStep(connector("slack"), { ...ROOT, index: 1 });
      state.addStep(connector("slack"), { ...ROOT, index: 2 });

      store.getState().moveStep("slack-1", { ...ROOT, index: 2 });

      expect(structureNames(store)).toEqual(["slack-2", "slack-1", "slack-3"]);
    });

    it("moves a loop out with its body, keeping the body's step definitions", () => {
      buildWalkthrough(store);

      store.getState().moveStep("loop-1", { ...ROOT, index: 0 });

      expect(structureNames(store)).toEqual([{ "loop-1": { _loop: ["slack-1"] } }, "totango-1"]);
      expect(Object.keys(store.getState().definition!.steps).sort()).toEqual(["loop-1", "slack-1", "totango-1"]);
    });

    it("refuses to move a container into itself", () => {
      buildWalkthrough(store);
      const before = store.getState().definition;

      store.getState().moveStep("loop-1", { container: "loop-1", lane: "_loop", index: 1 });

      expect(store.getState().definition).toBe(before);
    });

    it("shifts a step up and down with Move up / Move down", () => {
      const state = store.getState();
      state.addStep(connector("slack"), { ...ROOT, index: 0 });
      state.addStep(connector("totango"), { ...ROOT, index: 1 });

      store.getState().shiftStep("totango-1", -1);
      expect(structureNames(store)).toEqual(["totango-1", "slack-1"]);
      store.getState().shiftStep("totango-1", 1);
      expect(structureNames(store)).toEqual(["slack-1", "totango-1"]);
    });
  });

  describe("delete", () => {
    it("deletes a step and clears the selection pointing at it", () => {
      store.getState().addStep(connector("totango"), { ...ROOT, index: 0 });

      store.getState().removeStep("totango-1");

      expect(store.getState().definition!.steps_structure).toEqual([]);
      expect(store.getState().definition!.steps).toEqual({});
      expect(store.getState().selectedStep).toBeNull();
    });

    it("deletes a loop with the steps inside it", () => {
      buildWalkthrough(store);

      store.getState().removeStep("loop-1");

      expect(structureNames(store)).toEqual(["totango-1"]);
      expect(Object.keys(store.getState().definition!.steps)).toEqual(["totango-1"]);
    });
  });

  describe("undo and redo", () => {
    it("undoes and redoes adding, moving and deleting", () => {
      buildWalkthrough(store);
      store.getState().moveStep("slack-1", { ...ROOT, index: 0 });
      store.getState().removeStep("totango-1");
      expect(structureNames(store)).toEqual(["slack-1", { "loop-1": { _loop: [] } }]);

      store.getState().undo();
      expect(structureNames(store)).toEqual(["slack-1", "totango-1", { "loop-1": { _loop: [] } }]);
      store.getState().undo();
      expect(structureNames(store)).toEqual(["totango-1", { "loop-1": { _loop: ["slack-1"] } }]);
      store.getState().redo();
      expect(structureNames(store)).toEqual(["slack-1", "totango-1", { "loop-1": { _loop: [] } }]);

      // Undo all the way back to the empty workflow; one more undo does nothing.
      for (let step = 0; step < 10; step += 1) store.getState().undo();
      expect(store.getState().definition).toEqual(emptyDefinition());
      expect(store.getState().past).toEqual([]);
    });

    it("undoes a word typed into a field as one edit, and saves what undo restores", () => {
      store.getState().addStep(connector("slack"), { ...ROOT, index: 0 });
      for (const text of ["#", "#c", "#cs"]) {
        store.getState().setProperty("slack-1", "channel", { type: "string", value: text });
      }
      const seq = store.getState().editSeq;

      store.getState().undo();

      expect(store.getState().definition!.steps["slack-1"]!.properties).toEqual({});
      expect(store.getState().editSeq).toBe(seq + 1);
      expect(store.getState().saveState).toBe("pending");
    });

    it("drops the redo stack on a new edit", () => {
      store.getState().addStep(connector("slack"), { ...ROOT, index: 0 });
      store.getState().undo();
      store.getState().addStep(connector("totango"), { ...ROOT, index: 0 });

      expect(store.getState().future).toEqual([]);
      store.getState().redo();
      expect(structureNames(store)).toEqual(["totango-1"]);
    });
  });

  describe("branches", () => {
    it("gives a Branch a lane per case, keeping the lanes that hold steps", () => {
      const branch = connector("branch");
      const operation = branch.operations[0]!;
      store.getState().addStep(branch, { ...ROOT, index: 0 });
      store.getState().addStep(connector("slack"), { container: "branch-1", lane: "default", index: 0 });
      const cases = (lanes: string[]) => ({
        type: "array" as const,
        value: lanes.map((lane) => ({ type: "object" as const, value: { lane: { type: "string" as const, value: lane }, value: { type: "string" as const, value: lane } } })),
      });

      store.getState().setProperty("branch-1", "cases", cases(["red", "green"]), operation);
      expect(structureNames(store)).toEqual([{ "branch-1": { default: ["slack-1"], red: [], green: [] } }]);

      store.getState().setProperty("branch-1", "cases", cases(["red"]), operation);
      expect(structureNames(store)).toEqual([{ "branch-1": { default: ["slack-1"], red: [] } }]);
    });
  });

  describe("step edits", () => {
    it("renames the title only: the name used in jsonpaths stays", () => {
      store.getState().addStep(connector("totango"), { ...ROOT, index: 0 });

      store.getState().setStepTitle("totango-1", "Search accounts");

      expect(store.getState().definition!.steps["totango-1"]!.title).toBe("Search accounts");
      expect(structureNames(store)).toEqual(["totango-1"]);
    });

    it("duplicates a loop with new names, pointing the copy's own jsonpaths at the copies", () => {
      buildWalkthrough(store);
      store.getState().setProperty("slack-1", "text", { type: "jsonpath", value: "$.steps.loop-1.value.display_name" });
      store.getState().setProperty("loop-1", "list", { type: "jsonpath", value: "$.steps.totango-1.hits" });

      const copy = store.getState().duplicateStep("loop-1");

      expect(copy).toBe("loop-2");
      expect(structureNames(store)).toEqual([
        "totango-1",
        { "loop-1": { _loop: ["slack-1"] } },
        { "loop-2": { _loop: ["slack-2"] } },
      ]);
      const steps = store.getState().definition!.steps;
      expect(steps["slack-2"]!.properties.text).toEqual({ type: "jsonpath", value: "$.steps.loop-2.value.display_name" });
      expect(steps["loop-2"]!.properties.list).toEqual({ type: "jsonpath", value: "$.steps.totango-1.hits" });
    });

    it("keeps the inputs a new operation also takes and sets and clears the authentication", () => {
      store.getState().addStep(connector("slack"), { ...ROOT, index: 0 });
      store.getState().setAuthentication("slack-1", "auth-1");
      const raw = connector("slack").operations.find((operation) => operation.key === "raw_http_request")!;

      store.getState().setOperation("slack-1", raw);

      expect(store.getState().definition!.steps["slack-1"]).toEqual({
        connector: "slack",
        operation: "raw_http_request",
        authentication: "auth-1",
        properties: { method: { type: "string", value: "GET" } },
      });
      store.getState().setAuthentication("slack-1", null);
      expect(store.getState().definition!.steps["slack-1"]!.authentication).toBeUndefined();
    });
  });

  describe("step inspected in the debug panel", () => {
    it("shows a clicked step's data first, keeps the tab picked while another step is clicked, and hands over to the properties panel when the panel closes", () => {
      buildWalkthrough(store);
      store.getState().selectRun("run-1");
      store.getState().setDebugOpen(true);

      store.getState().inspectStep("slack-1");
      expect(store.getState()).toMatchObject({ inspectedStep: "slack-1", selectedStep: "slack-1", inspectorTab: "data" });
      store.getState().setInspectorTab("properties");
      store.getState().inspectStep("totango-1");
      expect(store.getState()).toMatchObject({ inspectedStep: "totango-1", selectedStep: "totango-1", inspectorTab: "properties" });

      // Back to the whole run, then a step again: its data first.
      store.getState().inspectStep(null);
      expect(store.getState()).toMatchObject({ inspectedStep: null, selectedStep: "totango-1" });
      store.getState().inspectStep("slack-1");
      expect(store.getState().inspectorTab).toBe("data");

      store.getState().setDebugOpen(false);
      expect(store.getState()).toMatchObject({ debugOpen: false, inspectedStep: null, selectedStep: "slack-1", activeRunId: "run-1" });
    });
  });
});

describe("a draft's problems", () => {
  it("come with the workflow loaded and lead to their step, tab and field", () => {
    const store = createAppStore();
    store.getState().loadWorkflow({
      ...workflow(),
      problems: [
        { path: "steps.totango-1.properties.query", message: "Search query string is required" },
        { path: "steps.slack-1.authentication", message: "no authentication 'gone'" },
      ],
    });
    store.getState().setDebugOpen(true);

    expect(store.getState().serverErrors).toHaveLength(2);
    store.getState().focusProblem("steps.totango-1.properties.query");
    expect(store.getState()).toMatchObject({
      selectedStep: "totango-1",
      panelTab: "properties",
      fieldFocus: "steps.totango-1.properties.query",
      debugOpen: false,
    });

    store.getState().focusProblem("steps.slack-1.authentication");
    expect(store.getState()).toMatchObject({ selectedStep: "slack-1", panelTab: "authenticate" });
    store.getState().clearFieldFocus();
    expect(store.getState().fieldFocus).toBeNull();
  });
});
