import { IconChevronDown, IconChevronRight } from "@tabler/icons-react";
import { memo, useState } from "react";
import type { JsonValue } from "../api/types";
import type { JsonKey } from "./jsonpath";
import classes from "./debug.module.css";

/** Entries of an object or an array shown before "Show more". */
const SHOWN = 50;
const REDACTED = "[redacted]";

function isContainer(value: JsonValue): value is JsonValue[] | { [key: string]: JsonValue } {
  return value !== null && typeof value === "object";
}

function entriesOf(value: JsonValue[] | { [key: string]: JsonValue }): [JsonKey, JsonValue][] {
  return Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
}

function summary(value: JsonValue[] | { [key: string]: JsonValue }): string {
  if (Array.isArray(value)) return `[${value.length} ${value.length === 1 ? "item" : "items"}]`;
  const count = Object.keys(value).length;
  return `{${count} ${count === 1 ? "key" : "keys"}}`;
}

export interface JsonTreeProps {
  value: JsonValue;
  /** The tree's accessible name, e.g. "Output of totango-1". */
  label: string;
  /** Called with the keys leading to a value when its key is clicked; keys are plain text without it. */
  onKeyClick?: (keys: JsonKey[]) => void;
  /** Levels open at first (1: the top-level keys, their values folded). */
  openDepth?: number;
}

/** A collapsible JSON tree: keys, values coloured by type, folded objects and arrays with their size. */
export function JsonTree({ value, label, onKeyClick, openDepth = 2 }: JsonTreeProps) {
  if (!isContainer(value)) {
    return (
      <div className={classes.tree} role="tree" aria-label={label}>
        <Value value={value} />
      </div>
    );
  }
  return (
    <div className={classes.tree} role="tree" aria-label={label}>
      {entriesOf(value).length === 0 ? (
        <span className={classes.summary}>{Array.isArray(value) ? "[] (empty list)" : "{} (empty object)"}</span>
      ) : (
        <Entries value={value} path={[]} depth={0} onKeyClick={onKeyClick} openDepth={openDepth} />
      )}
    </div>
  );
}

function Entries({
  value,
  path,
  depth,
  onKeyClick,
  openDepth,
}: {
  value: JsonValue[] | { [key: string]: JsonValue };
  path: JsonKey[];
  depth: number;
  onKeyClick: ((keys: JsonKey[]) => void) | undefined;
  openDepth: number;
}) {
  const [shown, setShown] = useState(SHOWN);
  const entries = entriesOf(value);
  return (
    <>
      {entries.slice(0, shown).map(([key, item]) => (
        <Node key={key} name={key} value={item} path={[...path, key]} depth={depth} onKeyClick={onKeyClick} openDepth={openDepth} />
      ))}
      {entries.length > shown && (
        <div className={classes.treeRow} style={{ paddingLeft: depth * 14 + 18 }}>
          <button type="button" className={classes.key} onClick={() => setShown((count) => count + SHOWN * 4)}>
            Show {Math.min(SHOWN * 4, entries.length - shown)} more of {entries.length}
          </button>
        </div>
      )}
    </>
  );
}

const Node = memo(function Node({
  name,
  value,
  path,
  depth,
  onKeyClick,
  openDepth,
}: {
  name: JsonKey;
  value: JsonValue;
  path: JsonKey[];
  depth: number;
  onKeyClick: ((keys: JsonKey[]) => void) | undefined;
  openDepth: number;
}) {
  const expandable = isContainer(value) && entriesOf(value).length > 0;
  const [open, setOpen] = useState(depth + 1 < openDepth);
  const keyText = String(name);
  return (
    <div role="treeitem" aria-expanded={expandable ? open : undefined} aria-selected={false} aria-label={keyText}>
      <div className={classes.treeRow} style={{ paddingLeft: depth * 14 }}>
        {expandable ? (
          <button
            type="button"
            className={classes.toggle}
            onClick={() => setOpen((current) => !current)}
            aria-label={`${open ? "Collapse" : "Expand"} ${keyText}`}
          >
            {open ? <IconChevronDown size={12} /> : <IconChevronRight size={12} />}
          </button>
        ) : (
          <span className={classes.toggle} />
        )}
        {onKeyClick === undefined ? (
          <span className={classes.key}>{keyText}</span>
        ) : (
          <button type="button" className={classes.key} onClick={() => onKeyClick(path)} title="Copy its jsonpath">
            {keyText}
          </button>
        )}
        <span className={classes.summary}>:&nbsp;</span>
        {isContainer(value) ? (
          <button
            type="button"
            className={classes.summary}
            onClick={() => expandable && setOpen((current) => !current)}
            tabIndex={-1}
            style={{ cursor: expandable ? "pointer" : "default" }}
          >
            {summary(value)}
          </button>
        ) : (
          <Value value={value} />
        )}
      </div>
      {expandable && open && (
        <div role="group">
          <Entries value={value} path={path} depth={depth + 1} onKeyClick={onKeyClick} openDepth={openDepth} />
        </div>
      )}
    </div>
  );
});

function Value({ value }: { value: JsonValue }) {
  if (value === REDACTED) {
    return (
      <span className={classes.value} data-type="redacted" title="Redacted by the server: secrets never leave it">
        {REDACTED}
      </span>
    );
  }
  const type = value === null ? "null" : typeof value;
  return (
    <span className={classes.value} data-type={type}>
      {typeof value === "string" ? JSON.stringify(value) : String(value)}
    </span>
  );
}
