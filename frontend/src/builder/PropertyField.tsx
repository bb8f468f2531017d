import {
  ActionIcon,
  Box,
  Button,
  Group,
  NumberInput,
  Paper,
  Select,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
} from "@mantine/core";
import { IconPlus, IconX } from "@tabler/icons-react";
import { lazy, Suspense, useState } from "react";
import type { FieldError, JsonSchema, PropertyType, TypedValue } from "../api/types";
import { TimeZoneSelect, WorkflowPicker } from "../triggers/fields";
import { customEditorFor } from "./ConditionRows";
import { MappingIcon, useFieldType, ValueTypeMenu } from "./FieldControls";
import { JsonPathInput } from "./JsonPathInput";
import { schemaType, typedDefault, typedText } from "./typed-values";

// CodeMirror is loaded only when a code property is shown (the Script step), not with the builder.
const CodeField = lazy(() => import("./CodeField"));

export interface PropertyFieldProps {
  /** The step the field belongs to (what the snake and the completion may read from). */
  viewer: string;
  label: string;
  schema: JsonSchema;
  required?: boolean;
  value: TypedValue | undefined;
  onChange: (value: TypedValue | undefined) => void;
  /** Server and client errors; those at `errorPath` or below it are shown on this field. */
  errors: FieldError[];
  errorPath: string;
  depth?: number;
}

/** One input of a step: label, value type menu, mapping icon, and the editor of its type. */
export function PropertyField({ viewer, label, schema, required = false, value, onChange, errors, errorPath, depth = 0 }: PropertyFieldProps) {
  const { type, decides, changeType, pickPath } = useFieldType(schema, value, onChange);
  // A schema hint (`x-editor`) may give the field its own editor, while its value has the shape it edits.
  const Custom = value === undefined || value.type === schemaType(schema) ? customEditorFor(schema) : undefined;
  const messages = [
    ...new Set(
      errors
        // A custom editor shows its rows' errors in the rows.
        .filter((error) => error.path === errorPath || (depth === 0 && Custom === undefined && error.path.startsWith(`${errorPath}.`)))
        .map((error) => error.message),
    ),
  ];
  const invalid = messages.length > 0;
  const inputId = `field-${errorPath.replace(/[^A-Za-z0-9_-]/g, "-")}`;

  return (
    <Stack gap={4} data-field={errorPath}>
      <Group gap={6} wrap="nowrap" justify="space-between">
        <Text component="label" htmlFor={Custom === undefined ? inputId : undefined} fz="sm" fw={500} style={{ minWidth: 0 }} truncate>
          {label}
          {required && (
            <Text span c="red.6" ml={3} aria-hidden>
              *
            </Text>
          )}
        </Text>
        {Custom === undefined && (
          <Group gap={4} wrap="nowrap">
            <ValueTypeMenu label={label} type={type} onChange={changeType} />
            <MappingIcon viewer={viewer} label={label} onPick={pickPath} />
          </Group>
        )}
      </Group>
      {Custom !== undefined ? (
        <Custom viewer={viewer} label={label} schema={schema} value={value} onChange={onChange} errors={errors} errorPath={errorPath} />
      ) : (
        <ValueEditor
          id={inputId}
          decides={decides}
          required={required}
          viewer={viewer}
          label={label}
          schema={schema}
          type={type}
          value={value}
          onChange={onChange}
          invalid={invalid}
          errors={errors}
          errorPath={errorPath}
          depth={depth}
        />
      )}
      {schema.description !== undefined && (
        <Text fz="xs" c="dimmed" lh={1.4}>
          {schema.description}
        </Text>
      )}
      {messages.map((message) => (
        <Text key={message} fz="xs" c="red.7" role="alert">
          {message}
        </Text>
      ))}
    </Stack>
  );
}

/** An IANA time zone: declared with `format: "timezone"`, or a string property named `timezone`. */
function isTimeZoneField(schema: JsonSchema, errorPath: string): boolean {
  return schema.enum === undefined && (schema.format === "timezone" || errorPath.split(".").at(-1) === "timezone");
}

interface EditorProps {
  id: string;
  required: boolean;
  viewer: string;
  label: string;
  schema: JsonSchema;
  type: PropertyType;
  value: TypedValue | undefined;
  onChange: (value: TypedValue | undefined) => void;
  invalid: boolean;
  errors: FieldError[];
  errorPath: string;
  depth: number;
  /** Whether typing `$.` (or taking the `$` away) switches between string and jsonpath. */
  decides?: boolean;
  /** Shown in an empty text input whose schema has no default (the condition rows' hints). */
  placeholder?: string;
}

/** The input of one typed value, as its type wants it; shared with the condition rows. */
export function ValueEditor({ id, required, viewer, label, schema, type, value, onChange, invalid, errors, errorPath, depth, decides = false, placeholder }: EditorProps) {
  const raw = value?.type === type ? value.value : undefined;
  // After the field switched itself between string and jsonpath, the new input takes the focus.
  const [refocus, setRefocus] = useState(false);
  const editText = (kind: "string" | "jsonpath", next: string) => {
    // Only a string field turns back from a jsonpath (a List or a number stays a jsonpath).
    const typed = typedText(typeof raw === "string" ? raw : "", next, kind, decides && (kind === "string" || schemaType(schema) === "string"));
    if (typed !== undefined && typed.type !== kind) setRefocus(true);
    onChange(typed);
  };
  const focusAtEnd = (element: HTMLInputElement | HTMLTextAreaElement | null) => {
    if (element === null || !refocus) return;
    element.focus();
    element.setSelectionRange(element.value.length, element.value.length);
    setRefocus(false);
  };
  switch (type) {
    case "string": {
      const text = typeof raw === "string" ? raw : "";
      const pick = (next: string | null) => onChange(next === null || next === "" ? undefined : { type: "string", value: next });
      if (schema.format === "code") {
        const example = Array.isArray(schema.examples) && typeof schema.examples[0] === "string" ? schema.examples[0] : undefined;
        return (
          <Suspense fallback={<Textarea id={id} aria-label={label} value={text} readOnly autosize minRows={6} />}>
            <CodeField id={id} label={label} viewer={viewer} value={text} example={example} invalid={invalid} onChange={(next) => onChange(next === "" ? undefined : { type: "string", value: next })} />
          </Suspense>
        );
      }
      if (schema.format === "workflow-id") {
        return <WorkflowPicker id={id} label={label} value={text === "" ? null : text} onChange={pick} invalid={invalid} required={required} />;
      }
      if (isTimeZoneField(schema, errorPath)) {
        return (
          <TimeZoneSelect
            id={id}
            label={label}
            value={text === "" ? null : text}
            onChange={pick}
            invalid={invalid}
            required={required}
            placeholder={typeof schema.default === "string" ? `Default: ${schema.default}` : undefined}
          />
        );
      }
      if (schema.enum !== undefined) {
        const data = schema.enum.map((option, index) => ({ value: String(option), label: schema.enumNames?.[index] ?? String(option) }));
        const byDefault = data.find((option) => option.value === String(schema.default))?.label ?? String(schema.default);
        return (
          <Select
            id={id}
            aria-label={label}
            data={data}
            value={text === "" ? null : text}
            placeholder={schema.default === undefined ? "Choose…" : `Default: ${byDefault}`}
            onChange={(next) => onChange(next === null ? undefined : { type: "string", value: next })}
            error={invalid}
            clearable={!required}
            allowDeselect={false}
            searchable
            selectFirstOptionOnChange
            comboboxProps={{ withinPortal: true }}
          />
        );
      }
      return (
        <Textarea
          id={id}
          aria-label={label}
          value={text}
          autosize
          minRows={1}
          maxRows={10}
          placeholder={schema.default === undefined ? placeholder : `Default: ${String(schema.default)}`}
          onChange={(event) => editText("string", event.currentTarget.value)}
          ref={focusAtEnd}
          error={invalid}
          spellCheck={false}
        />
      );
    }
    case "jsonpath":
      return (
        <Box id={id}>
          <JsonPathInput
            viewer={viewer}
            label={label}
            value={typeof raw === "string" ? raw : ""}
            onChange={(next) => editText("jsonpath", next)}
            inputRef={focusAtEnd}
            error={invalid}
          />
        </Box>
      );
    case "number":
    case "integer":
      return (
        <NumberInput
          id={id}
          aria-label={label}
          value={typeof raw === "number" ? raw : ""}
          allowDecimal={type === "number"}
          onChange={(next) => onChange(typeof next === "number" ? { type, value: next } : undefined)}
          onKeyDown={(event) => {
            // A number input refuses `$`: typed first, it makes the field a jsonpath instead.
            if (!decides || event.key !== "$" || event.currentTarget.value !== "") return;
            event.preventDefault();
            setRefocus(true);
            onChange({ type: "jsonpath", value: "$" });
          }}
          error={invalid}
          placeholder={schema.default === undefined ? undefined : `Default: ${String(schema.default)}`}
        />
      );
    case "boolean":
      return (
        <Switch
          id={id}
          aria-label={label}
          checked={raw === true || (raw === undefined && schema.default === true)}
          onChange={(event) => onChange({ type: "boolean", value: event.currentTarget.checked })}
          label={raw === true || (raw === undefined && schema.default === true) ? "true" : "false"}
          error={invalid}
        />
      );
    case "null":
      return (
        <Text id={id} fz="sm" c="dimmed" ff="monospace">
          null
        </Text>
      );
    case "object":
      return (
        <ObjectEditor
          viewer={viewer}
          label={label}
          schema={schema}
          value={raw !== null && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, TypedValue>) : {}}
          onChange={(members) => onChange({ type: "object", value: members })}
          errors={errors}
          errorPath={errorPath}
          depth={depth}
        />
      );
    case "array":
      return (
        <ArrayEditor
          viewer={viewer}
          label={label}
          schema={schema}
          value={Array.isArray(raw) ? (raw as TypedValue[]) : []}
          onChange={(items) => onChange({ type: "array", value: items })}
          errors={errors}
          errorPath={errorPath}
          depth={depth}
        />
      );
  }
}

interface CollectionProps<T> {
  viewer: string;
  label: string;
  schema: JsonSchema;
  value: T;
  onChange: (value: T) => void;
  errors: FieldError[];
  errorPath: string;
  depth: number;
}

/** Members of an object: the schema's own properties, then free key/value pairs. */
function ObjectEditor({ viewer, label, schema, value, onChange, errors, errorPath, depth }: CollectionProps<Record<string, TypedValue>>) {
  const declared = schema.properties ?? {};
  const extraKeys = Object.keys(value).filter((key) => !(key in declared));
  const allowsExtra = schema.additionalProperties !== false;
  const extraSchema: JsonSchema = typeof schema.additionalProperties === "object" ? schema.additionalProperties : {};
  const [newKey, setNewKey] = useState("");
  const setMember = (key: string, member: TypedValue | undefined) => {
    const { [key]: _previous, ...rest } = value;
    onChange(member === undefined ? rest : { ...rest, [key]: member });
  };
  const addKey = () => {
    const key = newKey.trim();
    if (key === "" || key in value) return;
    onChange({ ...value, [key]: typedDefault(extraSchema) ?? { type: schemaType(extraSchema), value: "" } });
    setNewKey("");
  };
  return (
    <Paper withBorder p="sm" radius="md" bg="gray.0">
      <Stack gap="sm">
        {Object.entries(declared).map(([key, member]) => (
          <PropertyField
            key={key}
            viewer={viewer}
            label={member.title ?? key}
            schema={member}
            required={schema.required?.includes(key) ?? false}
            value={value[key]}
            onChange={(next) => setMember(key, next)}
            errors={errors}
            errorPath={`${errorPath}.${key}`}
            depth={depth + 1}
          />
        ))}
        {extraKeys.map((key) => (
          <Group key={key} align="flex-start" gap={6} wrap="nowrap">
            <Box style={{ flex: 1, minWidth: 0 }}>
              <PropertyField
                viewer={viewer}
                label={key}
                schema={extraSchema}
                value={value[key]}
                onChange={(next) => setMember(key, next ?? { type: "string", value: "" })}
                errors={errors}
                errorPath={`${errorPath}.${key}`}
                depth={depth + 1}
              />
            </Box>
            <ActionIcon variant="subtle" color="gray" mt={2} aria-label={`Remove ${key} from ${label}`} onClick={() => setMember(key, undefined)}>
              <IconX size={14} aria-hidden />
            </ActionIcon>
          </Group>
        ))}
        {allowsExtra && (
          <Group gap={6} wrap="nowrap">
            <TextInput
              size="xs"
              style={{ flex: 1 }}
              placeholder="Field name"
              aria-label={`New field name in ${label}`}
              value={newKey}
              onChange={(event) => setNewKey(event.currentTarget.value)}
              onKeyDown={(event) => {
                if (event.key === "Enter") {
                  event.preventDefault();
                  addKey();
                }
              }}
            />
            <Button size="xs" variant="light" leftSection={<IconPlus size={13} />} onClick={addKey} disabled={newKey.trim() === ""}>
              Add field
            </Button>
          </Group>
        )}
        {Object.keys(declared).length === 0 && extraKeys.length === 0 && !allowsExtra && (
          <Text fz="xs" c="dimmed">
            No fields.
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

function ArrayEditor({ viewer, label, schema, value, onChange, errors, errorPath, depth }: CollectionProps<TypedValue[]>) {
  const itemSchema = schema.items ?? {};
  const setItem = (index: number, item: TypedValue | undefined) => {
    const next = [...value];
    next[index] = item ?? { type: schemaType(itemSchema), value: schemaType(itemSchema) === "object" ? {} : "" };
    onChange(next);
  };
  return (
    <Paper withBorder p="sm" radius="md" bg="gray.0">
      <Stack gap="sm">
        {value.map((item, index) => (
          <Group key={index} align="flex-start" gap={6} wrap="nowrap">
            <Box style={{ flex: 1, minWidth: 0 }}>
              <PropertyField
                viewer={viewer}
                label={`${label} item ${index + 1}`}
                schema={itemSchema}
                value={item}
                onChange={(next) => setItem(index, next)}
                errors={errors}
                errorPath={`${errorPath}.${index}`}
                depth={depth + 1}
              />
            </Box>
            <ActionIcon
              variant="subtle"
              color="gray"
              mt={2}
              aria-label={`Remove ${label} item ${index + 1}`}
              onClick={() => onChange(value.filter((_, other) => other !== index))}
            >
              <IconX size={14} aria-hidden />
            </ActionIcon>
          </Group>
        ))}
        <Button
          size="xs"
          variant="light"
          leftSection={<IconPlus size={13} />}
          onClick={() =>
            onChange([...value, typedDefault(itemSchema) ?? { type: schemaType(itemSchema), value: schemaType(itemSchema) === "object" ? {} : "" } as TypedValue])
          }
          style={{ alignSelf: "flex-start" }}
        >
          Add item
        </Button>
      </Stack>
    </Paper>
  );
}
