/** Inputs the properties form uses for the triggers' fields: a workflow to call, an IANA time zone. */
import { ActionIcon, Group, Select, Tooltip } from "@mantine/core";
import { IconExternalLink } from "@tabler/icons-react";
import { useMemo } from "react";
import { Link } from "react-router";
import { useGetWorkflows } from "../api/use-get-workflows";
import { useAppStore } from "../store";
import { callableWorkflowOptions, timeZoneOptions } from "./triggers";

interface PickerProps {
  id: string;
  label: string;
  value: string | null;
  onChange: (value: string | null) => void;
  invalid: boolean;
  required: boolean;
}

/**
 * A JSON Schema string with `format: "workflow-id"` (Call workflow's `workflow`): a searchable
 * select of this organisation's workflows whose trigger is Callable.
 */
export function WorkflowPicker({ id, label, value, onChange, invalid, required }: PickerProps) {
  const workflows = useGetWorkflows();
  const self = useAppStore((state) => state.workflowId);
  const data = useMemo(() => callableWorkflowOptions(workflows.data?.results ?? [], value, self), [workflows.data, value, self]);
  const none = workflows.data !== undefined && data.length === 0;
  return (
    <Group gap={4} wrap="nowrap" align="flex-start">
      <Select
        id={id}
        aria-label={label}
        style={{ flex: 1 }}
        data={data}
        value={value}
        onChange={onChange}
        placeholder={workflows.isPending ? "Loading the workflows…" : none ? "No workflow has the Callable trigger yet" : "Choose a callable workflow…"}
        nothingFoundMessage="No callable workflow matches"
        error={invalid}
        clearable={!required}
        allowDeselect={false}
        searchable
        selectFirstOptionOnChange
        comboboxProps={{ withinPortal: true }}
        disabled={none && value === null}
      />
      {value !== null && value !== "" && (
        <Tooltip label="Open this workflow in a new tab" withArrow>
          <ActionIcon component={Link} to={`/workflows/${value}`} target="_blank" variant="subtle" color="gray" size={36} aria-label="Open the called workflow">
            <IconExternalLink size={16} aria-hidden />
          </ActionIcon>
        </Tooltip>
      )}
    </Group>
  );
}

/** A time zone property: the IANA names the browser knows, searchable. */
export function TimeZoneSelect({ id, label, value, onChange, invalid, required, placeholder }: PickerProps & { placeholder?: string }) {
  const data = useMemo(() => timeZoneOptions(value ?? undefined), [value]);
  return (
    <Select
      id={id}
      aria-label={label}
      data={data}
      value={value}
      onChange={onChange}
      placeholder={placeholder ?? "Choose a time zone…"}
      nothingFoundMessage="No time zone matches"
      error={invalid}
      clearable={!required}
      allowDeselect={false}
      searchable
      selectFirstOptionOnChange
      maxDropdownHeight={280}
      comboboxProps={{ withinPortal: true }}
    />
  );
}
