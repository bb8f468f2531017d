import { fireEvent, render, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { jsonPathOf, type JsonKey } from "./jsonpath";
import { JsonTree, parseJsonText } from "./JsonTree";

describe("JsonTree", () => {
  it("gives the keys leading to a clicked key, which make its jsonpath", () => {
    const onKeyClick = vi.fn<(keys: JsonKey[]) => void>();
    const output = { total_hits: 2, hits: [{ name: "acc-0001", display_name: "Account 0001" }, { name: "acc-0002", display_name: "Account 0002" }] };
    render(<JsonTree value={output} label="Output of totango-1" onKeyClick={onKeyClick} />);
    const tree = screen.getByRole("tree", { name: "Output of totango-1" });
    // The top level and its children are open; deeper objects are folded with their size.
    expect(within(tree).getAllByText("{2 keys}")).toHaveLength(2);
    fireEvent.click(within(tree).getAllByRole("button", { name: "Expand 0" })[0]!);
    fireEvent.click(within(tree).getByRole("button", { name: "display_name" }));
    expect(onKeyClick).toHaveBeenCalledWith(["hits", 0, "display_name"]);
    expect(jsonPathOf("totango-1", onKeyClick.mock.calls[0]![0])).toBe("$.steps.totango-1.hits[0].display_name");
  });

  it("shows redacted secrets as such, and keys as text where nothing copies them", () => {
    render(<JsonTree value={{ token: "[redacted]", channel: "#cs" }} label="Input of slack-1" />);
    expect(screen.getByTitle(/Redacted by the server/).textContent).toBe("[redacted]");
    expect(screen.queryByRole("button", { name: "channel" })).toBeNull();
    expect(screen.getByText('"#cs"')).toBeDefined();
  });

  it("offers a string holding JSON parsed, as a tree whose keys copy no jsonpath, and back as text", () => {
    const onKeyClick = vi.fn<(keys: JsonKey[]) => void>();
    const input = { data_type: "accounts", query: '{"terms": [{"type": "string", "term": "status"}], "count": 1000}' };
    render(<JsonTree value={input} label="Input of totango-1" onKeyClick={onKeyClick} />);
    const tree = screen.getByRole("tree", { name: "Input of totango-1" });
    // Escaped at first, as the step received it; plain strings get no toggle.
    expect(within(tree).getByText(JSON.stringify(input.query))).toBeDefined();
    expect(within(tree).queryByRole("button", { name: "Show data_type as parsed JSON" })).toBeNull();

    fireEvent.click(within(tree).getByRole("button", { name: "Show query as parsed JSON" }));

    expect(within(tree).queryByText(JSON.stringify(input.query))).toBeNull();
    expect(within(tree).getByText("JSON text: {2 keys}")).toBeDefined();
    expect(within(tree).getByText("1000").getAttribute("data-type")).toBe("number");
    fireEvent.click(within(tree).getByRole("button", { name: "Expand terms" }));
    fireEvent.click(within(tree).getByRole("button", { name: "Expand 0" }));
    expect(within(tree).getByText('"status"')).toBeDefined();
    // The output holds text: a key inside it has no jsonpath to copy.
    expect(within(tree).queryByRole("button", { name: "count" })).toBeNull();
    expect(within(tree).getByText("count").tagName).toBe("SPAN");

    fireEvent.click(within(tree).getByRole("button", { name: "Show query as text" }));
    expect(within(tree).getByText(JSON.stringify(input.query))).toBeDefined();
    expect(onKeyClick).not.toHaveBeenCalled();
  });

  it("parses a whole value that is JSON text", () => {
    render(<JsonTree value={'[{"id": "acc-0001"}]'} label="Output of http-1" />);
    fireEvent.click(screen.getByRole("button", { name: "Show (value) as parsed JSON" }));
    expect(screen.getByText("JSON text: [1 item]")).toBeDefined();
  });
});

describe("parseJsonText", () => {
  it("reads the objects and lists a string holds, and nothing else", () => {
    expect(parseJsonText(' {"count": 1000} ')).toEqual({ count: 1000 });
    expect(parseJsonText("[1, 2]")).toEqual([1, 2]);
    expect(parseJsonText("{not json}")).toBeUndefined();
    expect(parseJsonText("1000")).toBeUndefined();
    expect(parseJsonText('"text"')).toBeUndefined();
    expect(parseJsonText("{} and more")).toBeUndefined();
    expect(parseJsonText("Hello {name}")).toBeUndefined();
  });
});
