import {
  Alert,
  Button,
  Group,
  Modal,
  NumberInput,
  PasswordInput,
  Radio,
  Select,
  Stack,
  Stepper,
  Switch,
  Text,
  TextInput,
} from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { useEffect, useMemo, useState, type FormEvent } from "react";
import { errorAt, fieldErrorsOf, messageOf } from "../api/errors";
import type { Authentication, AuthenticationScope, Connector, FieldError, JsonValue } from "../api/types";
import { useCreateAuthentication } from "../api/use-create-authentication";
import { useGetConnectors } from "../api/use-get-connectors";
import { useUpdateAuthentication } from "../api/use-update-authentication";
import { authFieldsToSend, initialAuthValues, visibleAuthFields } from "./auth-fields";

export interface AuthenticationModalProps {
  opened: boolean;
  onClose: () => void;
  /** The connector of the step being authenticated; without it, page one asks for one. */
  connector?: Connector;
  /** Edits this authentication instead of creating one. */
  existing?: Authentication;
  onSaved?: (authentication: Authentication) => void;
}

/** The dialog "Add new authentication": name and type, then the connector's own fields. */
export function AuthenticationModal({ opened, onClose, connector, existing, onSaved }: AuthenticationModalProps) {
  const title = existing === undefined ? "Add new authentication" : `Edit ${existing.name}`;
  return (
    <Modal closeButtonProps={{ "aria-label": "Close" }} opened={opened} onClose={onClose} title={title} size="lg" centered>
      {opened && <AuthenticationForm connector={connector} existing={existing} onClose={onClose} onSaved={onSaved} />}
    </Modal>
  );
}

function AuthenticationForm({ connector: fixedConnector, existing, onClose, onSaved }: Omit<AuthenticationModalProps, "opened">) {
  const connectors = useGetConnectors();
  const authenticable = useMemo(() => (connectors.data ?? []).filter((candidate) => candidate.authentication !== null), [connectors.data]);
  const [connectorKey, setConnectorKey] = useState<string | null>(fixedConnector?.key ?? existing?.connector ?? null);
  const connector = fixedConnector ?? authenticable.find((candidate) => candidate.key === connectorKey);
  const schema = connector?.authentication?.fields_schema;
  const [page, setPage] = useState(0);
  const [name, setName] = useState(existing?.name ?? "");
  const [scope, setScope] = useState<AuthenticationScope>(existing?.scope ?? "personal");
  const [values, setValues] = useState<Record<string, JsonValue>>({});
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const create = useCreateAuthentication();
  const update = useUpdateAuthentication();
  const saving = create.isPending || update.isPending;

  useEffect(() => {
    if (schema !== undefined) setValues(initialAuthValues(schema, existing?.settings));
  }, [schema, existing]);

  const next = (event: FormEvent) => {
    event.preventDefault();
    const pageOneErrors: FieldError[] = [];
    if (name.trim() === "") pageOneErrors.push({ path: "name", message: "Give the authentication a name." });
    if (connector === undefined) pageOneErrors.push({ path: "connector", message: "Choose a connector." });
    setErrors(pageOneErrors);
    if (pageOneErrors.length === 0) setPage(1);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (connector === undefined || schema === undefined) return;
    setFailure(null);
    const fields = authFieldsToSend(schema, values);
    try {
      const saved =
        existing === undefined
          ? await create.mutateAsync({ name: name.trim(), connector: connector.key, scope, fields })
          : await update.mutateAsync({ id: existing.id, name: name.trim(), scope, fields });
      onSaved?.(saved);
      onClose();
    } catch (error) {
      const found = fieldErrorsOf(error);
      setErrors(found);
      if (found.some((item) => item.path === "name" || item.path === "scope" || item.path === "connector")) {
        setPage(0);
      }
      if (found.length === 0 || found.every((item) => !item.path)) {
        setFailure(messageOf(error));
      }
    }
  };

  return (
    <Stack gap="lg">
      <Stepper active={page} size="xs" allowNextStepsSelect={false} onStepClick={(step) => step < page && setPage(step)}>
        <Stepper.Step label="Name and type" />
        <Stepper.Step label={connector === undefined ? "Connection" : `${connector.title} details`} />
      </Stepper>
      {page === 0 ? (
        <form onSubmit={next} noValidate>
          <Stack gap="md">
            {fixedConnector === undefined && existing === undefined && (
              <Select
                label="Connector"
                placeholder="Choose a connector"
                data={authenticable.map((candidate) => ({ value: candidate.key, label: candidate.title }))}
                value={connectorKey}
                onChange={setConnectorKey}
                error={errorAt(errors, "connector")}
                required
                searchable
                comboboxProps={{ withinPortal: true }}
              />
            )}
            <TextInput
              label="Name"
              description="How the authentication appears in the Authentication dropdown."
              placeholder={connector === undefined ? "My authentication" : `My ${connector.title} account`}
              value={name}
              onChange={(event) => setName(event.currentTarget.value)}
              error={errorAt(errors, "name")}
              required
              data-autofocus
            />
            <Radio.Group
              label="Which type of authentication do you wish to create?"
              value={scope}
              onChange={(value) => setScope(value === "organisational" ? "organisational" : "personal")}
              error={errorAt(errors, "scope")}
            >
              <Stack gap="sm" mt="xs">
                <Radio value="personal" label="Personal" description="Only you can use it in your workflows." />
                <Radio value="organisational" label="Organisational" description="Everyone in the organisation can use it." />
              </Stack>
            </Radio.Group>
            <Group justify="flex-end" mt="sm">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit">Next</Button>
            </Group>
          </Stack>
        </form>
      ) : (
        <form onSubmit={(event) => void submit(event)} noValidate>
          <Stack gap="md">
            {schema !== undefined &&
              visibleAuthFields(schema, values).map((field, index) => (
                <AuthFieldInput
                  key={field.key}
                  autoFocus={index === 0}
                  field={field}
                  value={values[field.key]}
                  isSet={existing?.secrets_set.includes(field.key) ?? false}
                  error={errorAt(errors, `fields.${field.key}`)}
                  onChange={(value) => setValues((current) => ({ ...current, [field.key]: value }))}
                />
              ))}
            {errors
              .filter((item) => item.path === "fields" || (item.path !== "" && !item.path.startsWith("fields.") && item.path !== "name"))
              .map((item) => (
                <Alert key={item.path + item.message} color="red" variant="light" icon={<IconAlertTriangle size={16} />}>
                  {item.message}
                </Alert>
              ))}
            {failure !== null && (
              <Alert color="red" variant="light" icon={<IconAlertTriangle size={16} />} role="alert">
                {failure}
              </Alert>
            )}
            <Group justify="space-between" mt="sm">
              <Button variant="default" onClick={() => setPage(0)}>
                Back
              </Button>
              <Button type="submit" loading={saving}>
                {existing === undefined ? "Create authentication" : "Save authentication"}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Stack>
  );
}

function AuthFieldInput({
  autoFocus,
  field,
  value,
  isSet,
  error,
  onChange,
}: {
  autoFocus: boolean;
  field: ReturnType<typeof visibleAuthFields>[number];
  value: JsonValue | undefined;
  isSet: boolean;
  error: string | undefined;
  onChange: (value: JsonValue) => void;
}) {
  const { schema } = field;
  const label = schema.title ?? field.key;
  const description = schema.description;
  const warning = schema["x-warning"];
  let input;
  if (schema.enum !== undefined) {
    input = (
      <Select
        label={label}
        description={description}
        data={schema.enum.map((option, index) => ({ value: String(option), label: schema.enumNames?.[index] ?? String(option) }))}
        value={value === undefined || value === null ? null : String(value)}
        onChange={(next) => onChange(next ?? "")}
        required={field.required}
        error={error}
        allowDeselect={false}
        searchable
        selectFirstOptionOnChange
        comboboxProps={{ withinPortal: true }}
      />
    );
  } else if (field.secret) {
    input = (
      <PasswordInput
        label={label}
        description={description}
        value={typeof value === "string" ? value : ""}
        onChange={(event) => onChange(event.currentTarget.value)}
        placeholder={isSet ? "Saved: leave empty to keep it" : undefined}
        autoFocus={autoFocus}
        required={field.required && !isSet}
        error={error}
        autoComplete="off"
      />
    );
  } else if (schema.type === "boolean") {
    input = <Switch label={label} description={description} checked={value === true} onChange={(event) => onChange(event.currentTarget.checked)} error={error} />;
  } else if (schema.type === "number" || schema.type === "integer") {
    input = (
      <NumberInput
        label={label}
        description={description}
        value={typeof value === "number" ? value : ""}
        onChange={(next) => onChange(typeof next === "number" ? next : null)}
        required={field.required}
        error={error}
      />
    );
  } else {
    input = (
      <TextInput
        label={label}
        description={description}
        value={typeof value === "string" ? value : ""}
        onChange={(event) => onChange(event.currentTarget.value)}
        required={field.required}
        error={error}
        type={schema.format === "uri" ? "url" : "text"}
        autoFocus={autoFocus}
        autoComplete="off"
      />
    );
  }
  return (
    <Stack gap={6}>
      {input}
      {typeof warning === "string" && (
        <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={16} />} p="xs">
          <Text fz="xs">{warning}</Text>
        </Alert>
      )}
    </Stack>
  );
}
