import { useQuery } from '@tanstack/react-query';
import { ChevronRight, Settings } from 'lucide-react';
import { Link, useParams } from 'react-router';
import { NotFoundPage } from '../../app/NotFoundPage';
import { ErrorState } from '../../components/ui/ErrorState';
import { Spinner } from '../../components/ui/Spinner';
import { useApi } from '../../lib/api';
import { isNotFound } from '../../lib/errors';
import { queryKeys } from '../../lib/queryKeys';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { SpecList } from '../specs/SpecList';
import { TicketList } from '../tickets/TicketList';
import { ProjectRepository } from './ProjectRepository';

export function ProjectPage() {
  const { projectId = '' } = useParams();
  const api = useApi();
  const project = useQuery({ queryKey: queryKeys.projects.detail(projectId), queryFn: ({ signal }) => api.projects.get(projectId, signal) });
  useDocumentTitle(project.isError && isNotFound(project.error) ? 'Project not found' : project.data?.name);

  if (project.isPending) return <Spinner label="Loading project…" />;
  if (project.isError) {
    if (isNotFound(project.error)) return <NotFoundPage what="project" />;
    return <ErrorState title="Could not load the project" error={project.error} onRetry={() => void project.refetch()} retrying={project.isFetching} />;
  }
  return (
    <div className="flex flex-col gap-8">
      <div>
        <nav aria-label="Breadcrumb" className="mb-1 flex items-center gap-1 text-sm text-slate-500">
          <Link to="/projects" className="hover:underline">
            Projects
          </Link>
          <ChevronRight aria-hidden className="size-3.5" />
          <span aria-current="page">{project.data.name}</span>
        </nav>
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h1 className="text-2xl font-semibold">{project.data.name}</h1>
          <Link
            to={`/projects/${projectId}/settings`}
            className="inline-flex h-9 items-center gap-2 rounded-md border border-slate-300 bg-white px-3.5 text-sm font-medium text-slate-800 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
          >
            <Settings aria-hidden className="size-4" />
            Settings
          </Link>
        </div>
        <div className="mt-3">
          <ProjectRepository project={project.data} />
        </div>
      </div>
      <SpecList projectId={projectId} />
      <TicketList projectId={projectId} />
    </div>
  );
}
