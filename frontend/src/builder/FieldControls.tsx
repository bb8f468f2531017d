/** The small controls beside a value: its type menu, its mapping icon, and the type they decide. */
import { ActionIcon, Menu, Tooltip } from "@mantine/core";
import {
  IconAbc,
  IconBraces,
  IconBrackets,
  IconCheck,
  IconCircleOff,
  IconDecimal,
  IconNumber123,
  IconPlugConnected,
  IconToggleLeft,
  IconVariable,
  type Icon,
} from "@tabler/icons-react";
import { useState, type PointerEvent } from "react";
import type { JsonSchema, PropertyType, TypedValue } from "../api/types";
import { useAppStore } from "../store";
import { convertValue, PROPERTY_TYPES, schemaType } from "./typed-values";
import classes from "./builder.module.css";

const TYPE_ICONS: Record<PropertyType, Icon> = {
  string: IconAbc,
  number: IconDecimal,
  integer: IconNumber123,
  boolean: IconToggleLeft,
  object: IconBraces,
  array: IconBrackets,
  null: IconCircleOff,
  jsonpath: IconVariable,
};

const TYPE_LABELS: Record<PropertyType, string> = {
  string: "Text",
  number: "Number",
  integer: "Whole number",
  boolean: "True or false",
  object: "Object",
  array: "List",
  null: "Null",
  jsonpath: "Jsonpath",
};

/** The explicit value type, behind a small icon: most fields never need it (the field decides). */
export function ValueTypeMenu({ label, type, onChange }: { label: string; type: PropertyType; onChange: (type: PropertyType) => void }) {
  const Current = TYPE_ICONS[type];
  return (
    <Menu position="bottom-end" shadow="md" width={190} withinPortal>
      <Menu.Target>
        <Tooltip label={`Value type: ${TYPE_LABELS[type]}`} withArrow openDelay={400}>
          <ActionIcon variant="subtle" color="gray" size={26} aria-label={`Value type of ${label}`} data-value-type={type}>
            <Current size={16} stroke={1.6} aria-hidden />
          </ActionIcon>
        </Tooltip>
      </Menu.Target>
      <Menu.Dropdown aria-label={`Value type of ${label}`}>
        <Menu.Label>Value type</Menu.Label>
        {PROPERTY_TYPES.map((candidate) => {
          const Candidate = TYPE_ICONS[candidate];
          return (
            <Menu.Item
              key={candidate}
              leftSection={<Candidate size={15} stroke={1.6} aria-hidden />}
              rightSection={candidate === type ? <IconCheck size={14} aria-hidden /> : null}
              onClick={() => onChange(candidate)}
              aria-current={candidate === type ? "true" : undefined}
              fz="sm"
            >
              {TYPE_LABELS[candidate]}
            </Menu.Item>
          );
        })}
      </Menu.Dropdown>
    </Menu>
  );
}

/** The connector-snake's handle: drag it onto an earlier step to map one of its outputs. */
export function MappingIcon({ viewer, label, onPick }: { viewer: string; label: string; onPick: (path: string) => void }) {
  const setSnake = useAppStore((state) => state.setSnake);
  const startSnake = (event: PointerEvent<HTMLButtonElement>) => {
    if (event.button !== 0) return;
    event.preventDefault();
    const rect = event.currentTarget.getBoundingClientRect();
    setSnake({ viewer, field: label, origin: { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 }, onPick });
  };
  return (
    <Tooltip label="Drag onto an earlier step to map its output (connector-snake)" withArrow openDelay={400}>
      <ActionIcon variant="light" size={26} aria-label={`${label} mapping icon`} className={classes.mappingIcon} onPointerDown={startSnake}>
        <IconPlugConnected size={15} aria-hidden />
      </ActionIcon>
    </Tooltip>
  );
}

export interface FieldType {
  /** The type the field edits now: its value's, else the one picked in the menu, else its schema's. */
  type: PropertyType;
  /** Whether the field still decides its type from what is typed: a text or number field whose
   * type was not picked in the value type menu (see `typedText`). */
  decides: boolean;
  /** The value type menu's choice: converts what can be kept. */
  changeType: (type: PropertyType) => void;
  /** The snake dropped on a step's output: the field becomes that jsonpath. */
  pickPath: (path: string) => void;
}

/** The type of a field's value, as its value, the value type menu and its schema decide it. */
export function useFieldType(schema: JsonSchema, value: TypedValue | undefined, onChange: (value: TypedValue | undefined) => void): FieldType {
  const [chosen, setChosen] = useState<PropertyType | null>(null);
  const type: PropertyType = value?.type ?? chosen ?? schemaType(schema);
  return {
    type,
    decides: chosen === null && ["string", "number", "integer"].includes(schemaType(schema)),
    changeType: (next) => {
      // Picking a type, even the one the field shows, stops the field deciding for itself.
      setChosen(next);
      if (next !== type) onChange(convertValue(value, next));
    },
    pickPath: (path) => {
      setChosen(null);
      onChange({ type: "jsonpath", value: path });
    },
  };
}
