import { triggerStateOf, type Connector, type ErrorHandling, type Operation, type StepDefinition, type TriggerState, type TypedValue, type Workflow, type WorkflowDefinition } from "../api/types";
import {
  defaultProperties,
  duplicateStep,
  findNode,
  initialContent,
  insertNode,
  moveStep,
  newStep,
  nextStepName,
  reconcileLanes,
  removeStep,
  shiftStep,
  type Slot,
  stepOf,
  structureTypeFor,
  TRIGGER_NAME,
} from "../definition/structure";
import { setErrorHandling } from "../definition/error-handling";
import type { AppSlice } from "./types";

export interface WorkflowSlice {
  workflowId: string | null;
  name: string;
  /** The definition being edited: the single source of truth of the canvas and the panel. */
  definition: WorkflowDefinition | null;
  /**
   * Enabled, the webhook URL and the next fire times, as the server last said (load, save,
   * switching, a new token): they follow the saved definition, not the edit on screen.
   */
  triggerState: TriggerState;
  setTriggerState: (state: TriggerState) => void;
  loadWorkflow: (workflow: Workflow) => void;
  /** Sets the definition without recording history (undo, redo, reload). */
  replaceDefinition: (definition: WorkflowDefinition) => void;
  /** Applies an edit: records history, marks it for saving. */
  edit: (update: (definition: WorkflowDefinition) => WorkflowDefinition, coalesceKey?: string) => void;
  rename: (name: string) => void;
  addStep: (connector: Connector, slot: Slot, operation?: Operation) => string | null;
  moveStep: (name: string, slot: Slot) => void;
  shiftStep: (name: string, offset: -1 | 1) => void;
  removeStep: (name: string) => void;
  duplicateStep: (name: string) => string | null;
  setStepTitle: (name: string, title: string) => void;
  setOperation: (name: string, operation: Operation) => void;
  /** Sets (or, with undefined, removes) an input; `operation` lets a Branch follow its cases. */
  setProperty: (name: string, key: string, value: TypedValue | undefined, operation?: Operation) => void;
  setAuthentication: (name: string, authentication: string | null) => void;
  /** Sets `steps.<name>.error_handling`; the error lane follows the mode (added, or removed with its steps). */
  setErrorHandling: (name: string, handling: ErrorHandling) => void;
}

function updateStep(definition: WorkflowDefinition, name: string, update: (step: StepDefinition) => StepDefinition): WorkflowDefinition {
  if (name === TRIGGER_NAME) {
    const trigger = update({ ...definition.trigger });
    return { ...definition, trigger: { connector: trigger.connector, operation: trigger.operation, properties: trigger.properties } };
  }
  const step = definition.steps[name];
  if (step === undefined) return definition;
  return { ...definition, steps: { ...definition.steps, [name]: update(step) } };
}

export const createWorkflowSlice: AppSlice<WorkflowSlice> = (set, get) => ({
  workflowId: null,
  name: "",
  definition: null,
  triggerState: { enabled: false, webhook_url: null, next_fire_times: null },
  setTriggerState: (triggerState) => set({ triggerState: triggerStateOf(triggerState) }),

  loadWorkflow: (workflow) =>
    set({
      workflowId: workflow.id,
      name: workflow.name,
      definition: workflow.definition,
      triggerState: triggerStateOf(workflow),
      version: workflow.version,
      past: [],
      future: [],
      lastEdit: null,
      selectedStep: null,
      panelTab: "properties",
      saveState: "saved",
      // A draft's problems, as the server tells them for this person.
      serverErrors: workflow.problems ?? [],
      refusedDefinition: workflow.definition,
      saveMessage: null,
      conflictVersion: null,
      editSeq: 0,
      savedSeq: 0,
      stepSamples: {},
    }),

  replaceDefinition: (definition) => {
    set((state) => ({
      definition,
      selectedStep:
        state.selectedStep !== null && stepOf(definition, state.selectedStep) === undefined ? null : state.selectedStep,
    }));
    get().markEdited();
  },

  edit: (update, coalesceKey) => {
    const current = get().definition;
    if (current === null) return;
    const next = update(current);
    if (next === current) return;
    get().remember(current, coalesceKey);
    set({ definition: next });
    get().markEdited();
  },

  rename: (name) => {
    set({ name });
    get().markEdited();
  },

  addStep: (connector, slot, chosen) => {
    const definition = get().definition;
    const operation = chosen ?? connector.operations.find((candidate) => candidate.kind !== "trigger");
    if (definition === null || operation === undefined) return null;
    const name = nextStepName(definition, connector.key);
    const { step, node } = newStep(connector, operation);
    get().edit((current) => insertNode(current, slot, { name, ...node }, { [name]: step }));
    set({ selectedStep: name, panelTab: "properties" });
    return name;
  },

  moveStep: (name, slot) => get().edit((definition) => moveStep(definition, name, slot)),

  shiftStep: (name, offset) => get().edit((definition) => shiftStep(definition, name, offset)),

  removeStep: (name) => {
    get().edit((definition) => removeStep(definition, name));
    const { definition, selectedStep } = get();
    if (definition !== null && selectedStep !== null && stepOf(definition, selectedStep) === undefined) {
      set({ selectedStep: null });
    }
  },

  duplicateStep: (name) => {
    let copy: string | null = null;
    get().edit((definition) => {
      const result = duplicateStep(definition, name);
      copy = result.name === name ? null : result.name;
      return result.definition;
    });
    if (copy !== null) set({ selectedStep: copy });
    return copy;
  },

  setStepTitle: (name, title) =>
    get().edit(
      (definition) =>
        updateStep(definition, name, (step) => {
          const { title: _previous, ...rest } = step;
          return title.trim() === "" ? rest : { ...rest, title };
        }),
      `title:${name}`,
    ),

  setOperation: (name, operation) =>
    get().edit((definition) => {
      const step = stepOf(definition, name);
      if (step === undefined || step.operation === operation.key) return definition;
      // Inputs the new operation also takes are kept; the rest belong to the old one.
      const accepted = operation.input_schema.properties ?? {};
      const kept = Object.fromEntries(Object.entries(step.properties).filter(([key]) => key in accepted));
      let updated = updateStep(definition, name, (current) => ({
        ...current,
        operation: operation.key,
        properties: { ...defaultProperties(operation), ...kept },
      }));
      const entry = findNode(updated, name);
      const type = structureTypeFor(operation.kind);
      if (entry !== undefined && entry.node.type !== type) {
        // A different structure type: the steps inside a former container follow it in its lane.
        const held = Object.values(entry.node.content ?? {}).flat();
        const content = initialContent(operation);
        const node = content === undefined ? { name, type } : { name, type, content };
        updated = removeNodeKeepSteps(updated, name);
        updated = insertNode(updated, { ...entry.lane, index: entry.index }, node, {});
        held.forEach((child, offset) => {
          updated = insertNode(updated, { ...entry.lane, index: entry.index + 1 + offset }, child, {});
        });
      }
      return updated;
    }),

  setProperty: (name, key, value, operation) =>
    get().edit((definition) => {
      const updated = updateStep(definition, name, (step) => {
        const { [key]: _previous, ...others } = step.properties;
        return { ...step, properties: value === undefined ? others : { ...others, [key]: value } };
      });
      return operation === undefined ? updated : reconcileLanes(updated, name, operation);
    }, `property:${name}:${key}`),

  setAuthentication: (name, authentication) =>
    get().edit((definition) =>
      updateStep(definition, name, (step) => {
        const { authentication: _previous, ...rest } = step;
        return authentication === null ? rest : { ...rest, authentication };
      }),
    ),

  setErrorHandling: (name, handling) => {
    get().edit((definition) => setErrorHandling(definition, name, handling), `error-handling:${name}`);
    const { definition, selectedStep } = get();
    if (definition !== null && selectedStep !== null && stepOf(definition, selectedStep) === undefined) set({ selectedStep: null });
  },
});

/** Takes a node out of the tree without deleting its step or the steps it holds. */
function removeNodeKeepSteps(definition: WorkflowDefinition, name: string): WorkflowDefinition {
  const steps = definition.steps;
  const stripped = removeStep(definition, name);
  return { ...stripped, steps };
}
