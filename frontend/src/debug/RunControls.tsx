import { ActionIcon, Button, Group, Popover, Stack, Text, Textarea, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconBug, IconChevronDown, IconPlayerPlayFilled, IconPlayerStopFilled } from "@tabler/icons-react";
import { useCallback, useState } from "react";
import { messageOf, problemsOf } from "../api/errors";
import { ProblemList, problemCount } from "../builder/ProblemList";
import type { JsonValue, Run } from "../api/types";
import { useGetMe } from "../api/use-get-me";
import { useRunAction, type RunAction } from "../api/use-run-action";
import { useStartRun } from "../api/use-start-run";
import { appStore, useAppStore } from "../store";
import { parsePayload, readPayloadText, writePayloadText } from "./run-payload";
import { useActiveRun } from "./run-context";
import { waitForSave } from "./wait-for-save";

/** True when the signed-in person may start and stop runs (viewers may only look). */
export function useCanRun(): boolean {
  const me = useGetMe();
  return me.data?.role !== "viewer";
}

/** Shows a new run: selected on the canvas and in the debug panel, which opens. */
function showRun(run: Run) {
  appStore.getState().selectRun(run.id);
  appStore.getState().setDebugOpen(true);
}

/**
 * Tells why a run did not start: a draft's problems listed, each a link to its step and field
 * (kept until closed or one is picked), or the error's message.
 */
function notifyNotStarted(title: string, error: unknown) {
  const problems = problemsOf(error);
  if (problems.length === 0) {
    notifications.show({ color: "red", title, message: messageOf(error) });
    return;
  }
  const id = notifications.show({
    color: "red",
    title: `${title}: ${problemCount(problems.length)} to fix`,
    autoClose: false,
    message: <ProblemList problems={problems} onPick={() => notifications.hide(id)} />,
  });
}

/** Starts a run of the workflow as saved, once the edits on screen are saved. */
export function useRunWorkflow() {
  const start = useStartRun();
  const [waiting, setWaiting] = useState(false);
  const run = useCallback(
    async (payload: JsonValue) => {
      const workflowId = appStore.getState().workflowId;
      if (workflowId === null) return;
      setWaiting(true);
      try {
        await waitForSave(appStore);
        showRun(await start.mutateAsync({ workflowId, payload }));
      } catch (error) {
        notifyNotStarted("The workflow did not start", error);
      } finally {
        setWaiting(false);
      }
    },
    [start],
  );
  return { run, pending: waiting || start.isPending };
}

/** Replay and Retry from failed step: a new run, shown at once; Cancel: the run, stopping. */
export function useRunActionButton(action: RunAction) {
  const mutation = useRunAction(action);
  const [waiting, setWaiting] = useState(false);
  const perform = useCallback(
    async (runId: string) => {
      setWaiting(true);
      try {
        // Replay and retry run the workflow as it is now: include the edits on screen.
        if (action !== "cancel") await waitForSave(appStore);
        const run = await mutation.mutateAsync(runId);
        if (action !== "cancel") showRun(run);
      } catch (error) {
        const what = { cancel: "The run was not cancelled", replay: "The run was not replayed", retry: "The run was not retried" }[action];
        notifyNotStarted(what, error);
      } finally {
        setWaiting(false);
      }
    },
    [action, mutation],
  );
  return { perform, pending: waiting || mutation.isPending };
}

/** The builder header's Cancel, Debug and Run workflow (with its payload editor). */
export function RunControls() {
  const workflowId = useAppStore((state) => state.workflowId);
  const debugOpen = useAppStore((state) => state.debugOpen);
  const setDebugOpen = useAppStore((state) => state.setDebugOpen);
  const { run: activeRun, live } = useActiveRun();
  const canRun = useCanRun();
  const { run, pending } = useRunWorkflow();
  const cancel = useRunActionButton("cancel");
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState("");
  const parsed = parsePayload(text);

  const openEditor = () => {
    if (workflowId !== null) setText(readPayloadText(workflowId));
    setEditing((open) => !open);
  };
  const runWithKept = () => {
    const kept = parsePayload(workflowId === null ? "" : readPayloadText(workflowId));
    if (!kept.ok) {
      notifications.show({ color: "red", title: "The kept payload is not valid", message: kept.error });
      openEditor();
      return;
    }
    void run(kept.payload);
  };
  const notAllowed = canRun ? undefined : "Viewers can look at runs but not start them.";

  return (
    <Group gap={8} wrap="nowrap">
      {live && activeRun !== undefined && (
        <Button
          variant="light"
          color="red"
          leftSection={<IconPlayerStopFilled size={14} aria-hidden />}
          onClick={() => void cancel.perform(activeRun.id)}
          loading={cancel.pending}
          disabled={!canRun || activeRun.cancel_requested}
        >
          {activeRun.cancel_requested ? "Cancelling…" : "Cancel"}
        </Button>
      )}
      <Button
        variant={debugOpen ? "light" : "default"}
        leftSection={<IconBug size={16} aria-hidden />}
        aria-pressed={debugOpen}
        onClick={() => setDebugOpen(!debugOpen)}
      >
        Debug
      </Button>
      <Tooltip label={notAllowed} disabled={notAllowed === undefined} withArrow>
        <Group gap={0} wrap="nowrap">
          <Button
            leftSection={<IconPlayerPlayFilled size={14} aria-hidden />}
            onClick={runWithKept}
            loading={pending}
            disabled={!canRun}
            style={{ borderTopRightRadius: 0, borderBottomRightRadius: 0 }}
          >
            Run workflow
          </Button>
          <Popover opened={editing} onChange={setEditing} position="bottom-end" width={400} withArrow shadow="md" trapFocus>
            <Popover.Target>
              <ActionIcon
                size={36}
                variant="filled"
                onClick={openEditor}
                disabled={!canRun}
                aria-label="Trigger payload"
                aria-expanded={editing}
                style={{ borderTopLeftRadius: 0, borderBottomLeftRadius: 0, borderLeft: "1px solid rgb(255 255 255 / 35%)" }}
              >
                <IconChevronDown size={16} />
              </ActionIcon>
            </Popover.Target>
            <Popover.Dropdown>
              <Stack gap="xs" role="group" aria-label="Trigger payload">
                <div>
                  <Text fz="sm" fw={600}>
                    Trigger payload
                  </Text>
                  <Text fz="xs" c="dimmed">
                    The JSON object Run workflow sends: the trigger's output, read as <code>$.steps.trigger</code>. Kept in this browser
                    for this workflow.
                  </Text>
                </div>
                <Textarea
                  aria-label="Trigger payload JSON"
                  value={text}
                  onChange={(event) => setText(event.currentTarget.value)}
                  placeholder={'{\n  "account_id": "42"\n}'}
                  autosize
                  minRows={6}
                  maxRows={14}
                  spellCheck={false}
                  styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)", fontSize: 12.5 } }}
                  error={parsed.ok ? undefined : parsed.error}
                  data-autofocus
                />
                <Group justify="space-between">
                  <Button
                    size="xs"
                    variant="subtle"
                    color="gray"
                    onClick={() => {
                      if (!parsed.ok) return;
                      setText(text.trim() === "" ? "" : JSON.stringify(parsed.payload, null, 2));
                    }}
                    disabled={!parsed.ok || text.trim() === ""}
                  >
                    Format
                  </Button>
                  <Group gap="xs">
                    <Button
                      size="xs"
                      variant="default"
                      disabled={!parsed.ok}
                      onClick={() => {
                        if (workflowId !== null) writePayloadText(workflowId, text);
                        setEditing(false);
                        notifications.show({ color: "teal", title: "Payload kept", message: "Run workflow sends it from now on." });
                      }}
                    >
                      Keep
                    </Button>
                    <Button
                      size="xs"
                      disabled={!parsed.ok}
                      leftSection={<IconPlayerPlayFilled size={12} aria-hidden />}
                      onClick={() => {
                        if (!parsed.ok || workflowId === null) return;
                        writePayloadText(workflowId, text);
                        setEditing(false);
                        void run(parsed.payload);
                      }}
                    >
                      Keep and run
                    </Button>
                  </Group>
                </Group>
              </Stack>
            </Popover.Dropdown>
          </Popover>
        </Group>
      </Tooltip>
    </Group>
  );
}
