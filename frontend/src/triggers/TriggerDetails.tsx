import { ActionIcon, Badge, Button, CopyButton, Group, Modal, Stack, Table, Text, TextInput, Tooltip } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconCheck, IconCopy, IconRefresh } from "@tabler/icons-react";
import { useMemo, useState, type MouseEvent } from "react";
import { messageOf } from "../api/errors";
import type { TriggerState, TypedValue } from "../api/types";
import { useRegenerateWebhookToken } from "../api/use-regenerate-webhook-token";
import { operationOf, useCatalogue } from "../builder/catalogue-context";
import { appStore, useAppStore } from "../store";
import { useCanEdit } from "./EnabledSwitch";
import {
  callableInputExample,
  fireTimeRows,
  isLocalZone,
  localTimeZone,
  plainValue,
  scheduleSettings,
  scheduleSummary,
  triggerDetailKind,
  type FireTimeRow,
} from "./triggers";
import classes from "./triggers.module.css";

const NO_PROPERTIES: Record<string, TypedValue> = {};

function useTrigger() {
  const catalogue = useCatalogue();
  const trigger = useAppStore((state) => state.definition?.trigger);
  const triggerState = useAppStore((state) => state.triggerState);
  const connector = trigger === undefined ? undefined : catalogue.get(trigger.connector);
  return {
    kind: triggerDetailKind(trigger?.connector),
    properties: trigger?.properties ?? NO_PROPERTIES,
    operation: operationOf(connector, trigger),
    triggerState,
  };
}

const stop = (event: MouseEvent) => event.stopPropagation();

/** A copy button for the webhook URL (Mantine's CopyButton: the Clipboard API). */
function CopyUrlButton({ url, size = 24 }: { url: string; size?: number }) {
  return (
    <CopyButton value={url} timeout={1500}>
      {({ copied, copy }) => (
        <Tooltip label={copied ? "Copied" : "Copy the webhook URL"} withArrow position="top">
          <ActionIcon
            size={size}
            variant="subtle"
            color={copied ? "teal" : "gray"}
            aria-label={copied ? "Webhook URL copied" : "Copy webhook URL"}
            onClick={(event) => {
              event.stopPropagation();
              copy();
            }}
          >
            {copied ? <IconCheck size={14} aria-hidden /> : <IconCopy size={14} aria-hidden />}
          </ActionIcon>
        </Tooltip>
      )}
    </CopyButton>
  );
}

function webhookStatus(properties: Record<string, TypedValue>, triggerState: TriggerState): string {
  if (!triggerState.enabled) return "Disabled: calls answer 404";
  const reply = plainValue(properties.reply) === "with_response" ? "replies with the workflow's answer" : "replies 202 at once";
  const check = plainValue(properties.check);
  const secret = check === "header" ? " · secret header checked" : check === "hmac_sha256" ? " · signature checked" : "";
  return `Enabled · ${reply}${secret}`;
}

/**
 * What the trigger card shows below its title: the webhook's URL with a copy button, the
 * schedule and its next five fire times, or the callable's input example. Nothing for Manual.
 */
export function TriggerCardDetails() {
  const { kind, properties, operation, triggerState } = useTrigger();
  if (kind === null) return null;
  const schedule = kind === "schedule" ? scheduleSettings(properties, operation) : null;
  return (
    <div className={`${classes.cardDetails} nodrag`} data-trigger-details={kind}>
      {kind === "webhook" && <WebhookCardDetails properties={properties} triggerState={triggerState} />}
      {schedule !== null && <ScheduleCardDetails settingsText={scheduleSummary(schedule)} zone={schedule.timezone} triggerState={triggerState} />}
      {kind === "callable" && <CallableCardDetails example={callableInputExample(properties, true)} />}
    </div>
  );
}

function WebhookCardDetails({ properties, triggerState }: { properties: Record<string, TypedValue>; triggerState: TriggerState }) {
  const url = triggerState.webhook_url;
  return (
    <>
      <div className={classes.urlRow} onClick={stop}>
        {url === null ? (
          <span className={classes.detailLine}>The URL shows once the trigger is saved</span>
        ) : (
          <>
            <span className={classes.url} title={url} data-testid="webhook-url">
              {url}
            </span>
            <CopyUrlButton url={url} />
          </>
        )}
      </div>
      <div className={classes.detailLine} title={webhookStatus(properties, triggerState)}>
        {webhookStatus(properties, triggerState)}
      </div>
    </>
  );
}

function ScheduleCardDetails({ settingsText, zone, triggerState }: { settingsText: string; zone: string; triggerState: TriggerState }) {
  const rows = useMemo(() => fireTimeRows(triggerState.next_fire_times ?? [], zone), [triggerState.next_fire_times, zone]);
  return (
    <>
      <Group gap={6} wrap="nowrap">
        <span className={classes.summary} title={settingsText} data-testid="schedule-summary">
          {settingsText}
        </span>
        <Badge size="xs" variant="light" color={triggerState.enabled ? "teal" : "gray"} tt="none" style={{ flex: "none" }}>
          {triggerState.enabled ? "On" : "Off"}
        </Badge>
      </Group>
      {rows.length === 0 ? (
        <span className={classes.detailLine} style={{ whiteSpace: "normal" }}>
          The next fire times show once the schedule is valid and saved.
        </span>
      ) : (
        <ol className={classes.fireTimes} aria-label="Next fire times">
          {rows.map((row) => (
            <li key={row.iso} title={fireTimeTitle(row, zone)}>
              <span>{row.inZone}</span>
              {row.localShort !== null && <span className={classes.fireLocal}>{row.localShort} local</span>}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}

function fireTimeTitle(row: FireTimeRow, zone: string): string {
  return row.local === null ? `${row.inZone} (${zone})` : `${row.inZone} (${zone}) · ${row.local} your time (${localTimeZone()})`;
}

function CallableCardDetails({ example }: { example: string | null }) {
  return (
    <>
      <span className={classes.detailLine}>{example === null ? "Called by a Call workflow step" : "Input example"}</span>
      {example === null ? (
        <span className={classes.detailLine} style={{ whiteSpace: "normal" }}>
          No input example: set one to show callers what to send.
        </span>
      ) : (
        <pre className={classes.example} data-testid="callable-input-example">
          {example}
        </pre>
      )}
    </>
  );
}

/** The trigger's section at the top of its properties panel: the URL to copy or regenerate, the fire times, the input. */
export function TriggerPanelSection() {
  const { kind, properties, operation, triggerState } = useTrigger();
  if (kind === null) return null;
  if (kind === "webhook") return <WebhookPanel properties={properties} triggerState={triggerState} />;
  if (kind === "schedule") {
    const settings = scheduleSettings(properties, operation);
    return <SchedulePanel summary={scheduleSummary(settings)} zone={settings.timezone} triggerState={triggerState} />;
  }
  return <CallablePanel example={callableInputExample(properties)} />;
}

function WebhookPanel({ properties, triggerState }: { properties: Record<string, TypedValue>; triggerState: TriggerState }) {
  const url = triggerState.webhook_url;
  const [confirming, setConfirming] = useState(false);
  const canEdit = useCanEdit();
  return (
    <Stack gap={6} className={classes.panelSection} aria-label="Webhook URL" role="group">
      <TextInput
        label="Webhook URL"
        aria-label="Webhook URL"
        readOnly
        value={url ?? ""}
        placeholder="Shows once the trigger is saved"
        rightSection={url === null ? undefined : <CopyUrlButton url={url} size={26} />}
        styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)", fontSize: 12 } }}
        onFocus={(event) => event.currentTarget.select()}
      />
      <Text fz="xs" c="dimmed">
        {webhookStatus(properties, triggerState)}
        {triggerState.enabled ? "" : " until the workflow is enabled"}. GET, POST, PUT, PATCH and DELETE start a run with{" "}
        <code>{"{method, path, headers, query, body}"}</code> as <code>$.steps.trigger</code>.
      </Text>
      <Group justify="flex-end">
        <Tooltip label="Viewers cannot regenerate the URL." disabled={canEdit} withArrow>
          <Button size="xs" variant="light" color="red" leftSection={<IconRefresh size={14} aria-hidden />} onClick={() => setConfirming(true)} disabled={!canEdit || url === null}>
            Regenerate URL
          </Button>
        </Tooltip>
      </Group>
      <RegenerateUrlModal opened={confirming} onClose={() => setConfirming(false)} />
    </Stack>
  );
}

function RegenerateUrlModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const workflowId = useAppStore((state) => state.workflowId);
  const regenerate = useRegenerateWebhookToken();
  const confirm = () => {
    if (workflowId === null) return;
    regenerate.mutate(workflowId, {
      onSuccess: (workflow) => {
        appStore.getState().setTriggerState(workflow);
        onClose();
        notifications.show({ color: "teal", title: "New webhook URL", message: "The old URL answers 404 from now on: give callers the new one." });
      },
      onError: (error) => notifications.show({ color: "red", title: "The URL was not regenerated", message: messageOf(error) }),
    });
  };
  return (
    <Modal closeButtonProps={{ "aria-label": "Close" }} opened={opened} onClose={onClose} title="Regenerate the webhook URL?" centered size="sm">
      <Stack gap="md">
        <Text fz="sm">
          The workflow gets a new secret URL. <strong>The current URL stops working at once</strong>: calls to it answer 404, so every
          service that calls it must be given the new one.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="red" onClick={confirm} loading={regenerate.isPending} data-autofocus>
            Regenerate URL
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

function SchedulePanel({ summary, zone, triggerState }: { summary: string; zone: string; triggerState: TriggerState }) {
  const rows = useMemo(() => fireTimeRows(triggerState.next_fire_times ?? [], zone), [triggerState.next_fire_times, zone]);
  const local = localTimeZone();
  const twoColumns = !isLocalZone(zone, local);
  return (
    <Stack gap={6} className={classes.panelSection} role="group" aria-label="Schedule">
      <Group justify="space-between" wrap="nowrap">
        <Text fz="sm" fw={600}>
          {summary}
        </Text>
        <Badge size="sm" variant="light" color={triggerState.enabled ? "teal" : "gray"} tt="none" style={{ flex: "none" }}>
          {triggerState.enabled ? "Enabled" : "Disabled"}
        </Badge>
      </Group>
      {!triggerState.enabled && (
        <Text fz="xs" c="dimmed">
          It fires at these times once the workflow is enabled.
        </Text>
      )}
      {rows.length === 0 ? (
        <Text fz="xs" c="dimmed">
          The next fire times show once the schedule is valid and saved.
        </Text>
      ) : (
        <Table fz="xs" verticalSpacing={3} horizontalSpacing={6} aria-label="Next fire times" style={{ fontVariantNumeric: "tabular-nums" }}>
          <Table.Caption style={{ captionSide: "top", textAlign: "left", margin: "0 0 2px" }}>Next fire times</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th style={{ whiteSpace: "nowrap" }}>{zone}</Table.Th>
              {twoColumns && (
                <Table.Th style={{ whiteSpace: "nowrap" }} title="Your browser's time zone">
                  {local} (yours)
                </Table.Th>
              )}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => (
              <Table.Tr key={row.iso}>
                <Table.Td>{row.inZone}</Table.Td>
                {twoColumns && <Table.Td c="dimmed">{row.local ?? row.inZone}</Table.Td>}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

function CallablePanel({ example }: { example: string | null }) {
  return (
    <Stack gap={6} className={classes.panelSection} role="group" aria-label="Callable input">
      <Text fz="sm" fw={600}>
        Input
      </Text>
      <Text fz="xs" c="dimmed">
        Runs when another workflow's Call workflow step calls it; the payload it sends is <code>$.steps.trigger</code>.
        {example === null ? " Set an input example below to show callers what to send." : " Callers are shown this example:"}
      </Text>
      {example !== null && <pre className={classes.panelExample}>{example}</pre>}
    </Stack>
  );
}
