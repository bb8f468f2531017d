/** Editors a connector's schema asks for with `x-editor`: condition rows, branch cases, a segmented choice. */
import { ActionIcon, Box, Button, Divider, Group, Paper, SegmentedControl, Select, Stack, Text, TextInput } from "@mantine/core";
import { IconPlus, IconX } from "@tabler/icons-react";
import { useRef, type ComponentType } from "react";
import type { FieldError, JsonSchema, TypedValue } from "../api/types";
import { stepOf } from "../definition/structure";
import { useAppStore } from "../store";
import { MappingIcon, useFieldType, ValueTypeMenu } from "./FieldControls";
import { ValueEditor } from "./PropertyField";

export interface CustomEditorProps {
  viewer: string;
  label: string;
  schema: JsonSchema;
  value: TypedValue | undefined;
  onChange: (value: TypedValue | undefined) => void;
  errors: FieldError[];
  errorPath: string;
}

/**
 * The editor a property's `x-editor` hint names (docs/connectors.md, "Editor hints"):
 * `conditions` (an array of {value1, comparison, value2}), `cases` (an array of {lane, value}),
 * `segmented` (a choice of a few options).
 */
export function customEditorFor(schema: JsonSchema): ComponentType<CustomEditorProps> | undefined {
  switch (schema["x-editor"]) {
    case "conditions":
      return ConditionRows;
    case "cases":
      return CaseRows;
    case "segmented":
      return SegmentedChoice;
    default:
      return undefined;
  }
}

type Members = Record<string, TypedValue>;

function membersOf(item: TypedValue | undefined): Members {
  const raw = item?.value;
  return item?.type === "object" && raw !== null && typeof raw === "object" && !Array.isArray(raw) ? (raw as Members) : {};
}

function errorsAt(errors: FieldError[], path: string): FieldError[] {
  return errors.filter((error) => error.path === path || error.path.startsWith(`${path}.`));
}

function hasError(errors: FieldError[], path: string): boolean {
  return errorsAt(errors, path).length > 0;
}

/** The messages of one row's fields, under the row. */
function RowMessages({ errors, path }: { errors: FieldError[]; path: string }) {
  const messages = [...new Set(errorsAt(errors, path).map((error) => error.message))];
  return messages.map((message) => (
    <Text key={message} fz="xs" c="red.7" role="alert">
      {message}
    </Text>
  ));
}

let lastRowKey = 0;

/** The rows of an array property: each an object of typed members, edited one member at a time. */
function useRows(value: TypedValue | undefined, onChange: (value: TypedValue | undefined) => void) {
  const rows = value?.type === "array" && Array.isArray(value.value) ? (value.value as TypedValue[]) : [];
  // A key per row that survives removing the rows above it, so each row keeps its own input state.
  const keys = useRef<number[]>([]);
  if (keys.current.length !== rows.length) {
    keys.current = rows.map((_, index) => keys.current[index] ?? ++lastRowKey);
  }
  const save = (next: TypedValue[]) => onChange({ type: "array", value: next });
  return {
    rows: rows.map(membersOf),
    keys: keys.current,
    add: (members: Members) => {
      keys.current = [...keys.current, ++lastRowKey];
      save([...rows, { type: "object", value: members }]);
    },
    remove: (index: number) => {
      keys.current = keys.current.filter((_, other) => other !== index);
      save(rows.filter((_, other) => other !== index));
    },
    setMembers: (index: number, members: Members) => save(rows.map((row, other) => (other === index ? { type: "object", value: members } : row))),
  };
}

function withMember(members: Members, key: string, member: TypedValue | undefined): Members {
  const { [key]: _previous, ...rest } = members;
  return member === undefined ? rest : { ...rest, [key]: member };
}

/** A value inside a row: its input, then its value type menu and its mapping icon. */
function InlineValue({
  viewer,
  label,
  schema,
  value,
  onChange,
  errors,
  errorPath,
  placeholder,
}: Omit<CustomEditorProps, "schema"> & { schema: JsonSchema; placeholder: string }) {
  const { type, decides, changeType, pickPath } = useFieldType(schema, value, onChange);
  return (
    <Group gap={4} wrap="nowrap" align="flex-start" data-field={errorPath}>
      <Box style={{ flex: 1, minWidth: 0 }}>
        <ValueEditor
          id={`field-${errorPath.replace(/[^A-Za-z0-9_-]/g, "-")}`}
          required={false}
          viewer={viewer}
          label={label}
          schema={schema}
          type={type}
          value={value}
          onChange={onChange}
          invalid={hasError(errors, errorPath)}
          errors={errors}
          errorPath={errorPath}
          depth={1}
          decides={decides}
          placeholder={placeholder}
        />
      </Box>
      <ValueTypeMenu label={label} type={type} onChange={changeType} />
      <MappingIcon viewer={viewer} label={label} onPick={pickPath} />
    </Group>
  );
}

function RowHeader({ title, removeLabel, onRemove }: { title: string; removeLabel: string; onRemove: () => void }) {
  return (
    <Group justify="space-between" wrap="nowrap">
      <Text fz="xs" fw={600} c="dimmed" tt="uppercase" lts={0.3}>
        {title}
      </Text>
      <ActionIcon variant="subtle" color="gray" size="sm" aria-label={removeLabel} onClick={onRemove}>
        <IconX size={14} aria-hidden />
      </ActionIcon>
    </Group>
  );
}

function EmptyRows({ message }: { message: string }) {
  return (
    <Paper withBorder radius="md" p="sm" bg="gray.0" style={{ borderStyle: "dashed" }}>
      <Text fz="sm" c="dimmed" ta="center">
        {message}
      </Text>
    </Paper>
  );
}

/** Boolean condition's conditions: "<value> <comparison in words> <value>", a row each. */
export function ConditionRows({ viewer, label, schema, value, onChange, errors, errorPath }: CustomEditorProps) {
  const { rows, keys, add, remove, setMembers } = useRows(value, onChange);
  const itemSchema = schema.items ?? {};
  const fields = itemSchema.properties ?? {};
  const comparisonSchema = fields.comparison ?? {};
  const comparisons = (comparisonSchema.enum ?? []).map((option, index) => ({
    value: String(option),
    label: comparisonSchema.enumNames?.[index] ?? String(option),
  }));
  const unary = new Set((comparisonSchema["x-unary"] as string[] | undefined) ?? []);
  const defaultComparison = typeof comparisonSchema.default === "string" ? comparisonSchema.default : comparisons[0]?.value;
  // Between rows, how they combine: the step's Match (strictness) property.
  const matchAny = useAppStore((state) => {
    const step = state.definition === null ? undefined : stepOf(state.definition, viewer);
    return step?.properties.strictness?.value === "Any";
  });

  return (
    <Stack gap={6} aria-label={label} role="group">
      {rows.length === 0 && <EmptyRows message="No conditions yet: add one to compare a value." />}
      {rows.map((row, index) => {
        const number = index + 1;
        const path = `${errorPath}.${index}`;
        const comparison = typeof row.comparison?.value === "string" ? row.comparison.value : defaultComparison;
        const takesValue2 = comparison === undefined || !unary.has(comparison);
        return (
          <Box key={keys[index]}>
            {index > 0 && (
              <Divider
                my={4}
                labelPosition="center"
                label={
                  <Text fz="xs" fw={600} c="indigo.6" tt="uppercase">
                    {matchAny ? "or" : "and"}
                  </Text>
                }
              />
            )}
            <Paper withBorder radius="md" p="xs" bg="gray.0" data-condition={number}>
              <Stack gap={6}>
                <RowHeader title={`Condition ${number}`} removeLabel={`Remove condition ${number}`} onRemove={() => remove(index)} />
                <InlineValue
                  viewer={viewer}
                  label={`Condition ${number} value`}
                  schema={fields.value1 ?? {}}
                  value={row.value1}
                  onChange={(next) => setMembers(index, withMember(row, "value1", next))}
                  errors={errors}
                  errorPath={`${path}.value1`}
                  placeholder="Value, e.g. $.steps.loop-1.value"
                />
                <Select
                  aria-label={`Condition ${number} comparison`}
                  data={comparisons}
                  value={comparison ?? null}
                  onChange={(next) => {
                    if (next === null) return;
                    const members = withMember(row, "comparison", { type: "string", value: next });
                    // A comparison about emptiness reads value 1 alone: value 2 goes with its input.
                    setMembers(index, unary.has(next) ? withMember(members, "value2", undefined) : members);
                  }}
                  allowDeselect={false}
                  error={hasError(errors, `${path}.comparison`)}
                  comboboxProps={{ withinPortal: true }}
                />
                {takesValue2 && (
                  <InlineValue
                    viewer={viewer}
                    label={`Condition ${number} compared with`}
                    schema={fields.value2 ?? {}}
                    value={row.value2}
                    onChange={(next) => setMembers(index, withMember(row, "value2", next))}
                    errors={errors}
                    errorPath={`${path}.value2`}
                    placeholder="Value to compare with"
                  />
                )}
                <RowMessages errors={errors} path={path} />
              </Stack>
            </Paper>
          </Box>
        );
      })}
      <Button
        size="xs"
        variant="light"
        leftSection={<IconPlus size={13} aria-hidden />}
        style={{ alignSelf: "flex-start" }}
        onClick={() => add(defaultComparison === undefined ? {} : { comparison: { type: "string", value: defaultComparison } })}
      >
        Add condition
      </Button>
    </Stack>
  );
}

/** Branch's cases: "run lane <name> when the value equals <value>", a row each. */
export function CaseRows({ viewer, label, schema, value, onChange, errors, errorPath }: CustomEditorProps) {
  const { rows, keys, add, remove, setMembers } = useRows(value, onChange);
  const fields = schema.items?.properties ?? {};
  return (
    <Stack gap={6} aria-label={label} role="group">
      {rows.length === 0 && <EmptyRows message="No cases yet: every run takes the default lane." />}
      {rows.map((row, index) => {
        const number = index + 1;
        const path = `${errorPath}.${index}`;
        const lane = typeof row.lane?.value === "string" ? row.lane.value : "";
        return (
          <Paper key={keys[index]} withBorder radius="md" p="xs" bg="gray.0" data-case={number}>
            <Stack gap={6}>
              <RowHeader title={`Case ${number}`} removeLabel={`Remove case ${number}`} onRemove={() => remove(index)} />
              <Group gap={8} wrap="nowrap">
                <Text fz="sm" c="dimmed" style={{ flex: "none" }}>
                  Run lane
                </Text>
                <TextInput
                  style={{ flex: 1 }}
                  aria-label={`Case ${number} lane`}
                  placeholder="e.g. red"
                  value={lane}
                  onChange={(event) => {
                    const next = event.currentTarget.value;
                    setMembers(index, withMember(row, "lane", next === "" ? undefined : { type: "string", value: next }));
                  }}
                  error={hasError(errors, `${path}.lane`)}
                />
              </Group>
              <Text fz="sm" c="dimmed">
                when the value to test equals
              </Text>
              <InlineValue
                viewer={viewer}
                label={`Case ${number} value`}
                schema={fields.value ?? {}}
                value={row.value}
                onChange={(next) => setMembers(index, withMember(row, "value", next))}
                errors={errors}
                errorPath={`${path}.value`}
                placeholder="Same type, same value"
              />
              <RowMessages errors={errors} path={path} />
            </Stack>
          </Paper>
        );
      })}
      <Button size="xs" variant="light" leftSection={<IconPlus size={13} aria-hidden />} style={{ alignSelf: "flex-start" }} onClick={() => add({})}>
        Add case
      </Button>
    </Stack>
  );
}

/** A choice among a few options (All / Any), all in view. */
export function SegmentedChoice({ label, schema, value, onChange }: CustomEditorProps) {
  const data = (schema.enum ?? []).map((option, index) => ({ value: String(option), label: schema.enumNames?.[index] ?? String(option) }));
  const chosen = typeof value?.value === "string" ? value.value : typeof schema.default === "string" ? schema.default : data[0]?.value;
  return (
    <SegmentedControl
      aria-label={label}
      data={data}
      value={chosen}
      onChange={(next) => onChange({ type: "string", value: next })}
      size="xs"
      fullWidth
    />
  );
}
