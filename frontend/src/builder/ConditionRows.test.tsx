import { MantineProvider } from "@mantine/core";
import { act, fireEvent, render, screen, within } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import type { FieldError, JsonSchema, TypedValue } from "../api/types";
import { theme } from "../theme";
import { connector } from "../test/catalogue";
import { PropertyField } from "./PropertyField";

/** A property's schema as the catalogue serves it (GET /api/connectors/). */
function propertySchema(connectorKey: string, operationKey: string, property: string): JsonSchema {
  const schema = connector(connectorKey).operations.find((operation) => operation.key === operationKey)?.input_schema.properties?.[property];
  if (schema === undefined) throw new Error(`No ${connectorKey}.${operationKey}.${property} in the catalogue`);
  return schema;
}

/** The field as the properties panel holds it: its value is what its last change made it. */
function renderField(schema: JsonSchema, initial?: TypedValue, errors: FieldError[] = []) {
  const saved: { value: TypedValue | undefined } = { value: initial };
  function Field() {
    const [value, setValue] = useState<TypedValue | undefined>(initial);
    return (
      <PropertyField
        viewer="boolean-1"
        label={schema.title ?? "Field"}
        schema={schema}
        value={value}
        onChange={(next) => {
          saved.value = next;
          setValue(next);
        }}
        errors={errors}
        errorPath="steps.boolean-1.properties.field"
      />
    );
  }
  render(
    <MantineProvider theme={theme} env="test">
      <Field />
    </MantineProvider>,
  );
  return saved;
}

function type(input: HTMLElement, text: string) {
  act(() => {
    fireEvent.change(input, { target: { value: text } });
  });
}

describe("Boolean condition's condition rows", () => {
  const conditions = () => propertySchema("boolean", "boolean_condition", "conditions");

  it("starts with an empty state, and a new row compares with equals", () => {
    const saved = renderField(conditions());
    expect(screen.getByText("No conditions yet: add one to compare a value.")).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "Add condition" }));

    expect(saved.value).toEqual({ type: "array", value: [{ type: "object", value: { comparison: { type: "string", value: "===" } } }] });
    expect((screen.getByRole("combobox", { name: "Condition 1 comparison" }) as HTMLInputElement).value).toBe("equals");
    expect(screen.getByRole("textbox", { name: "Condition 1 compared with" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Value type of Conditions" })).toBeNull();
  });

  it("builds value, comparison in words and value into the definition's shape", async () => {
    const saved = renderField(conditions());
    fireEvent.click(screen.getByRole("button", { name: "Add condition" }));

    type(screen.getByRole("textbox", { name: "Condition 1 value" }), "$.steps.loop-1.value.health");
    type(screen.getByRole("textbox", { name: "Condition 1 compared with" }), "red");

    expect((screen.getByRole("combobox", { name: "Condition 1 value" }) as HTMLInputElement).value).toBe("$.steps.loop-1.value.health");
    expect(saved.value).toEqual({
      type: "array",
      value: [
        {
          type: "object",
          value: {
            comparison: { type: "string", value: "===" },
            value1: { type: "jsonpath", value: "$.steps.loop-1.value.health" },
            value2: { type: "string", value: "red" },
          },
        },
      ],
    });
    fireEvent.click(screen.getByRole("combobox", { name: "Condition 1 comparison" }));
    const listbox = await screen.findByRole("listbox");
    expect(within(listbox).getAllByRole("option").map((option) => option.textContent)).toEqual([
      "equals",
      "does not equal",
      "is greater than",
      "is less than",
      "is greater than or equal to",
      "is less than or equal to",
      "contains",
      "does not contain",
      "is empty",
      "is not empty",
    ]);
  });

  it("hides the second value for is empty and drops it from the definition", async () => {
    const saved = renderField(conditions(), {
      type: "array",
      value: [
        {
          type: "object",
          value: {
            value1: { type: "jsonpath", value: "$.steps.loop-1.value.owner" },
            comparison: { type: "string", value: "===" },
            value2: { type: "string", value: "ada" },
          },
        },
      ],
    });

    fireEvent.click(screen.getByRole("combobox", { name: "Condition 1 comparison" }));
    fireEvent.click(within(await screen.findByRole("listbox")).getByRole("option", { name: "is empty" }));

    expect(screen.queryByRole("textbox", { name: "Condition 1 compared with" })).toBeNull();
    expect(saved.value).toEqual({
      type: "array",
      value: [
        {
          type: "object",
          value: { value1: { type: "jsonpath", value: "$.steps.loop-1.value.owner" }, comparison: { type: "string", value: "is_empty" } },
        },
      ],
    });
  });

  it("adds and removes rows, keeping the others", () => {
    const saved = renderField(conditions());
    fireEvent.click(screen.getByRole("button", { name: "Add condition" }));
    fireEvent.click(screen.getByRole("button", { name: "Add condition" }));
    type(screen.getByRole("textbox", { name: "Condition 2 compared with" }), "second");

    fireEvent.click(screen.getByRole("button", { name: "Remove condition 1" }));

    expect(screen.queryByRole("button", { name: "Remove condition 2" })).toBeNull();
    expect(saved.value).toEqual({
      type: "array",
      value: [{ type: "object", value: { comparison: { type: "string", value: "===" }, value2: { type: "string", value: "second" } } }],
    });
  });
});

describe("the condition rows' own state", () => {
  const conditions = () => propertySchema("boolean", "boolean_condition", "conditions");

  it("stays with its row when a row above is removed", async () => {
    renderField(conditions());
    fireEvent.click(screen.getByRole("button", { name: "Add condition" }));
    fireEvent.click(screen.getByRole("button", { name: "Add condition" }));
    fireEvent.click(screen.getByRole("button", { name: "Value type of Condition 1 value" }));
    fireEvent.click(await screen.findByRole("menuitem", { name: "Number" }));
    expect(screen.getByRole("textbox", { name: "Condition 1 value" }).getAttribute("inputmode")).toBe("decimal");

    fireEvent.click(screen.getByRole("button", { name: "Remove condition 1" }));

    expect(screen.getByRole("textbox", { name: "Condition 1 value" }).getAttribute("inputmode")).toBeNull();
    expect(screen.getByRole("button", { name: "Value type of Condition 1 value" }).getAttribute("data-value-type")).toBe("string");
  });

  it("shows each row's errors in that row, not under the whole field", () => {
    const path = "steps.boolean-1.properties.field";
    renderField(
      conditions(),
      {
        type: "array",
        value: [
          { type: "object", value: { value1: { type: "string", value: "a" }, comparison: { type: "string", value: "===" } } },
          { type: "object", value: { comparison: { type: "string", value: "===" } } },
        ],
      },
      [
        { path: `${path}.1.value1`, message: "'value1' is required." },
        { path, message: "Conditions is required." },
      ],
    );

    const second = document.querySelector('[data-condition="2"]') as HTMLElement;
    const first = document.querySelector('[data-condition="1"]') as HTMLElement;
    expect(within(second).getByRole("alert").textContent).toBe("'value1' is required.");
    expect(within(first).queryByRole("alert")).toBeNull();
    expect(screen.getAllByRole("alert").map((alert) => alert.textContent)).toEqual(["'value1' is required.", "Conditions is required."]);
    expect(screen.getByRole("textbox", { name: "Condition 2 value" }).getAttribute("aria-invalid")).toBe("true");
  });
});

describe("Branch's case rows", () => {
  it("names each case's lane and the value it equals", () => {
    const saved = renderField(propertySchema("branch", "branch", "cases"));
    expect(screen.getByText("No cases yet: every run takes the default lane.")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Add case" }));

    type(screen.getByRole("textbox", { name: "Case 1 lane" }), "red");
    type(screen.getByRole("textbox", { name: "Case 1 value" }), "red");

    expect(saved.value).toEqual({
      type: "array",
      value: [{ type: "object", value: { lane: { type: "string", value: "red" }, value: { type: "string", value: "red" } } }],
    });
  });
});

describe("Boolean condition's All/Any", () => {
  it("is a toggle of its two options", () => {
    const saved = renderField(propertySchema("boolean", "boolean_condition", "strictness"));
    expect((screen.getByRole("radio", { name: "All conditions" }) as HTMLInputElement).checked).toBe(true);

    fireEvent.click(screen.getByRole("radio", { name: "Any condition" }));

    expect(saved.value).toEqual({ type: "string", value: "Any" });
  });
});

describe("a field that decides its type", () => {
  const message = () => propertySchema("slack", "send_message", "text");

  it("becomes a jsonpath input when `$.` is typed, and keeps the focus", () => {
    const saved = renderField(message());
    type(screen.getByRole("textbox", { name: "Message" }), "$");
    expect(saved.value).toEqual({ type: "string", value: "$" });

    type(screen.getByRole("textbox", { name: "Message" }), "$.");

    const jsonpath = screen.getByRole("combobox", { name: "Message" });
    expect(saved.value).toEqual({ type: "jsonpath", value: "$." });
    expect(document.activeElement).toBe(jsonpath);
    expect(screen.getByRole("button", { name: "Value type of Message" }).getAttribute("data-value-type")).toBe("jsonpath");
  });

  it("keeps the type picked in the value type menu", async () => {
    const saved = renderField(message());
    fireEvent.click(screen.getByRole("button", { name: "Value type of Message" }));
    fireEvent.click(await screen.findByRole("menuitem", { name: "Text" }));

    type(screen.getByRole("textbox", { name: "Message" }), "$.steps");

    expect(saved.value).toEqual({ type: "string", value: "$.steps" });
    expect(screen.getByRole("textbox", { name: "Message" })).toBeTruthy();
  });

  it("shows a number input for a number and a switch for a boolean", () => {
    renderField(propertySchema("delay", "delay", "wait_for"));
    expect(screen.getByRole("textbox", { name: "Wait for" }).getAttribute("inputmode")).toBe("decimal");
    expect(screen.getByRole("button", { name: "Value type of Wait for" }).getAttribute("data-value-type")).toBe("number");
  });

  it("lets a number field become a jsonpath when `$` is typed first", () => {
    const saved = renderField(propertySchema("delay", "delay", "wait_for"));
    const number = screen.getByRole("textbox", { name: "Wait for" });
    act(() => {
      fireEvent.keyDown(number, { key: "$" });
    });

    expect(saved.value).toEqual({ type: "jsonpath", value: "$" });
    expect(document.activeElement).toBe(screen.getByRole("combobox", { name: "Wait for" }));
    type(screen.getByRole("combobox", { name: "Wait for" }), "wait");
    expect(saved.value).toEqual({ type: "jsonpath", value: "wait" });
  });

  it("shows a switch for a boolean", () => {
    const saved = renderField(propertySchema("http", "http_request", "fail_on_error_status"));
    fireEvent.click(screen.getByRole("switch", { name: "Fail on HTTP errors" }));
    expect(saved.value?.type).toBe("boolean");
  });
});
