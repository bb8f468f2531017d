import { Button, Container, EmptyState, Paper } from "@mantine/core";
import { IconArrowLeft, IconError404 } from "@tabler/icons-react";
import { Link, useLocation } from "react-router";

/** What the app shows for something that is not there, inside its layout, with a way back. */
export function NotFoundState({ title, description }: { title: string; description: string }) {
  return (
    <Container size="sm" py={72}>
      <Paper withBorder radius="lg" shadow="xs">
        <EmptyState py={56} icon={<IconError404 size={28} />} variant="light" title={title} description={description}>
          <EmptyState.Actions>
            <Button component={Link} to="/" leftSection={<IconArrowLeft size={16} />}>
              Back to workflows
            </Button>
          </EmptyState.Actions>
        </EmptyState>
      </Paper>
    </Container>
  );
}

/** The app's 404: an address no page of the app has. */
export function NotFoundPage() {
  const location = useLocation();
  return <NotFoundState title="Page not found" description={`There is no page at ${location.pathname}. Check the address, or go back to your workflows.`} />;
}
