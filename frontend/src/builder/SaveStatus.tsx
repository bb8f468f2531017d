import { Badge, Button, Group, Loader, Popover, Stack, Text, Tooltip } from "@mantine/core";
import { stepOfErrorPath } from "../definition/issues";
import { IconAlertTriangle, IconCheck, IconCloudOff, IconGitMerge, IconPencilExclamation } from "@tabler/icons-react";
import { useMemo, useState } from "react";
import { useAppStore } from "../store";
import { visibleServerErrors } from "../store/save-slice";
import { ProblemList, problemCount } from "./ProblemList";

/** Saved / Saving / the error, in the builder header (a live region). */
export function SaveStatus({ onReload }: { onReload: () => void }) {
  const saveState = useAppStore((state) => state.saveState);
  const message = useAppStore((state) => state.saveMessage);
  const errors = useAppStore((state) => state.serverErrors);
  const conflictVersion = useAppStore((state) => state.conflictVersion);
  const overwriteWith = useAppStore((state) => state.overwriteWith);
  const selectStep = useAppStore((state) => state.selectStep);
  const refusedDefinition = useAppStore((state) => state.refusedDefinition);
  const definition = useAppStore((state) => state.definition);
  // A saved draft's problems, less those whose field was edited since (the next save tells).
  const problems = useMemo(
    () => (saveState === "saved" ? visibleServerErrors({ serverErrors: errors, refusedDefinition, definition }) : []),
    [saveState, errors, refusedDefinition, definition],
  );

  let badge;
  switch (saveState) {
    case "saved":
      badge =
        problems.length > 0 ? (
          <DraftProblems problems={problems} />
        ) : (
          <Badge variant="light" color="teal" leftSection={<IconCheck size={12} />} tt="none">
            Saved
          </Badge>
        );
      break;
    case "pending":
    case "saving":
      badge = (
        <Badge variant="light" color="gray" leftSection={<Loader size={10} color="gray" />} tt="none">
          Saving…
        </Badge>
      );
      break;
    case "invalid": {
      // A click shows the first problem's step in the properties panel.
      const first = errors.map((error) => stepOfErrorPath(error.path)).find((name) => name !== null) ?? null;
      badge = (
        <Tooltip label={`${message ?? "The server refused the workflow."} Your edits are kept; the next edit saves again.`} withArrow multiline maw={300}>
          <Badge
            component="button"
            type="button"
            variant="light"
            color="red"
            leftSection={<IconAlertTriangle size={12} />}
            tt="none"
            style={{ cursor: first === null ? "default" : "pointer", border: 0 }}
            onClick={() => first !== null && selectStep(first)}
          >
            Not saved: {errors.length === 1 ? "1 problem" : `${errors.length} problems`}
          </Badge>
        </Tooltip>
      );
      break;
    }
    case "offline":
      badge = (
        <Badge variant="light" color="orange" leftSection={<IconCloudOff size={12} />} tt="none" title={message ?? undefined}>
          Not saved: retrying…
        </Badge>
      );
      break;
    case "conflict":
      badge = (
        <Popover opened position="bottom-end" withArrow shadow="md" width={340} trapFocus={false} withinPortal>
          <Popover.Target>
            <Badge variant="filled" color="orange" leftSection={<IconGitMerge size={12} />} tt="none">
              Edited elsewhere
            </Badge>
          </Popover.Target>
          <Popover.Dropdown>
            <Stack gap="xs" role="alert">
              <Text fz="sm" fw={600}>
                This workflow was changed elsewhere
              </Text>
              <Text fz="sm" c="dimmed">
                Someone saved version {conflictVersion ?? "?"} while you were editing. Your edits are kept here and not saved.
              </Text>
              <Group gap="xs" justify="flex-end">
                <Button size="xs" variant="default" onClick={onReload}>
                  Load their version
                </Button>
                <Button size="xs" color="orange" onClick={() => conflictVersion !== null && overwriteWith(conflictVersion)} disabled={conflictVersion === null}>
                  Save mine over it
                </Button>
              </Group>
            </Stack>
          </Popover.Dropdown>
        </Popover>
      );
      break;
  }
  return (
    <div
      role="status"
      aria-live="polite"
      aria-label={`Save status: ${problems.length > 0 ? "Saved as a draft" : labelOf(saveState)}`}
      data-save-state={saveState}
      data-problems={problems.length}
    >
      {badge}
    </div>
  );
}

/** "Draft: 3 problems", saved all the same, and a click lists them, each a link to its field. */
function DraftProblems({ problems }: { problems: ReturnType<typeof visibleServerErrors> }) {
  const [opened, setOpened] = useState(false);
  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" withArrow shadow="md" width={380} withinPortal>
      <Popover.Target>
        <Badge
          component="button"
          type="button"
          variant="light"
          color="orange"
          leftSection={<IconPencilExclamation size={12} />}
          tt="none"
          style={{ cursor: "pointer", border: 0 }}
          aria-expanded={opened}
          onClick={() => setOpened((open) => !open)}
        >
          Draft: {problemCount(problems.length)}
        </Badge>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs">
          <Text fz="sm" fw={600}>
            Saved as a draft
          </Text>
          <Text fz="xs" c="dimmed">
            Everyone in your organisation sees it; it runs once these are fixed.
          </Text>
          <ProblemList problems={problems} onPick={() => setOpened(false)} />
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

function labelOf(state: string): string {
  return { saved: "Saved", pending: "Saving", saving: "Saving", invalid: "Not saved", offline: "Not saved", conflict: "Edited elsewhere" }[state] ?? state;
}
