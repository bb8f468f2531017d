import { Alert, Badge, Box, Group, ScrollArea, Select, Stack, Tabs, Text, TextInput, ThemeIcon } from "@mantine/core";
import { IconAlertTriangle, IconClick, IconKey, IconListDetails } from "@tabler/icons-react";
import { useEffect, useMemo, useRef } from "react";
import type { FieldError, StepDefinition } from "../api/types";
import { stepIssues, stepOfErrorPath } from "../definition/issues";
import { stepOf, TRIGGER_NAME } from "../definition/structure";
import { useAppStore } from "../store";
import { visibleServerErrors } from "../store/save-slice";
import { AuthenticateTab } from "./AuthenticateTab";
import { operationOf, stepTitle, useCatalogue } from "./catalogue-context";
import { PropertyField } from "./PropertyField";
import { focusFieldOf } from "./ProblemList";
import { TriggerPanelSection } from "../triggers/TriggerDetails";
import { acceptsErrorHandling } from "../definition/error-handling";
import { ErrorHandlingSection } from "./ErrorHandlingSection";
import { TestStepSection } from "./TestStepSection";

export function PropertiesPanel() {
  const selected = useAppStore((state) => state.selectedStep);
  const step = useAppStore((state) => (state.definition === null || selected === null ? undefined : stepOf(state.definition, selected)));
  if (selected === null || step === undefined) {
    return (
      <Stack align="center" justify="center" h="100%" p="xl" gap="sm" ta="center" component="aside" aria-label="Properties panel">
        <ThemeIcon size={48} radius="xl" variant="light" color="gray">
          <IconClick size={24} aria-hidden />
        </ThemeIcon>
        <Text fw={600}>No step selected</Text>
        <Text fz="sm" c="dimmed" maw={240}>
          Select a step on the canvas to edit its properties and authentication.
        </Text>
      </Stack>
    );
  }
  return <StepProperties key={selected} name={selected} step={step} />;
}

function StepProperties({ name, step }: { name: string; step: StepDefinition }) {
  const catalogue = useCatalogue();
  const connector = catalogue.get(step.connector);
  const operation = operationOf(connector, step);
  const isTrigger = name === TRIGGER_NAME;
  const tab = useAppStore((state) => state.panelTab);
  const setPanelTab = useAppStore((state) => state.setPanelTab);
  const setOperation = useAppStore((state) => state.setOperation);
  const setProperty = useAppStore((state) => state.setProperty);
  const setStepTitle = useAppStore((state) => state.setStepTitle);
  const allServerErrors = useAppStore((state) => state.serverErrors);
  const refusedDefinition = useAppStore((state) => state.refusedDefinition);
  const definition = useAppStore((state) => state.definition);
  const serverErrors = useMemo(
    () => visibleServerErrors({ serverErrors: allServerErrors, refusedDefinition, definition }),
    [allServerErrors, refusedDefinition, definition],
  );
  const titleFocusFor = useAppStore((state) => state.titleFocusFor);
  const requestTitleFocus = useAppStore((state) => state.requestTitleFocus);
  const titleRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (titleFocusFor === name) {
      setPanelTab("properties");
      // After the tab has rendered its input.
      requestAnimationFrame(() => {
        titleRef.current?.focus();
        titleRef.current?.select();
      });
      requestTitleFocus(null);
    }
  }, [titleFocusFor, name, requestTitleFocus, setPanelTab]);

  // A problem picked in the header or a notification: its field takes the focus.
  const fieldFocus = useAppStore((state) => state.fieldFocus);
  const clearFieldFocus = useAppStore((state) => state.clearFieldFocus);
  useEffect(() => {
    if (fieldFocus === null || stepOfErrorPath(fieldFocus) !== name) return;
    // After the tab holding it has rendered its fields.
    const frame = requestAnimationFrame(() => {
      focusFieldOf(fieldFocus);
      clearFieldFocus();
    });
    return () => cancelAnimationFrame(frame);
  }, [fieldFocus, name, tab, clearFieldFocus]);

  const base = isTrigger ? "trigger" : `steps.${name}`;
  const defaultTitle = stepTitle({ connector: step.connector, operation: step.operation, properties: {} }, connector);
  const errors: FieldError[] = useMemo(() => {
    const own = serverErrors.filter((error) => error.path === base || error.path.startsWith(`${base}.`));
    // Client-side "required" messages show until the server speaks for the same field.
    const local = stepIssues(name, step, connector).filter((issue) => !own.some((error) => error.path === issue.path));
    return [...own, ...local];
  }, [serverErrors, base, name, step, connector]);

  const operations = (connector?.operations ?? []).filter((candidate) => (candidate.kind === "trigger") === isTrigger);
  const schema = operation?.input_schema;
  // `readOnly` properties are set by the platform (a schedule's payload), not in the panel.
  const fields = Object.entries(schema?.properties ?? {}).filter(([, fieldSchema]) => fieldSchema.readOnly !== true);
  const handlesErrors = !isTrigger && acceptsErrorHandling(operation?.kind, step.connector);
  // The error-handling fields show their own errors.
  const inSection = (path: string) =>
    handlesErrors && (path === `${base}.error_handling.mode` || path.startsWith(`${base}.error_handling.retry.`));
  const general = errors.filter(
    (error) =>
      !error.path.startsWith(`${base}.properties.`) &&
      error.path !== `${base}.authentication` &&
      error.path !== `${base}.title` &&
      !inSection(error.path),
  );
  const authenticationError = errors.find((error) => error.path === `${base}.authentication`);

  return (
    <Stack gap={0} h="100%" component="aside" aria-label="Properties panel">
      <Box p="md" pb="sm" style={{ borderBottom: "1px solid var(--mantine-color-gray-2)" }}>
        <Group gap="sm" wrap="nowrap" align="center">
          {connector !== undefined && <img src={connector.icon_url} alt="" width={28} height={28} />}
          <Box style={{ flex: 1, minWidth: 0 }}>
            {isTrigger ? (
              <Text fw={650}>{connector?.title ?? "Trigger"}</Text>
            ) : (
              <TextInput
                ref={titleRef}
                variant="unstyled"
                aria-label="Step title"
                value={step.title ?? defaultTitle}
                onChange={(event) => {
                  const title = event.currentTarget.value;
                  // The operation's title is the default: keep no title rather than a copy of it.
                  setStepTitle(name, title === defaultTitle ? "" : title);
                }}
                styles={{ input: { fontWeight: 650, fontSize: 16, height: 28, minHeight: 28, padding: 0 } }}
              />
            )}
            <Group gap={6}>
              <Badge variant="light" color="gray" radius="sm" tt="none" ff="monospace" fw={500} aria-label={`Step name ${name}`}>
                {name}
              </Badge>
              <Text fz="xs" c="dimmed">
                {connector?.title}
                {connector !== undefined && ` · v${connector.version}`}
              </Text>
            </Group>
          </Box>
        </Group>
      </Box>
      <Tabs
        value={tab}
        onChange={(next) => setPanelTab(next === "authenticate" ? "authenticate" : "properties")}
        style={{ flex: 1, display: "flex", flexDirection: "column", minHeight: 0 }}
        keepMounted={false}
      >
        <Tabs.List px="md">
          <Tabs.Tab value="properties" leftSection={<IconListDetails size={15} aria-hidden />}>
            Properties
          </Tabs.Tab>
          <Tabs.Tab
            value="authenticate"
            leftSection={<IconKey size={15} aria-hidden />}
            disabled={connector?.authentication == null}
            rightSection={authenticationError !== undefined ? <Box w={7} h={7} bg="red.6" style={{ borderRadius: 4 }} aria-hidden /> : undefined}
          >
            Authenticate
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="properties" style={{ flex: 1, minHeight: 0 }}>
          <ScrollArea h="100%" type="auto">
            <Stack p="md" gap="lg">
              {isTrigger && <TriggerPanelSection />}
              {general.map((error) => (
                <Alert key={error.path + error.message} color="red" variant="light" icon={<IconAlertTriangle size={16} />} p="xs">
                  <Text fz="sm">{error.message}</Text>
                </Alert>
              ))}
              <Stack gap={4} data-field-path={`${base}.operation`}>
                <Select
                  label="Operation"
                  aria-label="Operation"
                  data={operations.map((candidate) => ({ value: candidate.key, label: candidate.title }))}
                  value={operation?.key ?? null}
                  onChange={(key) => {
                    const chosen = operations.find((candidate) => candidate.key === key);
                    if (chosen !== undefined) setOperation(name, chosen);
                  }}
                  allowDeselect={false}
                  searchable
                  selectFirstOptionOnChange
                  comboboxProps={{ withinPortal: true }}
                  nothingFoundMessage="No operation matches"
                />
                {operation !== undefined && (
                  <Text fz="xs" c="dimmed">
                    {operation.description}
                  </Text>
                )}
              </Stack>
              {schema !== undefined &&
                fields.map(([key, fieldSchema]) => (
                  <div key={`${operation?.key}:${key}`} data-field-path={`${base}.properties.${key}`}>
                    <PropertyField
                      viewer={name}
                      label={fieldSchema.title ?? key}
                      schema={fieldSchema}
                      required={schema.required?.includes(key) ?? false}
                      value={step.properties[key]}
                      onChange={(value) => setProperty(name, key, value, operation)}
                      errors={errors}
                      errorPath={`${base}.properties.${key}`}
                    />
                  </div>
                ))}
              {schema !== undefined && fields.length === 0 && (
                <Text fz="sm" c="dimmed">
                  This operation takes no input.
                </Text>
              )}
              {handlesErrors && (
                <div data-field-path={`${base}.error_handling`}>
                  <ErrorHandlingSection name={name} step={step} errors={errors} />
                </div>
              )}
              {!isTrigger && <TestStepSection name={name} connector={step.connector} operation={operation} />}
            </Stack>
          </ScrollArea>
        </Tabs.Panel>
        <Tabs.Panel value="authenticate" style={{ flex: 1, minHeight: 0 }} data-field-path={`${base}.authentication`}>
          {connector !== undefined && connector.authentication !== null && (
            <AuthenticateTab name={name} step={step} connector={connector} error={authenticationError?.message} />
          )}
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
