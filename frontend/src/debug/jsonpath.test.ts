import { describe, expect, it } from "vitest";
import { jsonPathOf } from "./jsonpath";

describe("jsonPathOf", () => {
  it("joins names with dots and array indexes in brackets", () => {
    expect(jsonPathOf("totango-1", ["hits", 0, "display_name"])).toBe("$.steps.totango-1.hits[0].display_name");
  });

  it("is the whole output for no key", () => {
    expect(jsonPathOf("slack-1", [])).toBe("$.steps.slack-1");
  });

  it("quotes keys a dotted path cannot hold", () => {
    expect(jsonPathOf("http-1", ["body", "first name", "it's"])).toBe("$.steps.http-1.body['first name']['it\\'s']");
    expect(jsonPathOf("http-1", ["a.b"])).toBe("$.steps.http-1['a.b']");
  });

  it("keeps a numeric object key as a name, not an index", () => {
    expect(jsonPathOf("x-1", ["200", 3])).toBe("$.steps.x-1.200[3]");
  });
});
