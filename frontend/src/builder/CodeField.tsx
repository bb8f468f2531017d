import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { javascript } from "@codemirror/lang-javascript";
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { EditorState } from "@codemirror/state";
import { EditorView, highlightActiveLine, keymap, lineNumbers, placeholder } from "@codemirror/view";
import { Box, Code, Group, Text } from "@mantine/core";
import { useEffect, useMemo, useRef } from "react";
import type { TypedValue } from "../api/types";
import { useAppStore } from "../store";

export interface CodeFieldProps {
  id: string;
  label: string;
  /** The step whose `variables` the script reads as `input.<name>`. */
  viewer: string;
  value: string;
  onChange: (next: string) => void;
  invalid: boolean;
  /** Shown while the script is empty. */
  example?: string;
}

const theme = EditorView.theme({
  "&": { fontSize: "12px", border: "1px solid var(--mantine-color-gray-4)", borderRadius: "var(--mantine-radius-sm)", backgroundColor: "var(--mantine-color-white)" },
  "&.cm-focused": { outline: "none", borderColor: "var(--mantine-color-blue-filled)" },
  ".cm-scroller": { fontFamily: "var(--mantine-font-family-monospace)", minHeight: "160px", maxHeight: "420px" },
  ".cm-gutters": { backgroundColor: "var(--mantine-color-gray-0)", color: "var(--mantine-color-dimmed)", border: "none" },
  ".cm-placeholder": { color: "var(--mantine-color-dimmed)" },
});
const invalidTheme = EditorView.theme({ "&": { borderColor: "var(--mantine-color-red-6)" } });

/** The names of a Script step's variables, in order, as `input.<name>` reads them. */
export function variableNames(variables: TypedValue | undefined): string[] {
  if (variables?.type !== "array" || !Array.isArray(variables.value)) return [];
  const names: string[] = [];
  for (const item of variables.value as TypedValue[]) {
    const members = item?.type === "object" ? (item.value as Record<string, TypedValue> | null) : null;
    const name = members?.name;
    if (name?.type === "string" && typeof name.value === "string" && name.value !== "" && !names.includes(name.value)) names.push(name.value);
  }
  return names;
}

/** A JavaScript editor (CodeMirror 6) for a property declared `format: "code"`; loaded lazily. */
export default function CodeField({ id, label, viewer, value, onChange, invalid, example }: CodeFieldProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latestChange = useRef(onChange);
  latestChange.current = onChange;
  const variables = useAppStore((state) => state.definition?.steps[viewer]?.properties.variables);
  const names = useMemo(() => variableNames(variables), [variables]);

  useEffect(() => {
    if (host.current === null) return;
    const editor = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          history(),
          indentOnInput(),
          bracketMatching(),
          highlightActiveLine(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          javascript(),
          EditorView.lineWrapping,
          keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
          placeholder(example ?? ""),
          theme,
          invalid ? invalidTheme : [],
          EditorView.contentAttributes.of({ id, "aria-label": label, "aria-invalid": String(invalid) }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) latestChange.current(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // The editor is built once per field; outside changes of the value are applied below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, invalid]);

  // An undo of the whole panel or a reload replaces the value: the editor follows it.
  useEffect(() => {
    const editor = view.current;
    if (editor === null) return;
    const current = editor.state.doc.toString();
    if (current !== value) editor.dispatch({ changes: { from: 0, to: current.length, insert: value } });
  }, [value]);

  return (
    <Box data-code-field={id}>
      <div ref={host} />
      <Group gap={6} mt={6} wrap="wrap" data-script-variables>
        {names.length === 0 ? (
          <Text fz="xs" c="dimmed">
            No variables yet: add one above and read it as <Code fz="xs">input.name</Code>.
          </Text>
        ) : (
          <>
            <Text fz="xs" c="dimmed">
              Available:
            </Text>
            {names.map((name) => (
              <Code key={name} fz="xs">
                input.{name}
              </Code>
            ))}
          </>
        )}
      </Group>
    </Box>
  );
}
