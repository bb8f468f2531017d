/** The trigger payload a person keeps for a workflow's Run workflow, in this browser's localStorage. */
import type { JsonValue } from "../api/types";

export function payloadKey(workflowId: string): string {
  return `flowbuilder:run-payload:${workflowId}`;
}

type PayloadStorage = Pick<Storage, "getItem" | "setItem" | "removeItem"> | null;

function defaultStorage(): PayloadStorage {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** The kept payload's text, or "" when none is kept. */
export function readPayloadText(workflowId: string, storage: PayloadStorage = defaultStorage()): string {
  try {
    return storage?.getItem(payloadKey(workflowId)) ?? "";
  } catch {
    return "";
  }
}

export function writePayloadText(workflowId: string, text: string, storage: PayloadStorage = defaultStorage()): void {
  try {
    if (text.trim() === "") storage?.removeItem(payloadKey(workflowId));
    else storage?.setItem(payloadKey(workflowId), text);
  } catch {
    // A full or unavailable storage only loses the kept payload.
  }
}

export type ParsedPayload = { ok: true; payload: { [key: string]: JsonValue } } | { ok: false; error: string };

/** Reads the editor's text: empty is `{}`; anything else must be a JSON object. */
export function parsePayload(text: string): ParsedPayload {
  if (text.trim() === "") return { ok: true, payload: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, error: "The payload must be a JSON object, e.g. {\"account_id\": \"42\"}." };
  }
  return { ok: true, payload: value as { [key: string]: JsonValue } };
}
