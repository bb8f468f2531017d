import { beforeEach, describe, expect, it } from "vitest";
import type { WorkflowNode } from "./graph-slice";
import { createAppStore, type AppStore } from "./store";

function node(id: string, label = id): WorkflowNode {
  return { id, position: { x: 0, y: 0 }, data: { label } };
}

describe("app store", () => {
  let store: AppStore;

  beforeEach(() => {
    store = createAppStore();
  });

  it("starts empty", () => {
    const state = store.getState();
    expect(state.nodes).toEqual([]);
    expect(state.edges).toEqual([]);
    expect(state.selectedNodeIds).toEqual([]);
    expect(state.selectedEdgeIds).toEqual([]);
  });

  describe("graph slice", () => {
    it("adds nodes and updates their data", () => {
      store.getState().addNode(node("a", "Trigger"));
      store.getState().addNode(node("b", "Action"));
      store.getState().updateNodeData("a", { label: "Webhook trigger" });

      const { nodes } = store.getState();
      expect(nodes.map((n) => n.id)).toEqual(["a", "b"]);
      expect(nodes[0]?.data.label).toBe("Webhook trigger");
      expect(nodes[1]?.data.label).toBe("Action");
    });

    it("connects nodes and removes edges", () => {
      store.getState().setGraph([node("a"), node("b")], []);
      store.getState().connect({ source: "a", target: "b", sourceHandle: null, targetHandle: null });

      const [edge] = store.getState().edges;
      expect(edge).toMatchObject({ source: "a", target: "b" });

      store.getState().selectEdge(edge!.id);
      store.getState().removeEdge(edge!.id);
      expect(store.getState().edges).toEqual([]);
      expect(store.getState().selectedEdgeIds).toEqual([]);
    });

    it("removing a node drops its edges and its selection", () => {
      store.getState().setGraph(
        [node("a"), node("b"), node("c")],
        [
          { id: "a-b", source: "a", target: "b" },
          { id: "b-c", source: "b", target: "c" },
          { id: "a-c", source: "a", target: "c" },
        ],
      );
      store.getState().setSelection({ nodeIds: ["b", "c"], edgeIds: ["a-b", "a-c"] });

      store.getState().removeNode("b");

      const state = store.getState();
      expect(state.nodes.map((n) => n.id)).toEqual(["a", "c"]);
      expect(state.edges.map((e) => e.id)).toEqual(["a-c"]);
      expect(state.selectedNodeIds).toEqual(["c"]);
      expect(state.selectedEdgeIds).toEqual(["a-c"]);
    });

    it("applies React Flow node and edge changes", () => {
      store.getState().setGraph([node("a"), node("b")], [{ id: "a-b", source: "a", target: "b" }]);

      store.getState().onNodesChange([{ type: "position", id: "a", position: { x: 40, y: 80 } }]);
      store.getState().onEdgesChange([{ type: "remove", id: "a-b" }]);

      expect(store.getState().nodes[0]?.position).toEqual({ x: 40, y: 80 });
      expect(store.getState().edges).toEqual([]);
    });

    it("resets the graph and selection", () => {
      store.getState().setGraph([node("a")], []);
      store.getState().selectNode("a");
      store.getState().resetGraph();

      expect(store.getState().nodes).toEqual([]);
      expect(store.getState().selectedNodeIds).toEqual([]);
    });
  });

  describe("selection slice", () => {
    it("selects a single node, replacing any edge selection", () => {
      store.getState().selectEdge("e1");
      store.getState().selectNode("a");
      store.getState().selectNode("b");

      expect(store.getState().selectedNodeIds).toEqual(["b"]);
      expect(store.getState().selectedEdgeIds).toEqual([]);
    });

    it("toggles nodes in additive mode", () => {
      store.getState().selectNode("a");
      store.getState().selectNode("b", true);
      expect(store.getState().selectedNodeIds).toEqual(["a", "b"]);

      store.getState().selectNode("a", true);
      expect(store.getState().selectedNodeIds).toEqual(["b"]);
    });

    it("sets and clears the selection", () => {
      store.getState().setSelection({ nodeIds: ["a"], edgeIds: ["e1"] });
      expect(store.getState().selectedNodeIds).toEqual(["a"]);
      expect(store.getState().selectedEdgeIds).toEqual(["e1"]);

      store.getState().clearSelection();
      expect(store.getState().selectedNodeIds).toEqual([]);
      expect(store.getState().selectedEdgeIds).toEqual([]);
    });
  });

  it("creates independent store instances", () => {
    store.getState().addNode(node("a"));
    expect(createAppStore().getState().nodes).toEqual([]);
  });
});
