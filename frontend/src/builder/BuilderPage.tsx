import { ActionIcon, Alert, Button, Center, Group, Loader, Modal, Stack, Text, TextInput, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconAlertTriangle, IconArrowBackUp, IconArrowForwardUp, IconChevronLeft } from "@tabler/icons-react";
import { ReactFlowProvider } from "@xyflow/react";
import { useCallback, useEffect, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { isApiError } from "../api/client";
import { queryKeys } from "../api/query-keys";
import { useConnectorCatalogue, useGetConnectors } from "../api/use-get-connectors";
import { getWorkflow, useGetWorkflow } from "../api/use-get-workflow";
import { updateWorkflow } from "../api/use-update-workflow";
import { findNode, namesIn } from "../definition/structure";
import { appStore, useAppStore } from "../store";
import { readDraft, startAutosave } from "../store/autosave";
import { Canvas } from "./Canvas";
import { CatalogueContext } from "./catalogue-context";
import { ConnectorPicker } from "./ConnectorPicker";
import { ConnectorsPanel } from "./ConnectorsPanel";
import { PropertiesPanel } from "./PropertiesPanel";
import { SaveStatus } from "./SaveStatus";
import { WorkflowSettingsButton } from "./WorkflowSettings";
import { ActiveRunProvider } from "../debug/ActiveRunProvider";
import { DebugPanel } from "../debug/DebugPanel";
import { RunControls } from "../debug/RunControls";
import { SnakeLayer } from "./Snake";
import { EnabledSwitch } from "../triggers/EnabledSwitch";
import { waitForSave } from "../debug/wait-for-save";
import { useRequestDelete } from "./StepCard";
import classes from "./builder.module.css";
import { AppLayout } from "../pages/AppLayout";
import { NotFoundState } from "../pages/NotFoundPage";

function isEditable(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** The builder of the workflow in the URL; a new workflow (a child run's, say) starts afresh. */
export function BuilderPage() {
  const { workflowId = "" } = useParams();
  return <Builder key={workflowId} workflowId={workflowId} />;
}

function Builder({ workflowId }: { workflowId: string }) {
  const workflow = useGetWorkflow(workflowId);
  const connectors = useGetConnectors();
  const catalogue = useConnectorCatalogue();
  const loadedId = useAppStore((state) => state.workflowId);
  const queryClient = useQueryClient();

  // Load the workflow into the store once, restoring edits a closed tab did not save.
  useEffect(() => {
    if (workflow.data === undefined || loadedId === workflow.data.id) return;
    appStore.getState().loadWorkflow(workflow.data);
    const draft = readDraft(storage(), workflow.data.id);
    if (draft !== null && draft.version === workflow.data.version && JSON.stringify(draft.definition) !== JSON.stringify(workflow.data.definition)) {
      appStore.getState().edit(() => draft.definition);
      notifications.show({ color: "indigo", title: "Unsaved edits restored", message: "Edits from your last visit were not saved yet: they are back, and saving now." });
    }
  }, [workflow.data, loadedId]);

  useEffect(() => {
    if (loadedId === null || loadedId !== workflowId) return;
    return startAutosave(appStore, { save: updateWorkflow, storage: storage() });
  }, [loadedId, workflowId]);

  // `?run=<id>` (a link to a run, e.g. a parent's or a child's): that run, in the debug panel.
  const [params, setParams] = useSearchParams();
  const linkedRun = params.get("run");
  useEffect(() => {
    if (linkedRun === null || loadedId === null || loadedId !== workflowId) return;
    appStore.getState().selectRun(linkedRun);
    appStore.getState().setDebugOpen(true);
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        next.delete("run");
        return next;
      },
      { replace: true },
    );
  }, [linkedRun, loadedId, workflowId, setParams]);

  // Leave the store empty for the next workflow.
  useEffect(
    () => () => {
      appStore.setState({ workflowId: null, definition: null });
      appStore.getState().resetRun();
    },
    [],
  );

  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => {
      if (appStore.getState().saveState !== "saved") event.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, []);

  const reload = useCallback(async () => {
    // Straight from the server: the cached copy is the version this session started from.
    const fresh = await getWorkflow(workflowId);
    queryClient.setQueryData(queryKeys.workflow(workflowId), fresh);
    storage()?.removeItem(`flowbuilder:draft:${workflowId}`);
    appStore.getState().loadWorkflow(fresh);
  }, [queryClient, workflowId]);

  if (isApiError(workflow.error) && workflow.error.status === 404) {
    // An unknown id (or not a workflow id at all): the app's not-found state, not the API's words.
    return (
      <AppLayout>
        <NotFoundState
          title="Workflow not found"
          description="Your organisation has no workflow at this address: it may have been deleted, or the link is wrong."
        />
      </AppLayout>
    );
  }
  if (workflow.isError || connectors.isError) {
    return (
      <Center h="100dvh">
        <Alert color="red" icon={<IconAlertTriangle size={18} />} title="The workflow could not be opened" maw={420}>
          <Stack gap="sm">
            <Text fz="sm">{(workflow.error ?? connectors.error)?.message}</Text>
            <Button component={Link} to="/" variant="light" color="red" size="xs">
              Back to workflows
            </Button>
          </Stack>
        </Alert>
      </Center>
    );
  }
  if (workflow.data === undefined || connectors.data === undefined || loadedId !== workflow.data.id) {
    return (
      <Center h="100dvh">
        <Loader aria-label="Loading the workflow" />
      </Center>
    );
  }

  return (
    <CatalogueContext.Provider value={catalogue}>
      <ReactFlowProvider>
        <ActiveRunProvider>
          <div className={classes.builder} data-testid="builder">
            <BuilderHeader onReload={() => void reload()} />
            <div className={classes.columns}>
              <div className={classes.leftPanel}>
                <ConnectorsPanel />
              </div>
              <main className={classes.canvas} aria-label="Workflow">
                <Canvas onReady={() => document.body.setAttribute("data-builder-ready", "true")} />
              </main>
              <RightPanel />
            </div>
          </div>
        </ActiveRunProvider>
        <ConnectorPicker />
        <DeleteConfirmation />
        <SnakeLayer />
        <Shortcuts />
      </ReactFlowProvider>
    </CatalogueContext.Provider>
  );
}

/** The properties of the selected step, or the debug panel (wider) while it is open. */
function RightPanel() {
  const debugOpen = useAppStore((state) => state.debugOpen);
  return (
    <div className={classes.rightPanel} data-debug={debugOpen}>
      {debugOpen ? <DebugPanel /> : <PropertiesPanel />}
    </div>
  );
}

function BuilderHeader({ onReload }: { onReload: () => void }) {
  const name = useAppStore((state) => state.name);
  const rename = useAppStore((state) => state.rename);
  const canUndo = useAppStore((state) => state.past.length > 0);
  const canRedo = useAppStore((state) => state.future.length > 0);
  const undo = useAppStore((state) => state.undo);
  const redo = useAppStore((state) => state.redo);
  const nameError = useAppStore((state) => state.serverErrors.find((error) => error.path === "name")?.message);
  const [draftName, setDraftName] = useState(name);
  useEffect(() => setDraftName(name), [name]);
  const commitName = () => {
    const trimmed = draftName.trim();
    if (trimmed === "") setDraftName(name);
    else if (trimmed !== name) rename(trimmed);
  };
  return (
    <header className={classes.header}>
      <Tooltip label="All workflows" withArrow>
        <ActionIcon component={Link} to="/" variant="subtle" color="gray" size="lg" aria-label="Back to workflows">
          <IconChevronLeft size={20} />
        </ActionIcon>
      </Tooltip>
      <TextInput
        aria-label="Workflow name"
        value={draftName}
        onChange={(event) => setDraftName(event.currentTarget.value)}
        onBlur={commitName}
        onKeyDown={(event) => {
          if (event.key === "Enter") event.currentTarget.blur();
          if (event.key === "Escape") {
            setDraftName(name);
            event.currentTarget.blur();
          }
        }}
        variant="unstyled"
        error={nameError}
        styles={{ input: { fontSize: 16, fontWeight: 650, paddingInline: 6, borderRadius: 6 } }}
        w={360}
      />
      <SaveStatus onReload={onReload} />
      <Group gap={4} ml="auto" mr={4}>
        <Tooltip label="Undo (Ctrl+Z)" withArrow>
          <ActionIcon variant="subtle" color="gray" size="lg" onClick={undo} disabled={!canUndo} aria-label="Undo">
            <IconArrowBackUp size={19} />
          </ActionIcon>
        </Tooltip>
        <Tooltip label="Redo (Ctrl+Shift+Z)" withArrow>
          <ActionIcon variant="subtle" color="gray" size="lg" onClick={redo} disabled={!canRedo} aria-label="Redo">
            <IconArrowForwardUp size={19} />
          </ActionIcon>
        </Tooltip>
        <SettingsButton />
      </Group>
      <BuilderEnabledSwitch />
      <RunControls />
    </header>
  );
}

function SettingsButton() {
  const workflowId = useAppStore((state) => state.workflowId);
  return workflowId === null ? null : <WorkflowSettingsButton workflowId={workflowId} />;
}

/** Enabled, in the header: it applies to the workflow as saved, so the edits on screen are saved first. */
function BuilderEnabledSwitch() {
  const workflowId = useAppStore((state) => state.workflowId);
  const name = useAppStore((state) => state.name);
  const enabled = useAppStore((state) => state.triggerState.enabled);
  if (workflowId === null) return null;
  return (
    <div className={classes.enabledSwitch}>
      <EnabledSwitch
        workflowId={workflowId}
        workflowName={name}
        enabled={enabled}
        label="Enabled"
        prepare={() => waitForSave(appStore)}
        onChanged={(workflow) => appStore.getState().setTriggerState(workflow)}
      />
    </div>
  );
}

function DeleteConfirmation() {
  const name = useAppStore((state) => state.confirmingDelete);
  const definition = useAppStore((state) => state.definition);
  const confirmDelete = useAppStore((state) => state.confirmDelete);
  const removeStep = useAppStore((state) => state.removeStep);
  const entry = name === null || definition === null ? undefined : findNode(definition, name);
  const inside = entry === undefined ? 0 : namesIn(entry.node).length - 1;
  return (
    <Modal closeButtonProps={{ "aria-label": "Close" }} opened={name !== null} onClose={() => confirmDelete(null)} title={`Delete ${name ?? ""}?`} centered size="sm">
      <Stack gap="md">
        <Text fz="sm">
          {inside === 0
            ? `${name} is a container with no step inside.`
            : `The ${inside === 1 ? "step" : `${inside} steps`} inside ${name} will be deleted too.`}{" "}
          You can undo this.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => confirmDelete(null)}>
            Cancel
          </Button>
          <Button
            color="red"
            data-autofocus
            onClick={() => {
              if (name !== null) removeStep(name);
              confirmDelete(null);
            }}
          >
            Delete
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Ctrl+Z / Ctrl+Shift+Z (or Ctrl+Y), Delete and Ctrl+D, outside text fields. */
function Shortcuts() {
  const requestDelete = useRequestDelete();
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (isEditable(event.target) || document.querySelector("[role=dialog]") !== null) return;
      const state = appStore.getState();
      const mod = event.ctrlKey || event.metaKey;
      if (mod && event.key.toLowerCase() === "z") {
        event.preventDefault();
        if (event.shiftKey) state.redo();
        else state.undo();
      } else if (mod && event.key.toLowerCase() === "y") {
        event.preventDefault();
        state.redo();
      } else if (mod && event.key.toLowerCase() === "d" && state.selectedStep !== null && state.selectedStep !== "trigger") {
        event.preventDefault();
        state.duplicateStep(state.selectedStep);
      } else if ((event.key === "Delete" || event.key === "Backspace") && state.selectedStep !== null && state.selectedStep !== "trigger") {
        event.preventDefault();
        requestDelete(state.selectedStep);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [requestDelete]);
  return null;
}
