import { Box, CloseButton, ScrollArea, Stack, Text, TextInput, Title } from "@mantine/core";
import { IconSearch } from "@tabler/icons-react";
import { useMemo, useState, type DragEvent, type KeyboardEvent } from "react";
import type { Connector } from "../api/types";
import { findNode, laneSteps, ROOT, type Slot } from "../definition/structure";
import { appStore } from "../store";
import { useCatalogue } from "./catalogue-context";
import { CONNECTOR_DRAG_TYPE } from "./drop";
import classes from "./builder.module.css";

export function matchConnectors(connectors: Iterable<Connector>, query: string): Connector[] {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return [...connectors]
    .filter((connector) => !connector.is_trigger)
    .filter((connector) => {
      const text = `${connector.title} ${connector.key} ${connector.description}`.toLowerCase();
      return words.every((word) => text.includes(word));
    })
    .sort((a, b) => a.title.localeCompare(b.title));
}

/** Where Enter on a connector adds it: after the selected step, else at the end of the workflow. */
function keyboardSlot(): Slot {
  const { definition, selectedStep } = appStore.getState();
  if (definition === null) return { ...ROOT, index: 0 };
  const entry = selectedStep === null ? undefined : findNode(definition, selectedStep);
  if (entry !== undefined) return { ...entry.lane, index: entry.index + 1 };
  return { ...ROOT, index: laneSteps(definition, ROOT).length };
}

export function ConnectorsPanel() {
  const catalogue = useCatalogue();
  const [query, setQuery] = useState("");
  const connectors = useMemo(() => matchConnectors(catalogue.values(), query), [catalogue, query]);

  const onDragStart = (event: DragEvent, connector: Connector) => {
    event.dataTransfer.setData(CONNECTOR_DRAG_TYPE, connector.key);
    event.dataTransfer.effectAllowed = "copy";
    appStore.getState().setDragging({ kind: "connector", connector: connector.key });
  };
  const onKeyDown = (event: KeyboardEvent, connector: Connector) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      appStore.getState().addStep(connector, keyboardSlot());
    }
  };

  return (
    <Stack gap={0} h="100%" component="aside" aria-label="Connectors panel">
      <Box p="md" pb="sm">
        <Title order={2} fz="sm" fw={650} mb="xs">
          Connectors
        </Title>
        <TextInput
          placeholder="Search connectors"
          aria-label="Search connectors"
          leftSection={<IconSearch size={15} aria-hidden />}
          value={query}
          onChange={(event) => setQuery(event.currentTarget.value)}
          rightSection={query !== "" ? <CloseButton size="sm" aria-label="Clear search" onClick={() => setQuery("")} /> : null}
        />
      </Box>
      <ScrollArea style={{ flex: 1 }} px="md" pb="md" type="auto">
        <Stack gap={6} role="list" aria-label="Connectors">
          {connectors.map((connector) => (
            <div role="listitem" key={connector.key}>
              <button
                type="button"
                className={classes.paletteItem}
                draggable
                onDragStart={(event) => onDragStart(event, connector)}
                onDragEnd={() => appStore.getState().setDragging(null)}
                onKeyDown={(event) => onKeyDown(event, connector)}
                aria-label={connector.title}
                aria-description="Drag onto the workflow, or press Enter to add it after the selected step"
                data-connector={connector.key}
              >
                <img src={connector.icon_url} alt="" draggable={false} />
                <Box style={{ minWidth: 0 }}>
                  <Text fz="sm" fw={600} lh={1.3}>
                    {connector.title}
                  </Text>
                  <Text fz="xs" c="dimmed" lineClamp={1} lh={1.35}>
                    {connector.description}
                  </Text>
                </Box>
              </button>
            </div>
          ))}
          {connectors.length === 0 && (
            <Text fz="sm" c="dimmed" ta="center" py="lg">
              No connector matches “{query}”.
            </Text>
          )}
        </Stack>
      </ScrollArea>
      <Text fz="xs" c="dimmed" px="md" py="sm" style={{ borderTop: "1px solid var(--mantine-color-gray-2)" }}>
        Drag a connector onto a + in the workflow.
      </Text>
    </Stack>
  );
}
