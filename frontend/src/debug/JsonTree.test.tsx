import { fireEvent, render, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { jsonPathOf, type JsonKey } from "./jsonpath";
import { JsonTree } from "./JsonTree";

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
});
