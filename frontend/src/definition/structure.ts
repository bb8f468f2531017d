/**
 * Pure edits of a workflow definition's control-flow tree (`steps_structure`) and its `steps` map.
 * Every function returns a new definition and leaves its input untouched, so history is cheap.
 */
import type {
  Connector,
  Operation,
  OperationKind,
  StepDefinition,
  StructureNode,
  TypedValue,
  WorkflowDefinition,
} from "../api/types";

export const TRIGGER_NAME = "trigger";
export const LOOP_LANE = "_loop";
/** The lane id of the top-level list of steps. */
export const ROOT_LANE = "main";

/** A list of steps: the top level (`container: null`), a loop's body, or one lane of a branch. */
export interface LaneRef {
  container: string | null;
  lane: string;
}

/** A place between steps: insert at `index` of the lane. */
export interface Slot extends LaneRef {
  index: number;
}

export const ROOT: LaneRef = { container: null, lane: ROOT_LANE };

export function emptyDefinition(trigger = { connector: "manual", operation: "manual" }): WorkflowDefinition {
  return { trigger: { ...trigger, properties: {} }, steps_structure: [], steps: {} };
}

export function structureTypeFor(kind: OperationKind): StructureNode["type"] {
  if (kind === "loop") return "loop";
  if (kind === "branch") return "branch";
  return "normal";
}

export function sameLane(a: LaneRef, b: LaneRef): boolean {
  return a.container === b.container && a.lane === b.lane;
}

/** What a step node sees while the tree is walked in execution order. */
export interface WalkEntry {
  node: StructureNode;
  lane: LaneRef;
  index: number;
  /** The containers (loops and branches) around the step, outermost first. */
  ancestors: string[];
}

/** Every structure node in execution order (a container before what it holds). */
export function walk(definition: WorkflowDefinition): WalkEntry[] {
  const entries: WalkEntry[] = [];
  const visit = (lane: StructureNode[], ref: LaneRef, ancestors: string[]) => {
    lane.forEach((node, index) => {
      entries.push({ node, lane: ref, index, ancestors });
      for (const [laneName, children] of Object.entries(node.content ?? {})) {
        visit(children, { container: node.name, lane: laneName }, [...ancestors, node.name]);
      }
    });
  };
  visit(definition.steps_structure, ROOT, []);
  return entries;
}

export function findNode(definition: WorkflowDefinition, name: string): WalkEntry | undefined {
  return walk(definition).find((entry) => entry.node.name === name);
}

export function laneSteps(definition: WorkflowDefinition, ref: LaneRef): StructureNode[] {
  if (ref.container === null) {
    return definition.steps_structure;
  }
  return findNode(definition, ref.container)?.node.content?.[ref.lane] ?? [];
}

/** `<connector>-<n>` with the lowest unused n ≥ 1. */
export function nextStepName(definition: WorkflowDefinition, connector: string, taken: Set<string> = new Set()): string {
  for (let n = 1; ; n += 1) {
    const name = `${connector}-${n}`;
    if (!(name in definition.steps) && !taken.has(name)) {
      return name;
    }
  }
}

/** The operation a new step starts with: the connector's first one that is not a trigger. */
export function defaultOperation(connector: Connector): Operation | undefined {
  return connector.operations.find((operation) => operation.kind !== "trigger");
}

/** Required inputs that have a default start with it, so a new step needs only what is unknown. */
export function defaultProperties(operation: Operation): Record<string, TypedValue> {
  const properties: Record<string, TypedValue> = {};
  const schema = operation.input_schema;
  for (const key of schema.required ?? []) {
    const field = schema.properties?.[key];
    if (field?.default !== undefined) {
      const type = typeof field.type === "string" ? field.type : "string";
      properties[key] = { type: type as TypedValue["type"], value: field.default } as TypedValue;
    }
  }
  return properties;
}

/** The lanes a new container step starts with. */
export function initialContent(operation: Operation): Record<string, StructureNode[]> | undefined {
  if (operation.kind === "loop") {
    return { [LOOP_LANE]: [] };
  }
  if (operation.kind === "branch") {
    const lanes = operation.fixed_lanes ?? (operation.dynamic_lanes ? ["default"] : ["true", "false"]);
    return Object.fromEntries(lanes.map((lane) => [lane, []]));
  }
  return undefined;
}

export function newStep(connector: Connector, operation: Operation): { step: StepDefinition; node: Omit<StructureNode, "name"> } {
  const content = initialContent(operation);
  return {
    step: { connector: connector.key, operation: operation.key, properties: defaultProperties(operation) },
    node: content === undefined ? { type: structureTypeFor(operation.kind) } : { type: structureTypeFor(operation.kind), content },
  };
}

/** Rewrites the lane `ref` with `update`, copying only the nodes on the way to it. */
function updateLane(
  definition: WorkflowDefinition,
  ref: LaneRef,
  update: (lane: StructureNode[]) => StructureNode[],
): WorkflowDefinition {
  if (ref.container === null) {
    return { ...definition, steps_structure: update(definition.steps_structure) };
  }
  const container = ref.container;
  let found = false;
  const rewrite = (lane: StructureNode[]): StructureNode[] =>
    lane.map((node) => {
      if (node.name === container) {
        found = true;
        const content = node.content ?? {};
        return { ...node, content: { ...content, [ref.lane]: update(content[ref.lane] ?? []) } };
      }
      if (node.content === undefined) {
        return node;
      }
      const content = Object.fromEntries(Object.entries(node.content).map(([lane, children]) => [lane, rewrite(children)]));
      return { ...node, content };
    });
  const steps_structure = rewrite(definition.steps_structure);
  if (!found) {
    throw new Error(`There is no container ${container}.`);
  }
  return { ...definition, steps_structure };
}

export function insertNode(definition: WorkflowDefinition, slot: Slot, node: StructureNode, steps: Record<string, StepDefinition>): WorkflowDefinition {
  const updated = updateLane(definition, slot, (lane) => {
    const index = Math.max(0, Math.min(slot.index, lane.length));
    return [...lane.slice(0, index), node, ...lane.slice(index)];
  });
  return { ...updated, steps: { ...definition.steps, ...steps } };
}

/** The names of a node and of every step inside it. */
export function namesIn(node: StructureNode): string[] {
  return [node.name, ...Object.values(node.content ?? {}).flatMap((lane) => lane.flatMap(namesIn))];
}

/** Takes a node out of the tree, keeping its step definitions (for a move). */
function detach(definition: WorkflowDefinition, name: string): { definition: WorkflowDefinition; node: StructureNode; slot: Slot } {
  const entry = findNode(definition, name);
  if (entry === undefined) {
    throw new Error(`There is no step ${name}.`);
  }
  const updated = updateLane(definition, entry.lane, (lane) => lane.filter((node) => node.name !== name));
  return { definition: updated, node: entry.node, slot: { ...entry.lane, index: entry.index } };
}

/** Deletes a step and, for a container, every step inside it. */
export function removeStep(definition: WorkflowDefinition, name: string): WorkflowDefinition {
  const { definition: updated, node } = detach(definition, name);
  const removed = new Set(namesIn(node));
  const steps = Object.fromEntries(Object.entries(updated.steps).filter(([stepName]) => !removed.has(stepName)));
  return { ...updated, steps };
}

/** Whether `slot` lies inside the step `name` (a container cannot move into itself). */
export function isInside(definition: WorkflowDefinition, slot: LaneRef, name: string): boolean {
  if (slot.container === null) return false;
  if (slot.container === name) return true;
  const entry = findNode(definition, slot.container);
  return entry !== undefined && entry.ancestors.includes(name);
}

/** Moves a step (with what it holds) to `slot`; the slot's index counts the step where it is now. */
export function moveStep(definition: WorkflowDefinition, name: string, slot: Slot): WorkflowDefinition {
  if (isInside(definition, slot, name)) {
    return definition;
  }
  const { definition: detached, node, slot: from } = detach(definition, name);
  let index = slot.index;
  if (sameLane(from, slot) && from.index < slot.index) {
    index -= 1;
  }
  if (sameLane(from, slot) && index === from.index) {
    return definition;
  }
  const updated = updateLane(detached, slot, (lane) => [...lane.slice(0, index), node, ...lane.slice(index)]);
  return updated;
}

/** Moves a step one place up or down within its lane. */
export function shiftStep(definition: WorkflowDefinition, name: string, offset: -1 | 1): WorkflowDefinition {
  const entry = findNode(definition, name);
  if (entry === undefined) return definition;
  const length = laneSteps(definition, entry.lane).length;
  const target = entry.index + offset;
  if (target < 0 || target >= length) return definition;
  return moveStep(definition, name, { ...entry.lane, index: offset === 1 ? target + 1 : target });
}

const REFERENCE = /\$\.steps\.([A-Za-z0-9_][A-Za-z0-9_-]*)/g;

function renameReferences(value: unknown, renames: Map<string, string>): unknown {
  if (typeof value === "string") {
    return value.replace(REFERENCE, (match, stepName: string) => {
      const renamed = renames.get(stepName);
      return renamed === undefined ? match : `$.steps.${renamed}`;
    });
  }
  if (Array.isArray(value)) {
    return value.map((item) => renameReferences(item, renames));
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renameReferences(item, renames)]));
  }
  return value;
}

/**
 * Copies a step (and what it holds) right after itself. The copies get new names, and
 * jsonpaths inside the copy that read from copied steps are pointed at the copies.
 */
export function duplicateStep(definition: WorkflowDefinition, name: string): { definition: WorkflowDefinition; name: string } {
  const entry = findNode(definition, name);
  if (entry === undefined) {
    return { definition, name };
  }
  const renames = new Map<string, string>();
  const taken = new Set<string>();
  for (const original of namesIn(entry.node)) {
    const connector = definition.steps[original]?.connector ?? original.replace(/-\d+$/, "");
    const copy = nextStepName(definition, connector, taken);
    taken.add(copy);
    renames.set(original, copy);
  }
  const copyNode = (node: StructureNode): StructureNode => {
    const copied: StructureNode = { ...node, name: renames.get(node.name) ?? node.name };
    if (node.content !== undefined) {
      copied.content = Object.fromEntries(Object.entries(node.content).map(([lane, children]) => [lane, children.map(copyNode)]));
    }
    return copied;
  };
  const steps: Record<string, StepDefinition> = {};
  for (const [original, copy] of renames) {
    const step = definition.steps[original];
    if (step !== undefined) {
      steps[copy] = renameReferences(step, renames) as StepDefinition;
    }
  }
  const copyName = renames.get(name) ?? name;
  return {
    definition: insertNode(definition, { ...entry.lane, index: entry.index + 1 }, copyNode(entry.node), steps),
    name: copyName,
  };
}

/** A step the given step may read from, in the order they run. */
export interface VisibleStep {
  name: string;
  /**
   * True for a loop this step is inside: its value, index, … are readable. False for a loop
   * that ended before this step: only its summary (count, iterations, continued_failures).
   */
  enclosingLoop: boolean;
}

/**
 * The steps whose output `name` may read, following the server's rule: steps that ran before
 * in the same lane or in an enclosing lane, the containers around it, and the trigger. What
 * is inside a loop or a branch lane is not visible after it; a loop's value, index, … only
 * inside it, and after it its summary (count, iterations, continued_failures).
 */
export function visibleSteps(definition: WorkflowDefinition, name: string): VisibleStep[] {
  const visible: VisibleStep[] = [{ name: TRIGGER_NAME, enclosingLoop: false }];
  if (name === TRIGGER_NAME) {
    return [];
  }
  const search = (lane: StructureNode[], seen: VisibleStep[]): VisibleStep[] | null => {
    const current = [...seen];
    for (const node of lane) {
      if (node.name === name) {
        return current;
      }
      for (const children of Object.values(node.content ?? {})) {
        const inside = [...current, { name: node.name, enclosingLoop: node.type === "loop" }];
        const found = search(children, inside);
        if (found !== null) {
          return found;
        }
      }
      current.push({ name: node.name, enclosingLoop: false });
    }
    return null;
  };
  return search(definition.steps_structure, visible) ?? visible;
}

/** The step definition of `name` (the trigger included). */
export function stepOf(definition: WorkflowDefinition, name: string): StepDefinition | undefined {
  if (name === TRIGGER_NAME) {
    return definition.trigger;
  }
  return definition.steps[name];
}

/**
 * The lanes a dynamic branch (Branch) should have: its fixed ones plus every lane its cases
 * name, i.e. the `lane` of the items of its array inputs.
 */
export function dynamicLaneNames(operation: Operation, step: StepDefinition): string[] {
  const names = new Set(operation.fixed_lanes ?? []);
  for (const [key, schema] of Object.entries(operation.input_schema.properties ?? {})) {
    if (schema.items?.properties?.lane === undefined) continue;
    const cases = step.properties[key];
    if (cases?.type !== "array" || !Array.isArray(cases.value)) continue;
    for (const item of cases.value as TypedValue[]) {
      const lane = item.type === "object" ? (item.value as Record<string, TypedValue>)?.lane : undefined;
      if (lane?.type === "string" && typeof lane.value === "string" && lane.value.trim() !== "") {
        names.add(lane.value.trim());
      }
    }
  }
  return [...names];
}

/** Gives a dynamic branch a lane per case; empty lanes no case names go, lanes holding steps stay. */
export function reconcileLanes(definition: WorkflowDefinition, name: string, operation: Operation): WorkflowDefinition {
  const step = definition.steps[name];
  const entry = findNode(definition, name);
  if (!operation.dynamic_lanes || step === undefined || entry === undefined || entry.node.type !== "branch") {
    return definition;
  }
  const wanted = dynamicLaneNames(operation, step);
  const content = entry.node.content ?? {};
  const next: Record<string, StructureNode[]> = {};
  for (const [lane, children] of Object.entries(content)) {
    if (children.length > 0 || wanted.includes(lane)) next[lane] = children;
  }
  for (const lane of wanted) next[lane] ??= [];
  if (Object.keys(next).join("\u0000") === Object.keys(content).join("\u0000")) {
    return definition;
  }
  return replaceNode(definition, name, { ...entry.node, content: next });
}

function replaceNode(definition: WorkflowDefinition, name: string, replacement: StructureNode): WorkflowDefinition {
  const rewrite = (lane: StructureNode[]): StructureNode[] =>
    lane.map((node) => {
      if (node.name === name) return replacement;
      if (node.content === undefined) return node;
      return { ...node, content: Object.fromEntries(Object.entries(node.content).map(([key, children]) => [key, rewrite(children)])) };
    });
  return { ...definition, steps_structure: rewrite(definition.steps_structure) };
}
