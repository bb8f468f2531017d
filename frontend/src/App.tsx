import { createBrowserRouter, type RouteObject, RouterProvider } from "react-router";
import { BuilderPage } from "./builder/BuilderPage";
import { AppLayout } from "./pages/AppLayout";
import { AuthenticationsPage } from "./pages/AuthenticationsPage";
import { AuthGate } from "./pages/AuthGate";
import { DashboardPage } from "./pages/DashboardPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { OrganisationPage } from "./pages/OrganisationPage";
import { SetupPage } from "./pages/SetupPage";
import { SignInPage } from "./pages/SignInPage";

export { PRODUCT_NAME } from "./pages/Logo";

export const routes: RouteObject[] = [
    { path: "/setup", element: <SetupPage /> },
    { path: "/sign-in", element: <SignInPage /> },
    {
      path: "/workflows/:workflowId",
      element: (
        <AuthGate>
          <BuilderPage />
        </AuthGate>
      ),
    },
    {
      element: (
        <AuthGate>
          <AppLayout />
        </AuthGate>
      ),
      children: [
        { path: "/", element: <DashboardPage /> },
        { path: "/authentications", element: <AuthenticationsPage /> },
        { path: "/organisation", element: <OrganisationPage /> },
        // Any other address: a 404 inside the app, not a silent trip to the dashboard.
        { path: "*", element: <NotFoundPage /> },
      ],
    },
];

export function createAppRouter() {
  return createBrowserRouter(routes);
}

export function App({ router = createAppRouter() }: { router?: ReturnType<typeof createAppRouter> }) {
  return <RouterProvider router={router} />;
}
