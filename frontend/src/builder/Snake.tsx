import { ActionIcon, Badge, Box, FocusTrap, Group, Paper, Portal, ScrollArea, Stack, Text, UnstyledButton } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { IconChevronDown, IconChevronRight, IconX } from "@tabler/icons-react";
import { useEffect, useMemo, useState } from "react";
import { outputPropertiesFor, snakeRefusal, type OutputProperty } from "../definition/output-properties";
import { stepOf } from "../definition/structure";
import { appStore, useAppStore, type Snake } from "../store";
import { stepTitle, useCatalogue } from "./catalogue-context";
import classes from "./builder.module.css";

interface Hover {
  name: string;
  rect: DOMRect;
  refusal: string | null;
}

function stepUnder(x: number, y: number): HTMLElement | null {
  const element = document.elementFromPoint(x, y);
  return element instanceof HTMLElement ? element.closest<HTMLElement>("[data-step-name]") : null;
}

interface Picking {
  snake: Snake;
  target: string;
  x: number;
  y: number;
}

/** Draws the connector-snake while a mapping icon is dragged, then offers the target's outputs. */
export function SnakeLayer() {
  const snake = useAppStore((state) => state.snake);
  const [pointer, setPointer] = useState<{ x: number; y: number } | null>(null);
  const [hover, setHover] = useState<Hover | null>(null);
  const [picking, setPicking] = useState<Picking | null>(null);

  useEffect(() => {
    if (snake === null) return;
    document.body.style.userSelect = "none";
    const describe = (x: number, y: number): Hover | null => {
      const element = stepUnder(x, y);
      const definition = appStore.getState().definition;
      const name = element?.dataset.stepName;
      if (element === null || name === undefined || definition === null) return null;
      return { name, rect: element.getBoundingClientRect(), refusal: snakeRefusal(definition, snake.viewer, name) };
    };
    const onMove = (event: PointerEvent) => {
      setPointer({ x: event.clientX, y: event.clientY });
      setHover(describe(event.clientX, event.clientY));
    };
    const onUp = (event: PointerEvent) => {
      const target = describe(event.clientX, event.clientY);
      appStore.getState().setSnake(null);
      setPointer(null);
      setHover(null);
      if (target === null) {
        const moved = Math.hypot(event.clientX - snake.origin.x, event.clientY - snake.origin.y) > 12;
        notifications.show({
          color: "gray",
          title: moved ? "Nothing mapped" : "Drag the mapping icon",
          message: `Drag from the ${snake.field} mapping icon and drop on a step that runs before ${snake.viewer}, or type a jsonpath such as $.steps.…`,
        });
      } else if (target.refusal !== null) {
        notifications.show({ color: "orange", title: "Nothing mapped", message: target.refusal });
      } else {
        setPicking({ snake, target: target.name, x: event.clientX, y: event.clientY });
      }
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") appStore.getState().setSnake(null);
    };
    window.addEventListener("pointermove", onMove);
    window.addEventListener("pointerup", onUp);
    window.addEventListener("keydown", onKey);
    return () => {
      document.body.style.userSelect = "";
      window.removeEventListener("pointermove", onMove);
      window.removeEventListener("pointerup", onUp);
      window.removeEventListener("keydown", onKey);
    };
  }, [snake]);

  return (
    <>
      {snake !== null && pointer !== null && <SnakeLine from={snake.origin} to={pointer} hover={hover} />}
      {picking !== null && <OutputPicker picking={picking} onClose={() => setPicking(null)} />}
    </>
  );
}

function SnakeLine({ from, to, hover }: { from: { x: number; y: number }; to: { x: number; y: number }; hover: Hover | null }) {
  const color = hover === null ? "var(--mantine-color-indigo-5)" : hover.refusal === null ? "var(--mantine-color-teal-6)" : "var(--mantine-color-red-6)";
  const dx = Math.max(60, Math.abs(to.x - from.x) / 2);
  const path = `M ${from.x} ${from.y} C ${from.x - dx} ${from.y}, ${to.x + dx} ${to.y}, ${to.x} ${to.y}`;
  return (
    <Portal>
      {hover !== null && (
        <div
          className={classes.snakeTarget}
          style={{
            left: hover.rect.left - 5,
            top: hover.rect.top - 5,
            width: hover.rect.width + 10,
            height: hover.rect.height + 10,
            border: `2px solid ${color}`,
            background: hover.refusal === null ? "rgb(20 184 166 / 8%)" : "rgb(239 68 68 / 8%)",
          }}
        />
      )}
      <svg className={classes.snakeLayer} aria-hidden>
        <path d={path} fill="none" stroke={color} strokeWidth={3} strokeLinecap="round" strokeDasharray={hover === null ? "6 6" : undefined} />
        <circle cx={from.x} cy={from.y} r={5} fill={color} />
        <circle cx={to.x} cy={to.y} r={6} fill="white" stroke={color} strokeWidth={3} />
      </svg>
      {hover !== null && (
        <div
          className={classes.snakeHint}
          style={{
            left: to.x + 14,
            top: to.y + 14,
            background: hover.refusal === null ? "var(--mantine-color-teal-7)" : "var(--mantine-color-red-7)",
            color: "white",
          }}
        >
          {hover.refusal ?? `Release to pick an output of ${hover.name}`}
        </div>
      )}
    </Portal>
  );
}

function OutputPicker({ picking, onClose }: { picking: Picking; onClose: () => void }) {
  const catalogue = useCatalogue();
  const definition = useAppStore((state) => state.definition);
  const samples = useAppStore((state) => state.stepSamples);
  const properties = useMemo(
    () => (definition === null ? [] : outputPropertiesFor({ definition, catalogue, samples }, picking.target, picking.snake.viewer)),
    [definition, catalogue, samples, picking.target, picking.snake.viewer],
  );
  const step = definition === null ? undefined : stepOf(definition, picking.target);
  const title = picking.target === "trigger" ? "Trigger" : stepTitle(step, step === undefined ? undefined : catalogue.get(step.connector));
  const pick = (path: string) => {
    picking.snake.onPick(path);
    onClose();
  };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);

  const width = 340;
  const left = Math.min(picking.x + 8, window.innerWidth - width - 12);
  const top = Math.min(picking.y + 8, window.innerHeight - 400);
  return (
    <Portal>
      <div style={{ position: "fixed", inset: 0, zIndex: 398 }} onPointerDown={onClose} aria-hidden />
      <FocusTrap active>
        <Paper
          shadow="lg"
          withBorder
          radius="md"
          role="dialog"
          aria-label={`Output properties of ${picking.target}`}
          style={{ position: "fixed", left, top: Math.max(12, top), width, zIndex: 402 }}
        >
          <Group justify="space-between" px="sm" py={8} style={{ borderBottom: "1px solid var(--mantine-color-gray-2)" }} wrap="nowrap">
            <Box style={{ minWidth: 0 }}>
              <Text fz="sm" fw={600} truncate>
                {title}
              </Text>
              <Text fz="xs" c="dimmed">
                Pick an output of {picking.target} for {picking.snake.field}
              </Text>
            </Box>
            <ActionIcon variant="subtle" color="gray" onClick={onClose} aria-label="Close">
              <IconX size={15} />
            </ActionIcon>
          </Group>
          <ScrollArea.Autosize mah={310} type="auto">
            <Box p={6} role="tree" aria-label={`Output properties of ${picking.target}`}>
              <UnstyledButton
                onClick={() => pick(`$.steps.${picking.target}`)}
                w="100%"
                px={8}
                py={5}
                style={{ borderRadius: 6 }}
                aria-label={`The whole output of ${picking.target}`}
                className={classes.snakeRow}
              >
                <Text fz="xs" c="dimmed" ff="monospace">
                  $.steps.{picking.target}
                </Text>
              </UnstyledButton>
              {properties.map((property) => (
                <PropertyRow key={property.path} property={property} depth={0} onPick={pick} />
              ))}
              {properties.length === 0 && (
                <Text fz="sm" c="dimmed" p="sm">
                  This step declares no output properties. Run the workflow to see its output.
                </Text>
              )}
            </Box>
          </ScrollArea.Autosize>
        </Paper>
      </FocusTrap>
    </Portal>
  );
}

function PropertyRow({ property, depth, onPick }: { property: OutputProperty; depth: number; onPick: (path: string) => void }) {
  const [open, setOpen] = useState(false);
  const expandable = property.children.length > 0;
  return (
    <div role="treeitem" aria-expanded={expandable ? open : undefined} aria-selected={false}>
      <Group gap={2} wrap="nowrap" pl={depth * 16}>
        {expandable ? (
          <ActionIcon
            variant="subtle"
            color="gray"
            size="sm"
            onClick={() => setOpen((value) => !value)}
            aria-label={`${open ? "Hide" : "Show"} the properties of ${property.key}`}
          >
            {open ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
          </ActionIcon>
        ) : (
          <Box w={22} />
        )}
        <UnstyledButton
          onClick={() => onPick(property.path)}
          style={{ flex: 1, borderRadius: 6, minWidth: 0 }}
          px={6}
          py={4}
          aria-label={property.key}
          title={property.path}
          className={classes.snakeRow}
        >
          <Group gap={6} wrap="nowrap" justify="space-between">
            <Stack gap={0} style={{ minWidth: 0 }}>
              <Text fz="sm" ff="monospace" fw={500} truncate>
                {property.key}
              </Text>
              {property.title !== undefined && property.title !== property.key && (
                <Text fz="xs" c="dimmed" truncate>
                  {property.title}
                </Text>
              )}
            </Stack>
            {property.type !== undefined && (
              <Badge size="xs" variant="light" color="gray" tt="none" ff="monospace" style={{ flex: "none" }}>
                {property.type}
              </Badge>
            )}
          </Group>
        </UnstyledButton>
      </Group>
      {expandable && open && (
        <div role="group">
          {property.children.map((child) => (
            <PropertyRow key={child.path} property={child} depth={depth + 1} onPick={onPick} />
          ))}
        </div>
      )}
    </div>
  );
}
