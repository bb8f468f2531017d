import { IconBraces, IconChevronDown, IconChevronRight, IconQuote } from "@tabler/icons-react";
import { memo, useMemo, useState } from "react";
import type { JsonValue } from "../api/types";
import type { JsonKey } from "./jsonpath";
import classes from "./debug.module.css";

/** Entries of an object or an array shown before "Show more". */
const SHOWN = 50;
const REDACTED = "[redacted]";

function isContainer(value: JsonValue): value is JsonValue[] | { [key: string]: JsonValue } {
  return value !== null && typeof value === "object";
}

type JsonContainer = JsonValue[] | { [key: string]: JsonValue };

/**
 * The object or list a string holds as JSON text (Totango's `query`, a webhook's raw body), or
 * undefined for any other string: those are shown as they are.
 */
export function parseJsonText(text: string): JsonContainer | undefined {
  const trimmed = text.trim();
  const first = trimmed[0];
  const last = trimmed[trimmed.length - 1];
  if (!((first === "{" && last === "}") || (first === "[" && last === "]"))) return undefined;
  try {
    const parsed = JSON.parse(trimmed) as JsonValue;
    return isContainer(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
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
  if (typeof value === "string" && parseJsonText(value) !== undefined) {
    return (
      <div className={classes.tree} role="tree" aria-label={label}>
        <Node name="(value)" value={value} path={[]} depth={0} onKeyClick={undefined} openDepth={openDepth} />
      </div>
    );
  }
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
  // A string holding JSON can be shown parsed: its tree then folds and unfolds like any object.
  const parsed = useMemo(() => (typeof value === "string" ? parseJsonText(value) : undefined), [value]);
  const [showParsed, setShowParsed] = useState(false);
  const shown: JsonValue = showParsed && parsed !== undefined ? parsed : value;
  // Keys inside a parsed string have no jsonpath: the step's output holds the text.
  const keyClick = shown === value ? onKeyClick : undefined;
  const expandable = isContainer(shown) && entriesOf(shown).length > 0;
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
        {isContainer(shown) ? (
          <button
            type="button"
            className={classes.summary}
            onClick={() => expandable && setOpen((current) => !current)}
            tabIndex={-1}
            style={{ cursor: expandable ? "pointer" : "default" }}
          >
            {showParsed ? `JSON text: ${summary(shown)}` : summary(shown)}
          </button>
        ) : (
          <Value value={value} />
        )}
        {parsed !== undefined && (
          <button
            type="button"
            className={classes.parseToggle}
            aria-pressed={showParsed}
            aria-label={showParsed ? `Show ${keyText} as text` : `Show ${keyText} as parsed JSON`}
            title={showParsed ? "Show the text as it is" : "This text holds JSON: show it parsed"}
            onClick={() => {
              setShowParsed((current) => !current);
              setOpen(true);
            }}
          >
            {showParsed ? <IconQuote size={11} aria-hidden /> : <IconBraces size={11} aria-hidden />}
            {showParsed ? "text" : "parse"}
          </button>
        )}
      </div>
      {expandable && open && isContainer(shown) && (
        <div role="group">
          <Entries value={shown} path={path} depth={depth + 1} onKeyClick={keyClick} openDepth={openDepth} />
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
