export { appStore, createAppStore, useAppStore, type AppStore } from "./store";
export type { AppState } from "./types";
export type { DragItem, PanelTab, Snake } from "./selection-slice";
export type { SaveState } from "./save-slice";
