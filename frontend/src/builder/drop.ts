import type { DragEvent } from "react";
import type { Slot } from "../definition/structure";
import { appStore } from "../store";
import { useCatalogue } from "./catalogue-context";
import { STEP_DRAG_TYPE } from "./StepCard";

export const CONNECTOR_DRAG_TYPE = "application/x-flowbuilder-connector";

/** Handles a drop on a slot: a connector from the panel becomes a step, a dragged step moves. */
export function useDropOnSlot(): (event: DragEvent, slot: Slot) => void {
  const catalogue = useCatalogue();
  return (event, slot) => {
    const state = appStore.getState();
    const connectorKey = event.dataTransfer.getData(CONNECTOR_DRAG_TYPE) || (state.dragging?.kind === "connector" ? state.dragging.connector : "");
    const stepName = event.dataTransfer.getData(STEP_DRAG_TYPE) || (state.dragging?.kind === "step" ? state.dragging.name : "");
    state.setDragging(null);
    if (connectorKey !== "") {
      const connector = catalogue.get(connectorKey);
      if (connector !== undefined) state.addStep(connector, slot);
    } else if (stepName !== "") {
      state.moveStep(stepName, slot);
    }
  };
}
