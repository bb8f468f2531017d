import { Group, Text, ThemeIcon } from "@mantine/core";
import { IconRoute } from "@tabler/icons-react";

export const PRODUCT_NAME = "Flowbuilder";

export function Logo({ size = "md" }: { size?: "md" | "lg" }) {
  return (
    <Group gap="xs" wrap="nowrap">
      <ThemeIcon size={size === "lg" ? 40 : 32} radius="md" variant="gradient" gradient={{ from: "indigo", to: "cyan", deg: 135 }}>
        <IconRoute size={size === "lg" ? 24 : 19} stroke={2} aria-hidden />
      </ThemeIcon>
      <Text fw={750} fz={size === "lg" ? 24 : 18} lh={1}>
        {PRODUCT_NAME}
      </Text>
    </Group>
  );
}
