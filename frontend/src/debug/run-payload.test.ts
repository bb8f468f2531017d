import { describe, expect, it } from "vitest";
import { parsePayload, payloadKey, readPayloadText, writePayloadText } from "./run-payload";

function memoryStorage() {
  const items = new Map<string, string>();
  return { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value), removeItem: (key: string) => void items.delete(key), items };
}

describe("run payload", () => {
  it("keeps a payload per workflow, and forgets an empty one", () => {
    const storage = memoryStorage();
    writePayloadText("wf-1", '{"a": 1}', storage);
    expect(readPayloadText("wf-1", storage)).toBe('{"a": 1}');
    expect(readPayloadText("wf-2", storage)).toBe("");
    writePayloadText("wf-1", "  ", storage);
    expect(storage.items.has(payloadKey("wf-1"))).toBe(false);
  });

  it("reads an empty text as {} and refuses what is not a JSON object", () => {
    expect(parsePayload("")).toEqual({ ok: true, payload: {} });
    expect(parsePayload('{"account": {"id": 42}}')).toEqual({ ok: true, payload: { account: { id: 42 } } });
    expect(parsePayload("[1]")).toMatchObject({ ok: false });
    expect(parsePayload("{nope")).toMatchObject({ ok: false });
  });
});
