import { Phase, type Spec } from '@specline/protocol';
import { useQuery } from '@tanstack/react-query';
import { ChevronRight } from 'lucide-react';
import { Link, Navigate, useLocation, useParams, useSearchParams } from 'react-router';
import { NotFoundPage } from '../../app/NotFoundPage';
import { ErrorState } from '../../components/ui/ErrorState';
import { Spinner } from '../../components/ui/Spinner';
import { Tabs, TabsContent, TabsList, TabsTrigger } from '../../components/ui/Tabs';
import { useApi } from '../../lib/api';
import { isNotFound } from '../../lib/errors';
import { queryKeys } from '../../lib/queryKeys';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { ExecutionPanel } from '../execution/ExecutionPanel';
import { ExploreTab } from '../explore/ExploreTab';
import { PhaseProgress } from '../phases/PhaseProgress';
import { tabForPhase } from '../phases/phaseTabs';
import { AwaitingApprovalBar } from '../review/AwaitingApprovalBar';
import { PhaseDetailsDialog } from '../review/PhaseDetailsDialog';
import { RunsPanel } from '../review/RunsList';
import { useRuns } from '../review/useReview';
import { DesignTab } from './design/DesignTab';
import { RequirementsTab } from './requirements/RequirementsTab';
import { SpecActions } from './SpecActions';
import { SpecSidebar } from './SpecSidebar';
import { SpecStatusBadge } from './SpecStatusBadge';
import { TasksTab } from './tasks/TasksTab';
import { useLiveSpec } from '../execution/useLiveSpec';
import { useSpecTabShortcuts } from '../shortcuts/useSpecTabShortcuts';

export const SPEC_TABS = ['explore', 'requirements', 'design', 'tasks', 'execution'] as const;
export type SpecTab = (typeof SPEC_TABS)[number];

export function parseTab(value: string | null): SpecTab {
  return SPEC_TABS.find((tab) => tab === value) ?? 'requirements';
}

/** `/projects/:projectId/specs/:specId?tab=…` — a 404 says "not found"; any other failure shows the error with a retry. */
export function SpecDetailPage() {
  const { projectId = '', specId = '' } = useParams();
  // Live on every tab: the stepper, toasts and the spec refresh follow the run's events.
  const spec = useLiveSpec(specId);
  const { search } = useLocation();

  if (spec.isPending) return <Spinner label="Loading spec…" />;
  if (spec.isError) {
    if (isNotFound(spec.error)) return <NotFoundPage what="spec" />;
    return <ErrorState title="Could not load the spec" error={spec.error} onRetry={() => void spec.refetch()} retrying={spec.isFetching} />;
  }
  if (spec.data.project_id !== projectId) {
    return <Navigate to={`/projects/${spec.data.project_id}/specs/${specId}${search}`} replace />;
  }
  return <SpecDetail spec={spec.data} />;
}

function SpecDetail({ spec }: { spec: Spec }) {
  const api = useApi();
  const [params, setParams] = useSearchParams();
  const tab = parseTab(params.get('tab'));
  const project = useQuery({ queryKey: queryKeys.projects.detail(spec.project_id), queryFn: ({ signal }) => api.projects.get(spec.project_id, signal) });
  useDocumentTitle(spec.title, project.data?.name);

  const runs = useRuns(spec.id);
  const detailsParam = Phase.safeParse(params.get('details'));
  const detailsPhase = detailsParam.success ? detailsParam.data : null;
  const runFilter = runs.supported ? params.get('run') : null;

  /** Sets (or, with null, removes) query parameters of the page, keeping the others. */
  const setParam = (values: Record<string, string | null>, replace = true) =>
    setParams(
      (current) => {
        const updated = new URLSearchParams(current);
        for (const [key, value] of Object.entries(values)) {
          if (value === null) updated.delete(key);
          else updated.set(key, value);
        }
        return updated;
      },
      { replace },
    );
  const selectTab = (next: string) => setParam({ tab: parseTab(next) });
  useSpecTabShortcuts(SPEC_TABS, selectTab);

  return (
    <div className="flex flex-col gap-6">
      <header className="flex flex-col gap-3">
        <nav aria-label="Breadcrumb" className="flex items-center gap-1 text-sm text-slate-500">
          <Link to="/projects" className="hover:underline">
            Projects
          </Link>
          <ChevronRight aria-hidden className="size-3.5" />
          <Link to={`/projects/${spec.project_id}`} className="hover:underline">
            {project.data?.name ?? 'Project'}
          </Link>
          <ChevronRight aria-hidden className="size-3.5" />
          <span aria-current="page" className="truncate">
            {spec.title}
          </span>
        </nav>
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="min-w-0">
            <div className="flex flex-wrap items-center gap-2">
              <h1 className="text-2xl font-semibold break-words">{spec.title}</h1>
              <SpecStatusBadge status={spec.status} queuePosition={spec.queue_position} />
            </div>
            {spec.description ? <p className="mt-1 max-w-3xl text-sm whitespace-pre-line text-slate-600">{spec.description}</p> : null}
          </div>
          <SpecActions spec={spec} onRunStarted={() => selectTab('execution')} />
        </div>
        {spec.archived ? (
          <p role="note" className="rounded-md bg-amber-50 p-2 text-sm text-amber-900">
            This spec is archived.
          </p>
        ) : null}
        <PhaseProgress spec={spec} onSelectStep={(phase) => selectTab(tabForPhase(phase, SPEC_TABS))} onShowDetails={(phase) => setParam({ details: phase }, false)} />
        <AwaitingApprovalBar spec={spec} onShowDetails={(phase) => setParam({ details: phase }, false)} />
      </header>
      <PhaseDetailsDialog spec={spec} phase={detailsPhase} onOpenChange={(open) => !open && setParam({ details: null })} />

      <div className="grid grid-cols-[minmax(0,1fr)] gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <Tabs value={tab} onValueChange={selectTab}>
          <TabsList label="Spec sections">
            <TabsTrigger value="explore">Explore</TabsTrigger>
            <TabsTrigger value="requirements">Requirements ({spec.requirements.length})</TabsTrigger>
            <TabsTrigger value="design">Design</TabsTrigger>
            <TabsTrigger value="tasks">Tasks ({spec.tasks.length})</TabsTrigger>
            <TabsTrigger value="execution">Execution</TabsTrigger>
          </TabsList>
          <TabsContent value="explore">
            <ExploreTab spec={spec} />
          </TabsContent>
          <TabsContent value="requirements">
            <RequirementsTab spec={spec} />
          </TabsContent>
          <TabsContent value="design">
            <DesignTab spec={spec} />
          </TabsContent>
          <TabsContent value="tasks">
            <TasksTab spec={spec} />
          </TabsContent>
          <TabsContent value="execution">
            <ExecutionPanel
              spec={spec}
              runs={runs.runs}
              runFilter={runFilter}
              onRunFilterChange={(run) => setParam({ run })}
              runsPanel={<RunsPanel projectId={spec.project_id} specId={spec.id} filterRunId={runFilter} onFilterRun={(run) => setParam({ run })} />}
            />
          </TabsContent>
        </Tabs>
        <SpecSidebar spec={spec} />
      </div>
    </div>
  );
}
