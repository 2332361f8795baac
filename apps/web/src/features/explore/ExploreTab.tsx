import type { Spec } from '@specline/protocol';
import { useQuery } from '@tanstack/react-query';
import { Compass } from 'lucide-react';
import { EmptyState } from '../../components/ui/EmptyState';
import { ErrorState } from '../../components/ui/ErrorState';
import { Spinner } from '../../components/ui/Spinner';
import { useApi } from '../../lib/api';
import { queryKeys } from '../../lib/queryKeys';
import { DataModelsSection, EntryPointsSection, ExploreSection, KeyFilesSection, LanguagesSection, RoutesSection, StackSection, TestsSection } from './ExploreSections';
import { exploreOutputOf, exploreView, type ExploreView } from './exploreView';
import { repoBrowser, type RepoBrowser } from './repoLinks';

/** Before EXPLORE has stored an output: why the tab is empty. */
function notYet(spec: Spec): { title: string; description: string } {
  const state = spec.phase_status.explore?.state;
  if (state === 'running' || state === 'retrying') return { title: 'EXPLORE is reading the repository', description: 'What it finds shows here as soon as the phase completes.' };
  if (state === 'failed') return { title: 'EXPLORE failed', description: spec.phase_status.explore?.error ?? 'The phase stored no output. See the Execution tab for why.' };
  if (spec.status === 'executing' || spec.status === 'queued') return { title: 'EXPLORE has not run yet', description: 'The run has not reached EXPLORE: its findings show here once it completes.' };
  return { title: 'Nothing explored yet', description: 'Run the spec: EXPLORE reads the connected repository first, and its findings show here.' };
}

/** The spec's Explore tab: what EXPLORE read of the code base, each file linked to the repository when it has a web view. */
export function ExploreTab({ spec }: { spec: Spec }) {
  const api = useApi();
  const project = useQuery({ queryKey: queryKeys.projects.detail(spec.project_id), queryFn: ({ signal }) => api.projects.get(spec.project_id, signal) });
  const phaseData = useQuery({ queryKey: queryKeys.specs.phaseData(spec.id), queryFn: ({ signal }) => api.specs.phaseData(spec.id, signal) });

  if (phaseData.isPending) return <Spinner label="Loading what EXPLORE found…" />;
  if (phaseData.isError) return <ErrorState title="Could not load the EXPLORE output" error={phaseData.error} onRetry={() => void phaseData.refetch()} retrying={phaseData.isFetching} />;
  const output = exploreOutputOf(phaseData.data.phase_data);
  if (!output) {
    const why = notYet(spec);
    return <EmptyState title={why.title} description={why.description} icon={<Compass className="size-6" />} />;
  }
  const view = exploreView(output);
  const commit = view.repoCommit ?? spec.repo_commit ?? null;
  const browse = repoBrowser(project.data?.repo_url, commit ?? project.data?.repo_ref);
  return <ExploreContent view={view} browse={browse} commit={commit} />;
}

export function ExploreContent({ view, browse, commit }: { view: ExploreView; browse: RepoBrowser | null; commit: string | null }) {
  return (
    <div className="flex flex-col gap-4" data-testid="explore-view">
      <ExploreSection title="Summary" isEmpty={!view.summary && !view.projectType && !view.feature} empty="EXPLORE wrote no summary.">
        <div className="flex flex-col gap-2 text-sm text-slate-800">
          {view.summary ? <p className="whitespace-pre-line">{view.summary}</p> : null}
          <p className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-600">
            {view.projectType ? <span>Type: {view.projectType}</span> : null}
            {view.filesScanned !== null ? <span>{view.filesScanned} files scanned</span> : null}
            {commit ? (
              <span>
                Commit <code className="font-mono">{commit.slice(0, 12)}</code>
              </span>
            ) : null}
            {view.hasCodebase === false ? <span>No repository connected: the plan follows the request alone.</span> : null}
          </p>
          {view.feature ? (
            <div className="rounded-md bg-slate-50 p-2">
              <p className="font-medium">{view.feature.name || 'The request'}</p>
              {view.feature.oneLiner ? <p className="text-slate-700">{view.feature.oneLiner}</p> : null}
              {view.feature.scopeIn.length ? <p className="mt-1 text-xs text-slate-600">In scope: {view.feature.scopeIn.join('; ')}</p> : null}
              {view.feature.scopeOut.length ? <p className="text-xs text-slate-600">Out of scope: {view.feature.scopeOut.join('; ')}</p> : null}
            </div>
          ) : null}
        </div>
      </ExploreSection>
      <div className="grid gap-4 md:grid-cols-2">
        <StackSection view={view} />
        <LanguagesSection view={view} />
        <EntryPointsSection view={view} browse={browse} />
        <TestsSection view={view} browse={browse} />
      </div>
      <RoutesSection view={view} browse={browse} />
      <DataModelsSection view={view} browse={browse} />
      <KeyFilesSection view={view} browse={browse} />
    </div>
  );
}
