import { createBrowserRouter, Navigate } from 'react-router';
import { RegisterPage } from '../features/auth/RegisterPage';
import { SignInPage } from '../features/auth/SignInPage';
import { ProjectPage } from '../features/projects/ProjectPage';
import { ProjectsPage } from '../features/projects/ProjectsPage';
import { SpecDetailPage } from '../features/specs/SpecDetailPage';
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
        { path: '/projects/:projectId/specs/:specId', element: <SpecDetailPage /> },
        { path: '*', element: <NotFoundPage /> },
      ],
    },
  ]);
}
