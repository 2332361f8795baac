import { useQuery } from '@tanstack/react-query';
import { ArrowLeft, ChevronRight } from 'lucide-react';
import { Link, useParams } from 'react-router';
import { NotFoundPage } from '../../app/NotFoundPage';
import { EmptyState } from '../../components/ui/EmptyState';
import { ErrorState } from '../../components/ui/ErrorState';
import { Spinner } from '../../components/ui/Spinner';
import { useApi } from '../../lib/api';
import { isNotFound } from '../../lib/errors';
import { formatFull } from '../../lib/format';
import { queryKeys } from '../../lib/queryKeys';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { normalizeRunDiff } from './diff';
import { DiffView } from './DiffView';
import { phaseLabel } from './model';
import { runKindLabel } from './runs';
import { RunStatusBadge } from './RunsList';
import { useRuns } from './useReview';

/**
 * `/projects/:projectId/specs/:specId/runs/:runId/diff`: what one run changed, phase by phase, compared
 * with the output each phase had before it — added, modified (field by field) and removed, by stable id.
 */
export function RunDiffPage() {
  const { projectId = '', specId = '', runId = '' } = useParams();
  const api = useApi();
  const spec = useQuery({ queryKey: queryKeys.specs.detail(specId), queryFn: ({ signal }) => api.specs.get(specId, signal) });
  const project = useQuery({ queryKey: queryKeys.projects.detail(projectId), queryFn: ({ signal }) => api.projects.get(projectId, signal) });
  const diff = useQuery({ queryKey: queryKeys.specs.runDiff(specId, runId), queryFn: ({ signal }) => api.specs.runDiff(specId, runId, signal), select: normalizeRunDiff });
  const runs = useRuns(specId);
  const run = runs.runs.find((r) => r.id === runId);
  const back = `/projects/${projectId}/specs/${specId}?tab=execution`;
  useDocumentTitle('Run changes', spec.data?.title, project.data?.name);

  if (spec.isError && isNotFound(spec.error)) return <NotFoundPage what="spec" />;
  return (
    <div className="flex flex-col gap-5">
      <nav aria-label="Breadcrumb" className="flex flex-wrap items-center gap-1 text-sm text-slate-500">
        <Link to="/projects" className="hover:underline">
          Projects
        </Link>
        <ChevronRight aria-hidden className="size-3.5" />
        <Link to={`/projects/${projectId}`} className="hover:underline">
          {project.data?.name ?? 'Project'}
        </Link>
        <ChevronRight aria-hidden className="size-3.5" />
        <Link to={back} className="hover:underline">
          {spec.data?.title ?? 'Spec'}
        </Link>
        <ChevronRight aria-hidden className="size-3.5" />
        <span aria-current="page">{run ? `Run ${run.number}` : 'Run'} changes</span>
      </nav>
      <header className="flex flex-col gap-2">
        <div className="flex flex-wrap items-center gap-2">
          <h1 className="text-2xl font-semibold">What {run ? `run ${run.number}` : 'this run'} changed</h1>
          {run ? <RunStatusBadge status={run.status} /> : null}
        </div>
        {run ? (
          <p className="text-sm text-slate-600">
            {runKindLabel(run.kind)}
            {run.fromPhase ? ` from ${phaseLabel(run.fromPhase)}` : ''}
            {run.startedAt ? ` · started ${formatFull(run.startedAt)}` : ''}
          </p>
        ) : null}
        {run?.comment ? (
          <p className="rounded bg-amber-50 px-2 py-1 text-sm break-words text-amber-950">
            <span className="font-medium">Reviewer’s comment:</span> {run.comment}
          </p>
        ) : null}
        <p className="text-sm text-slate-600">Each phase is compared with the output it had before this run. Items are matched by their stable ids.</p>
        <Link to={back} className="inline-flex items-center gap-1 text-sm font-medium text-indigo-700 hover:underline">
          <ArrowLeft aria-hidden className="size-4" /> Back to the Execution tab
        </Link>
      </header>
      {diff.isPending ? (
        <Spinner label="Loading the changes…" />
      ) : diff.isError ? (
        isNotFound(diff.error) ? (
          <EmptyState title="No changes to show" description="This run is unknown, or this server does not compare runs yet." />
        ) : (
          <ErrorState title="Could not load the changes" error={diff.error} onRetry={() => void diff.refetch()} retrying={diff.isFetching} />
        )
      ) : (
        <DiffView diffs={diff.data} />
      )}
    </div>
  );
}
