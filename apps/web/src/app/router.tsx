import { createBrowserRouter, Navigate } from 'react-router';
import { RegisterPage } from '../features/auth/RegisterPage';
import { SignInPage } from '../features/auth/SignInPage';
import { ProjectPage } from '../features/projects/ProjectPage';
import { ProjectSettingsPage } from '../features/projects/ProjectSettingsPage';
import { ProjectsPage } from '../features/projects/ProjectsPage';
import { Spinner } from '../components/ui/Spinner';
import { TicketPage } from '../features/tickets/TicketPage';
import { AppLayout } from './AppLayout';
import { NotFoundPage, RouteErrorPage } from './NotFoundPage';

export function createAppRouter() {
  return createBrowserRouter([
    { path: '/sign-in', element: <SignInPage />, errorElement: <RouteErrorPage /> },
    { path: '/register', element: <RegisterPage />, errorElement: <RouteErrorPage /> },
    {
      element: <AppLayout />,
      errorElement: <RouteErrorPage />,
      children: [
        { index: true, element: <Navigate to="/projects" replace /> },
        { path: '/projects', element: <ProjectsPage /> },
        { path: '/projects/:projectId', element: <ProjectPage /> },
        { path: '/projects/:projectId/settings', element: <ProjectSettingsPage /> },
        { path: '/projects/:projectId/tickets/:ticketId', element: <TicketPage /> },
        {
          path: '/projects/:projectId/specs/:specId',
          // The spec page carries Markdown, the timeline and (lazily) Mermaid: its own chunk.
          lazy: async () => ({ Component: (await import('../features/specs/SpecDetailPage')).SpecDetailPage }),
          HydrateFallback: () => <Spinner label="Loading…" />,
        },
        {
          path: '/projects/:projectId/specs/:specId/runs/:runId/diff',
          lazy: async () => ({ Component: (await import('../features/review/RunDiffPage')).RunDiffPage }),
          HydrateFallback: () => <Spinner label="Loading…" />,
        },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ]);
}
