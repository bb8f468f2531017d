import { Group, Modal, ScrollArea, Stack, Text, TextInput, UnstyledButton } from "@mantine/core";
import { IconSearch } from "@tabler/icons-react";
import { useMemo, useState, type KeyboardEvent } from "react";
import { useAppStore } from "../store";
import { useCatalogue } from "./catalogue-context";
import { matchConnectors } from "./ConnectorsPanel";
import classes from "./builder.module.css";

/** The "+" picker: the keyboard and screen-reader way to add a step where the "+" is. */
export function ConnectorPicker() {
  const slot = useAppStore((state) => state.pickerSlot);
  const openPicker = useAppStore((state) => state.openPicker);
  const addStep = useAppStore((state) => state.addStep);
  const catalogue = useCatalogue();
  const [query, setQuery] = useState("");
  const connectors = useMemo(() => matchConnectors(catalogue.values(), query), [catalogue, query]);

  const close = () => {
    openPicker(null);
    setQuery("");
  };
  const pick = (key: string) => {
    const connector = catalogue.get(key);
    if (slot !== null && connector !== undefined) {
      addStep(connector, slot);
    }
    close();
  };
  const onSearchKeyDown = (event: KeyboardEvent) => {
    const first = connectors[0];
    if (event.key === "Enter" && first !== undefined) {
      event.preventDefault();
      pick(first.key);
    }
  };

  return (
    <Modal closeButtonProps={{ "aria-label": "Close" }} opened={slot !== null} onClose={close} title="Add a step" size="md" returnFocus>
      <Stack gap="sm">
        <TextInput
          data-autofocus
          placeholder="Search connectors"
          aria-label="Search connectors"
          leftSection={<IconSearch size={15} aria-hidden />}
          value={query}
          onChange={(event) => setQuery(event.currentTarget.value)}
          onKeyDown={onSearchKeyDown}
        />
        <ScrollArea.Autosize mah={360} type="auto">
          <Stack gap={6} role="list" aria-label="Connectors">
            {connectors.map((connector) => (
              <div role="listitem" key={connector.key}>
                <UnstyledButton className={classes.paletteItem} style={{ cursor: "pointer" }} onClick={() => pick(connector.key)} aria-label={connector.title}>
                  <img src={connector.icon_url} alt="" />
                  <Group gap={2} style={{ flexDirection: "column", alignItems: "flex-start", minWidth: 0 }}>
                    <Text fz="sm" fw={600}>
                      {connector.title}
                    </Text>
                    <Text fz="xs" c="dimmed" lineClamp={1}>
                      {connector.description}
                    </Text>
                  </Group>
                </UnstyledButton>
              </div>
            ))}
            {connectors.length === 0 && (
              <Text fz="sm" c="dimmed" ta="center" py="md">
                No connector matches “{query}”.
              </Text>
            )}
          </Stack>
        </ScrollArea.Autosize>
      </Stack>
    </Modal>
  );
}
