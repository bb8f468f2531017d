import { AppShell, Avatar, Button, Group, Menu, Text, UnstyledButton } from "@mantine/core";
import { IconBuildingCommunity, IconChevronDown, IconKey, IconLogout, IconRoute } from "@tabler/icons-react";
import type { ReactNode } from "react";
import { NavLink, Outlet, useNavigate } from "react-router";
import { useGetMe } from "../api/use-get-me";
import { useSignOut } from "../api/use-sign-out";
import { Logo } from "./Logo";

const NAV = [
  { to: "/", label: "Workflows", icon: IconRoute },
  { to: "/authentications", label: "Authentications", icon: IconKey },
  { to: "/organisation", label: "Organisation", icon: IconBuildingCommunity },
];

/** The header and navigation around a page: the route's (`<Outlet />`), or `children` for a
 * page outside the layout's routes that shows a state of its own (the builder's not-found). */
export function AppLayout({ children }: { children?: ReactNode }) {
  const me = useGetMe();
  const signOut = useSignOut();
  const navigate = useNavigate();
  return (
    <AppShell header={{ height: 60 }} padding={0}>
      <AppShell.Header>
        <Group h="100%" px="lg" justify="space-between" wrap="nowrap">
          <Group gap="xl" wrap="nowrap">
            <Logo />
            <Group gap={4} component="nav" aria-label="Main">
              {NAV.map((item) => (
                <NavLink key={item.to} to={item.to} end style={{ textDecoration: "none" }}>
                  {({ isActive }) => (
                    <Button variant={isActive ? "light" : "subtle"} color={isActive ? "indigo" : "gray"} leftSection={<item.icon size={16} />} component="span">
                      {item.label}
                    </Button>
                  )}
                </NavLink>
              ))}
            </Group>
          </Group>
          <Menu position="bottom-end" shadow="md" width={200}>
            <Menu.Target>
              <UnstyledButton aria-label="Account menu">
                <Group gap={8}>
                  <Avatar size={30} radius="xl" color="indigo">
                    {me.data?.username.slice(0, 2).toUpperCase()}
                  </Avatar>
                  <Text fz="sm" fw={500}>
                    {me.data?.username}
                  </Text>
                  <IconChevronDown size={14} />
                </Group>
              </UnstyledButton>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Label>
                {me.data?.organisation?.name ?? "No organisation"}
                {me.data?.role ? ` · ${me.data.role}` : ""}
              </Menu.Label>
              <Menu.Item
                leftSection={<IconLogout size={15} />}
                onClick={() => signOut.mutate(undefined, { onSuccess: () => void navigate("/sign-in", { replace: true }) })}
              >
                Sign out
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </AppShell.Header>
      <AppShell.Main bg="gray.0" mih="100dvh">
        {children ?? <Outlet />}
      </AppShell.Main>
    </AppShell>
  );
}
