import { describe, expect, it } from "vitest";
import { continuedFailuresText } from "./format";

describe("continuedFailuresText", () => {
  it("says how many failures the run continued past, or nothing", () => {
    expect(continuedFailuresText(undefined)).toBeNull();
    expect(continuedFailuresText(0)).toBeNull();
    expect(continuedFailuresText(1)).toBe("1 failure continued");
    expect(continuedFailuresText(7)).toBe("7 failures continued");
    expect(continuedFailuresText(1200)).toBe("1,200 failures continued");
  });
});
