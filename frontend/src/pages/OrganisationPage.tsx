import {
  ActionIcon,
  Alert,
  Avatar,
  Badge,
  Button,
  Container,
  CopyButton,
  Group,
  Modal,
  Paper,
  PasswordInput,
  Select,
  Skeleton,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
  VisuallyHidden,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconAlertTriangle, IconArrowRight, IconCheck, IconCopy, IconDeviceFloppy, IconKey, IconLock, IconTrash, IconUserPlus } from "@tabler/icons-react";
import { useEffect, useState, type FormEvent } from "react";
import { Link } from "react-router";
import { errorAt, fieldErrorsOf, messageOf } from "../api/errors";
import type { Member, Role } from "../api/types";
import { useGetMe } from "../api/use-get-me";
import { useGetMembers } from "../api/use-get-members";
import { useGetOrganisation } from "../api/use-get-organisation";
import { useAddMember, useChangeMemberRole, useRemoveMember } from "../api/use-member-actions";
import { useRenameOrganisation } from "../api/use-rename-organisation";
import { fullDate, timeAgo } from "./format";

/** The roles, highest first, with what each may do (the backend's accounts/models.py). */
const ROLES: { value: Role; label: string; description: string }[] = [
  { value: "owner", label: "Owner", description: "manage everything, other owners included" },
  { value: "admin", label: "Admin", description: "manage people and organisational authentications" },
  { value: "member", label: "Member", description: "build and run workflows" },
  { value: "viewer", label: "Viewer", description: "read workflows and runs, change nothing" },
];
const RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };
const MANAGING: readonly Role[] = ["owner", "admin"];

function roleLabel(role: Role): string {
  return ROLES.find((option) => option.value === role)?.label ?? role;
}

/** "an owner", "a viewer". */
function withArticle(role: Role): string {
  return `${role === "owner" || role === "admin" ? "an" : "a"} ${role}`;
}

/** Why `me` may not remove or re-role `member` (null: they may), as the API would answer. */
function lockedReason(member: Member, me: { id: number; role: Role }, owners: number): string | null {
  if (member.role === "owner" && owners <= 1) return `${member.username} is the organisation's last owner: make someone else an owner first.`;
  if (RANK[member.role] > RANK[me.role]) return `An ${me.role} cannot change or remove an ${member.role}.`;
  return null;
}

export function OrganisationPage() {
  const me = useGetMe();
  const organisation = useGetOrganisation();
  const members = useGetMembers();
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Member | null>(null);
  const changeRole = useChangeMemberRole();
  const myRole = me.data?.role ?? null;
  const canManage = myRole !== null && MANAGING.includes(myRole);
  const people = members.data ?? [];
  const owners = people.filter((person) => person.role === "owner").length;

  const setRole = (member: Member, role: Role) =>
    changeRole.mutate(
      { id: member.id, role },
      {
        onSuccess: () => notifications.show({ color: "teal", title: "Role changed", message: `${member.username} is now ${roleLabel(role).toLowerCase()}.` }),
        onError: (error) => notifications.show({ color: "red", title: "Could not change the role", message: messageOf(error) }),
      },
    );

  return (
    <Container size="lg" py="xl">
      <Group justify="space-between" mb="lg" align="flex-end">
        <Stack gap={2}>
          <Title order={1} fz={26}>
            Organisation
          </Title>
          <Text c="dimmed" fz="sm">
            The people who share this organisation&apos;s workflows, runs and organisational authentications.
          </Text>
        </Stack>
        <Button component={Link} to="/authentications" variant="default" leftSection={<IconKey size={16} />} rightSection={<IconArrowRight size={14} />}>
          Authentications
        </Button>
      </Group>

      {!canManage && me.isSuccess && (
        <Alert mb="lg" color="gray" variant="light" icon={<IconLock size={16} />} title="Read-only">
          You are {myRole === null ? "not a member" : withArticle(myRole)}: only owners and admins can rename the organisation or add, change and remove people.
        </Alert>
      )}

      <Stack gap="lg">
        <Paper withBorder radius="lg" shadow="xs" p="lg">
          {organisation.isPending ? (
            <Skeleton h={36} radius="sm" />
          ) : organisation.isError ? (
            <Alert color="red" variant="light" icon={<IconAlertTriangle size={16} />} title="The organisation could not be loaded">
              {organisation.error.message}
            </Alert>
          ) : canManage ? (
            <OrganisationNameForm name={organisation.data.name} />
          ) : (
            <Stack gap={2}>
              <Text fz="sm" fw={500}>
                Organisation name
              </Text>
              <Text fz="lg" fw={600} data-testid="organisation-name">
                {organisation.data.name}
              </Text>
            </Stack>
          )}
        </Paper>

        <Paper withBorder radius="lg" shadow="xs">
          <Group justify="space-between" px="lg" pt="lg" pb="sm">
            <Group gap="xs">
              <Title order={2} fz={18}>
                Members
              </Title>
              {members.isSuccess && (
                <Badge variant="light" color="gray" aria-label={`${people.length} members`}>
                  {people.length}
                </Badge>
              )}
            </Group>
            {canManage && (
              <Button leftSection={<IconUserPlus size={16} />} onClick={() => setAdding(true)}>
                Add person
              </Button>
            )}
          </Group>
          {members.isPending ? (
            <Stack p="lg" gap="md">
              {[0, 1, 2].map((row) => (
                <Skeleton key={row} h={22} radius="sm" />
              ))}
            </Stack>
          ) : members.isError ? (
            <Alert m="lg" color="red" variant="light" icon={<IconAlertTriangle size={16} />} title="The members could not be loaded">
              {members.error.message}
            </Alert>
          ) : (
            <Table verticalSpacing="sm" horizontalSpacing="lg" highlightOnHover aria-label="Members">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Person</Table.Th>
                  <Table.Th w={200}>Role</Table.Th>
                  <Table.Th w={140}>Joined</Table.Th>
                  {canManage && (
                    <Table.Th w={70}>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  )}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {people.map((member) => {
                  const isMe = member.id === me.data?.id;
                  const locked = canManage && myRole !== null ? lockedReason(member, { id: me.data?.id ?? 0, role: myRole }, owners) : null;
                  const removeBlocked = locked ?? (isMe ? "You cannot remove yourself: ask another owner or admin." : null);
                  return (
                    <Table.Tr key={member.id} data-testid={`member-${member.username}`}>
                      <Table.Td>
                        <Group gap="sm" wrap="nowrap">
                          <Avatar size={32} radius="xl" color="indigo">
                            {member.username.slice(0, 2).toUpperCase()}
                          </Avatar>
                          <Stack gap={0}>
                            <Group gap={6}>
                              <Text fw={600} fz="sm">
                                {member.username}
                              </Text>
                              {isMe && (
                                <Badge size="xs" variant="light" color="indigo">
                                  You
                                </Badge>
                              )}
                            </Group>
                            {member.email !== undefined && member.email !== "" && (
                              <Text fz="xs" c="dimmed">
                                {member.email}
                              </Text>
                            )}
                          </Stack>
                        </Group>
                      </Table.Td>
                      <Table.Td>
                        {canManage && myRole !== null ? (
                          <Tooltip label={locked} disabled={locked === null} withArrow multiline w={260}>
                            <div>
                              <Select
                                aria-label={`Role of ${member.username}`}
                                size="xs"
                                w={150}
                                allowDeselect={false}
                                disabled={locked !== null || (changeRole.isPending && changeRole.variables.id === member.id)}
                                value={member.role}
                                data={ROLES.filter((option) => RANK[option.value] <= RANK[myRole] || option.value === member.role).map(({ value, label }) => ({ value, label }))}
                                onChange={(value) => value !== null && value !== member.role && setRole(member, value as Role)}
                              />
                            </div>
                          </Tooltip>
                        ) : (
                          <Badge variant="light" color={member.role === "owner" ? "grape" : member.role === "admin" ? "indigo" : "gray"} tt="none">
                            {roleLabel(member.role)}
                          </Badge>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Tooltip label={fullDate(member.created_at)} withArrow>
                          <Text fz="sm" c="dimmed">
                            {timeAgo(member.created_at)}
                          </Text>
                        </Tooltip>
                      </Table.Td>
                      {canManage && (
                        <Table.Td>
                          <Group justify="flex-end">
                            <Tooltip label={removeBlocked ?? `Remove ${member.username}`} position="left" withArrow multiline maw={280}>
                              <ActionIcon
                                variant="subtle"
                                color="red"
                                aria-label={`Remove ${member.username}`}
                                aria-disabled={removeBlocked !== null}
                                data-disabled={removeBlocked !== null || undefined}
                                onClick={() => removeBlocked === null && setRemoving(member)}
                              >
                                <IconTrash size={16} />
                              </ActionIcon>
                            </Tooltip>
                          </Group>
                        </Table.Td>
                      )}
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          )}
          <Text fz="xs" c="dimmed" px="lg" py="md">
            {ROLES.map((role) => `${role.label}s ${role.description}.`).join(" ")}
          </Text>
        </Paper>
      </Stack>

      {myRole !== null && <AddMemberModal opened={adding} onClose={() => setAdding(false)} myRole={myRole} />}
      <RemoveMemberModal member={removing} onClose={() => setRemoving(null)} />
    </Container>
  );
}

function OrganisationNameForm({ name }: { name: string }) {
  const rename = useRenameOrganisation();
  const [value, setValue] = useState(name);
  useEffect(() => setValue(name), [name]);
  const errors = fieldErrorsOf(rename.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    rename.mutate(value, {
      onSuccess: (organisation) => notifications.show({ color: "teal", title: "Organisation renamed", message: `It is now called ${organisation.name}.` }),
    });
  };
  return (
    <form onSubmit={submit}>
      <Group align="flex-end" gap="sm">
        <TextInput
          label="Organisation name"
          description="Shown in the account menu of everyone in it."
          value={value}
          onChange={(event) => setValue(event.currentTarget.value)}
          error={errorAt(errors, "name") ?? (rename.isError && errors.length === 0 ? messageOf(rename.error) : undefined)}
          maxLength={200}
          style={{ flex: 1, maxWidth: 460 }}
        />
        <Button type="submit" variant="light" leftSection={<IconDeviceFloppy size={16} />} loading={rename.isPending} disabled={value.trim() === name}>
          Save name
        </Button>
      </Group>
    </form>
  );
}

function AddMemberModal({ opened, onClose, myRole }: { opened: boolean; onClose: () => void; myRole: Role }) {
  const add = useAddMember();
  const [username, setUsername] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<Role>("member");
  const errors = fieldErrorsOf(add.error);
  const close = () => {
    add.reset();
    setUsername("");
    setEmail("");
    setPassword("");
    setRole("member");
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate(
      { username, password, role, ...(email === "" ? {} : { email }) },
      {
        onSuccess: () => setPassword(""),
      },
    );
  };
  if (add.isSuccess) {
    // The hand-over: no email goes out, so the person adding them passes on where to sign in.
    const signInAddress = `${window.location.origin}/sign-in`;
    return (
      <Modal closeButtonProps={{ "aria-label": "Close" }} opened={opened} onClose={close} title={`${add.data.username} is in`} centered>
        <Stack gap="md">
          <Text fz="sm">
            Send {add.data.username} this address with their username and the password you chose. They join as {withArticle(add.data.role)}.
          </Text>
          <Group gap="xs" wrap="nowrap">
            <TextInput aria-label="Sign-in address" value={signInAddress} readOnly style={{ flex: 1 }} onFocus={(event) => event.currentTarget.select()} />
            <CopyButton value={signInAddress}>
              {({ copied, copy }) => (
                <Button variant="light" color={copied ? "teal" : "indigo"} leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />} onClick={copy}>
                  {copied ? "Copied" : "Copy"}
                </Button>
              )}
            </CopyButton>
          </Group>
          <Group justify="flex-end">
            <Button onClick={close}>Done</Button>
          </Group>
        </Stack>
      </Modal>
    );
  }
  return (
    <Modal closeButtonProps={{ "aria-label": "Close" }} opened={opened} onClose={close} title="Add a person" centered>
      <form onSubmit={submit}>
        <Stack gap="md">
          <Text fz="sm" c="dimmed">
            Choose their username and a first password, then hand both over yourself: Flowbuilder sends no email.
          </Text>
          <TextInput label="Username" value={username} onChange={(event) => setUsername(event.currentTarget.value)} required autoComplete="off" data-autofocus error={errorAt(errors, "username")} />
          <TextInput label="Email" description="Optional" type="email" value={email} onChange={(event) => setEmail(event.currentTarget.value)} autoComplete="off" error={errorAt(errors, "email")} />
          <PasswordInput label="Password" value={password} onChange={(event) => setPassword(event.currentTarget.value)} required autoComplete="new-password" error={errorAt(errors, "password")} />
          <Select
            label="Role"
            allowDeselect={false}
            value={role}
            onChange={(value) => value !== null && setRole(value as Role)}
            data={ROLES.filter((option) => RANK[option.value] <= RANK[myRole]).map(({ value, label, description }) => ({ value, label: `${label}: ${description}` }))}
            error={errorAt(errors, "role")}
          />
          {add.isError && errors.length === 0 && (
            <Alert color="red" variant="light" icon={<IconAlertTriangle size={16} />}>
              {messageOf(add.error)}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={add.isPending} leftSection={<IconUserPlus size={16} />}>
              Add person
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function RemoveMemberModal({ member, onClose }: { member: Member | null; onClose: () => void }) {
  const remove = useRemoveMember();
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <Modal closeButtonProps={{ "aria-label": "Close" }} opened={member !== null} onClose={close} title={`Remove ${member?.username ?? ""}?`} centered size="md">
      <Stack gap="md">
        <Text fz="sm">
          {member?.username} will no longer be able to sign in. The workflows they created and their organisational authentications pass to you; their personal
          authentications are deleted, so steps that use them need another one. Past runs still show who started them.
        </Text>
        {remove.isError && (
          <Alert color="red" variant="light" icon={<IconAlertTriangle size={16} />}>
            {messageOf(remove.error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            Cancel
          </Button>
          <Button
            color="red"
            loading={remove.isPending}
            onClick={() =>
              member !== null &&
              remove.mutate(member.id, {
                onSuccess: () => {
                  notifications.show({ color: "teal", title: `${member.username} removed`, message: "They can no longer sign in." });
                  close();
                },
              })
            }
          >
            Remove
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
