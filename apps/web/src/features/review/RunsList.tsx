import { FileDiff, ListFilter } from 'lucide-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { Badge } from '../../components/ui/Badge';
import { Button } from '../../components/ui/Button';
import { ErrorState } from '../../components/ui/ErrorState';
import { Spinner } from '../../components/ui/Spinner';
import { cn } from '../../lib/cn';
import { formatFull } from '../../lib/format';
import { formatScore } from '../phases/phaseSteps';
import { APPROVAL_MODE_LABELS, isApprovalMode, phaseLabel } from './model';
import { formatDuration, runKindLabel, runStatusLook, type RunView } from './runs';
import { useRuns } from './useReview';

export function runDiffPath(projectId: string, specId: string, runId: string): string {
  return `/projects/${projectId}/specs/${specId}/runs/${encodeURIComponent(runId)}/diff`;
}

function When({ iso }: { iso: string | null }) {
  if (!iso) return <span className="text-slate-400">—</span>;
  return <time dateTime={iso}>{formatFull(iso)}</time>;
}

export function RunStatusBadge({ status }: { status: string }) {
  const look = runStatusLook(status);
  return <Badge tone={look.tone}>{look.label}</Badge>;
}

function RunCard({ run, projectId, specId, filtered, onFilterRun }: { run: RunView; projectId: string; specId: string; filtered: boolean; onFilterRun?: (runId: string | null) => void }) {
  const headingId = `run-${run.id}-title`;
  return (
    <li>
      <article aria-labelledby={headingId} data-testid="run" data-run-id={run.id} data-status={run.status} className={cn('rounded-lg border bg-white p-3', filtered ? 'border-indigo-400 ring-1 ring-indigo-300' : 'border-slate-200')}>
        <header className="flex flex-wrap items-center gap-2">
          <h4 id={headingId} className="font-semibold text-slate-900">
            Run {run.number}
          </h4>
          <span className="text-sm text-slate-600">{runKindLabel(run.kind)}</span>
          <RunStatusBadge status={run.status} />
          {isApprovalMode(run.approvalMode) ? <Badge>{APPROVAL_MODE_LABELS[run.approvalMode]} mode</Badge> : null}
          <span className="ml-auto flex flex-wrap gap-2">
            {onFilterRun ? (
              <Button size="sm" variant="ghost" aria-pressed={filtered} onClick={() => onFilterRun(filtered ? null : run.id)} icon={<ListFilter aria-hidden className="size-4" />}>
                {filtered ? 'Show all events' : 'Show its events'}
              </Button>
            ) : null}
            <Link
              to={runDiffPath(projectId, specId, run.id)}
              aria-label={`View changes of run ${run.number}`}
              className="inline-flex h-8 items-center gap-1.5 rounded-md border border-slate-300 bg-white px-2.5 text-sm font-medium text-slate-800 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-indigo-600"
            >
              <FileDiff aria-hidden className="size-4" />
              View changes
            </Link>
          </span>
        </header>
        <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-sm sm:grid-cols-[auto_1fr_auto_1fr]">
          <dt className="text-slate-500">From phase</dt>
          <dd>{phaseLabel(run.fromPhase)}</dd>
          <dt className="text-slate-500">Started</dt>
          <dd>
            <When iso={run.startedAt} />
          </dd>
          <dt className="text-slate-500">Events</dt>
          <dd>{run.eventCount ?? '—'}</dd>
          <dt className="text-slate-500">Ended</dt>
          <dd>{run.endedAt ? <When iso={run.endedAt} /> : run.status === 'running' ? 'Still running' : <When iso={null} />}</dd>
        </dl>
        {run.comment ? (
          <p className="mt-2 rounded bg-amber-50 px-2 py-1 text-sm break-words text-amber-950">
            <span className="font-medium">Reviewer’s comment:</span> {run.comment}
          </p>
        ) : null}
        {run.error && run.status !== 'completed' ? <p className={cn('mt-2 text-sm break-words', run.status === 'failed' ? 'text-red-800' : 'text-slate-700')}>{run.error}</p> : null}
        {run.phases.length > 0 ? (
          <div className="mt-2 overflow-x-auto">
            <table className="w-full text-sm">
              <caption className="sr-only">Phases of run {run.number}</caption>
              <thead className="text-left text-xs text-slate-500 uppercase">
                <tr>
                  <th scope="col" className="py-1 pr-3 font-medium">Phase</th>
                  <th scope="col" className="py-1 pr-3 font-medium">Attempts</th>
                  <th scope="col" className="py-1 pr-3 font-medium">Score</th>
                  <th scope="col" className="py-1 font-medium">Duration</th>
                </tr>
              </thead>
              <tbody>
                {run.phases.map((phase) => (
                  <tr key={phase.phase} className="border-t border-slate-100" data-testid="run-phase" data-phase={phase.phase}>
                    <td className="py-1 pr-3">
                      {phaseLabel(phase.phase)}
                      {phase.state && phase.state !== 'passed' ? <span className="ml-1 text-xs text-slate-500">({phase.state})</span> : null}
                    </td>
                    <td className="py-1 pr-3 tabular-nums">{phase.attempts ?? '—'}</td>
                    <td className="py-1 pr-3 tabular-nums">{phase.score !== null ? formatScore(phase.score) : '—'}</td>
                    <td className="py-1 tabular-nums">{formatDuration(phase.duration)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </article>
    </li>
  );
}

/** Runs shown before "Show older runs". */
export const RECENT_RUNS = 3;

/** Past runs of a spec, newest first: kind, status, from phase, times, and per phase attempts, score and duration. */
export function RunsList({ runs, projectId, specId, filterRunId = null, onFilterRun }: { runs: readonly RunView[]; projectId: string; specId: string; filterRunId?: string | null; onFilterRun?: (runId: string | null) => void }) {
  const [all, setAll] = useState(false);
  if (runs.length === 0) return <p className="text-sm text-slate-600">No runs yet.</p>;
  // The run the timeline is filtered by stays in view even when it is an older one.
  const shown = all ? runs : runs.filter((run, index) => index < RECENT_RUNS || run.id === filterRunId);
  const hidden = runs.length - shown.length;
  return (
    <>
      <ol aria-label="Runs, newest first" className="flex flex-col gap-2">
        {shown.map((run) => (
          <RunCard key={run.id} run={run} projectId={projectId} specId={specId} filtered={filterRunId === run.id} onFilterRun={onFilterRun} />
        ))}
      </ol>
      {hidden > 0 || all ? (
        <Button size="sm" variant="ghost" className="self-start" aria-expanded={all} onClick={() => setAll((a) => !a)}>
          {all ? 'Show only the latest runs' : `Show ${hidden} older run${hidden === 1 ? '' : 's'}`}
        </Button>
      ) : null}
    </>
  );
}

/** The Execution tab's "Runs" section; hidden on a server without runs. */
export function RunsPanel({ projectId, specId, filterRunId, onFilterRun }: { projectId: string; specId: string; filterRunId: string | null; onFilterRun: (runId: string | null) => void }) {
  const state = useRuns(specId);
  if (!state.supported) return null;
  return (
    <section aria-labelledby={`runs-title-${specId}`} className="flex flex-col gap-2" data-testid="runs-panel">
      <h3 id={`runs-title-${specId}`} className="text-sm font-semibold text-slate-900">
        Runs{state.runs.length > 0 ? ` (${state.runs.length})` : ''}
      </h3>
      {state.isPending ? (
        <Spinner label="Loading runs…" />
      ) : state.error ? (
        <ErrorState title="Could not load the runs" error={state.error} onRetry={state.refetch} />
      ) : (
        <RunsList runs={state.runs} projectId={projectId} specId={specId} filterRunId={filterRunId} onFilterRun={onFilterRun} />
      )}
    </section>
  );
}
