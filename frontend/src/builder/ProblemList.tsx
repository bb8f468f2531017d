import { List, Text, UnstyledButton } from "@mantine/core";
import type { FieldError } from "../api/types";
import { stepOfErrorPath } from "../definition/issues";
import { appStore } from "../store";

/** "1 problem", "3 problems". */
export function problemCount(count: number): string {
  return count === 1 ? "1 problem" : `${count} problems`;
}

/**
 * A draft's problems, each a link to its step and field (the properties panel shows the step and
 * the field takes the focus). `onPick` runs after a click: close the popover or notification.
 */
export function ProblemList({ problems, onPick }: { problems: readonly FieldError[]; onPick?: () => void }) {
  return (
    <List spacing={6} size="sm" listStyleType="none" aria-label="Problems" data-testid="problem-list">
      {problems.map((problem) => {
        const step = stepOfErrorPath(problem.path);
        return (
          <List.Item key={`${problem.path}:${problem.message}`}>
            <UnstyledButton
              data-problem-path={problem.path}
              disabled={step === null}
              onClick={() => {
                appStore.getState().focusProblem(problem.path);
                onPick?.();
              }}
              style={{ textAlign: "left" }}
            >
              <Text span fz="sm" fw={600} c={step === null ? undefined : "blue.7"} ff="monospace">
                {step ?? "workflow"}
              </Text>
              <Text span fz="sm">
                {": "}
                {problem.message}
              </Text>
            </UnstyledButton>
          </List.Item>
        );
      })}
    </List>
  );
}

/**
 * Focuses the field a problem names: the `[data-field-path]` element whose path is the longest
 * prefix of it (a problem may name a part of a property), and the first input in it.
 */
export function focusFieldOf(path: string, root: ParentNode = document): boolean {
  let best: HTMLElement | null = null;
  for (const element of root.querySelectorAll<HTMLElement>("[data-field-path]")) {
    const own = element.dataset.fieldPath ?? "";
    if ((path === own || path.startsWith(`${own}.`)) && own.length > (best?.dataset.fieldPath?.length ?? -1)) best = element;
  }
  if (best === null) return false;
  const input =
    best.querySelector<HTMLElement>('textarea, input:not([type="hidden"]):not([readonly]), [contenteditable="true"]') ??
    best.querySelector<HTMLElement>("input, button");
  best.scrollIntoView({ block: "center" });
  (input ?? best).focus();
  if (input?.getAttribute("role") === "combobox") {
    // A searchable select opens its options on focus, over the problem shown under it: closed
    // again (Escape), the focus stays, and typing or the arrow keys open it.
    // Once it has rendered open.
    requestAnimationFrame(() => input.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true })));
  }
  return true;
}
