import type { Phase, Spec, StoredEvent } from '@specline/protocol';
import { useQuery } from '@tanstack/react-query';
import { Ban, CircleCheck, CircleX, LoaderCircle, RotateCcw } from 'lucide-react';
import type { ReactNode } from 'react';
import { Dialog } from '../../components/ui/Dialog';
import { ErrorState } from '../../components/ui/ErrorState';
import { Spinner } from '../../components/ui/Spinner';
import { useApi } from '../../lib/api';
import { cn } from '../../lib/cn';
import { formatFull } from '../../lib/format';
import { queryKeys } from '../../lib/queryKeys';
import { writtenBySentence } from '../phases/executors';
import { derivePhaseSteps, formatScore, PHASE_INFO, reasonText } from '../phases/phaseSteps';
import { PhaseDiff } from './DiffView';
import { AwaitingApprovalBar } from './AwaitingApprovalBar';
import { latestOutput, phaseHistory, type AttemptView, type PhasePass } from './phaseHistory';
import { formatDuration } from './runs';

const OUTCOME: Record<AttemptView['outcome'], { label: string; icon: typeof CircleCheck; className: string }> = {
  passed: { label: 'Passed', icon: CircleCheck, className: 'text-green-800' },
  retried: { label: 'Retried', icon: RotateCcw, className: 'text-amber-800' },
  failed: { label: 'Failed', icon: CircleX, className: 'text-red-800' },
  running: { label: 'Running', icon: LoaderCircle, className: 'text-blue-800' },
};

function outcomeOf(attempt: AttemptView) {
  if (attempt.outcome === 'failed' && attempt.reason === 'cancelled') return { label: 'Cancelled', icon: Ban, className: 'text-slate-700' };
  return OUTCOME[attempt.outcome];
}

function AttemptRow({ attempt, latest }: { attempt: AttemptView; latest: boolean }) {
  const look = outcomeOf(attempt);
  const Icon = look.icon;
  return (
    <li className="rounded-md border border-slate-200 p-3" data-testid="attempt" data-attempt={attempt.attempt} data-outcome={attempt.outcome}>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
        <span className="font-semibold text-slate-900">Attempt {attempt.attempt}</span>
        <span className={cn('inline-flex items-center gap-1 font-medium', look.className)}>
          <Icon aria-hidden className={cn('size-4', attempt.outcome === 'running' && 'motion-safe:animate-spin')} />
          {look.label}
          {attempt.outcome !== 'passed' && attempt.outcome !== 'running' && attempt.reason && attempt.reason !== 'cancelled' ? ` · ${reasonText(attempt.reason)}` : ''}
        </span>
        <span className="text-slate-700">Score {attempt.score !== null ? formatScore(attempt.score) : '—'}</span>
        <span className="text-slate-700">Duration {formatDuration(attempt.duration)}</span>
        {attempt.startedAt ? (
          <time dateTime={attempt.startedAt} className="text-xs text-slate-500">
            {formatFull(attempt.startedAt)}
          </time>
        ) : null}
      </div>
      {attempt.feedback ? (
        <div className="mt-2 text-sm">
          <p className="text-xs font-medium tracking-wide text-slate-500 uppercase">Evaluator feedback</p>
          <p className="mt-0.5 break-words whitespace-pre-wrap text-slate-800">{attempt.feedback}</p>
        </div>
      ) : null}
      {attempt.error ? <p className="mt-2 text-sm break-words whitespace-pre-wrap text-red-800">{attempt.error}</p> : null}
      {attempt.diff ? (
        <details className="mt-2" open={latest}>
          <summary className="cursor-pointer text-sm font-medium text-indigo-700">
            What changed from the previous output ({attempt.diff.entries.length === 0 ? 'nothing' : `${attempt.diff.entries.length} change${attempt.diff.entries.length === 1 ? '' : 's'}`})
          </summary>
          <div className="mt-2">
            <PhaseDiff diff={attempt.diff} headingLevel={4} />
          </div>
        </details>
      ) : null}
    </li>
  );
}

function PassSection({ pass, total }: { pass: PhasePass; total: number }) {
  return (
    <section aria-label={`Pass ${pass.number} of ${total}`} className="flex flex-col gap-2" data-testid="phase-pass">
      {total > 1 ? (
        <h3 className="text-sm font-semibold text-slate-900">
          {pass.number === total ? `Latest run of this phase (${pass.number} of ${total})` : `Run ${pass.number} of ${total} of this phase`}
          {pass.duration !== null ? <span className="ml-2 font-normal text-slate-600">· {formatDuration(pass.duration)} in all</span> : null}
        </h3>
      ) : pass.duration !== null ? (
        <p className="text-sm text-slate-600">{formatDuration(pass.duration)} in all</p>
      ) : null}
      {pass.reviewComment ? (
        <p className="rounded bg-amber-50 px-2 py-1 text-sm break-words text-amber-950">
          <span className="font-medium">Re-run with the reviewer’s comment:</span> {pass.reviewComment}
        </p>
      ) : null}
      <ol className="flex flex-col gap-2">
        {pass.attempts.map((attempt) => (
          <AttemptRow key={`${attempt.attempt}-${attempt.seq}`} attempt={attempt} latest={pass.number === total} />
        ))}
      </ol>
      {pass.awaitingApproval ? <p className="text-sm text-amber-900">The run stopped here for approval.</p> : null}
    </section>
  );
}

function list(items: unknown, render: (item: Record<string, unknown>) => ReactNode): ReactNode {
  if (!Array.isArray(items) || items.length === 0) return null;
  return (
    <ul className="flex flex-col gap-1">
      {items.map((item, index) =>
        typeof item === 'object' && item !== null ? (
          <li key={index} className="text-sm">
            {render(item as Record<string, unknown>)}
          </li>
        ) : null,
      )}
    </ul>
  );
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');

/** The phase's output, in the words of the tabs where there is a tab for it, else its top-level fields. */
export function OutputSummary({ phase, output }: { phase: Phase; output: Record<string, unknown> }) {
  const idTitle = (item: Record<string, unknown>) => (
    <>
      <span className="mr-2 font-mono text-xs text-slate-500">{text(item['id'])}</span>
      {text(item['title']) || text(item['name'])}
    </>
  );
  let body: ReactNode = null;
  if (phase === 'requirements') body = list(output['requirements'], idTitle);
  else if (phase === 'design') body = list(output['components'], idTitle);
  else if (phase === 'tasks') body = list(output['tasks'], idTitle);
  else if (phase === 'explore') body = text(output['codebase_summary']) ? <p className="text-sm whitespace-pre-wrap">{text(output['codebase_summary'])}</p> : null;
  return (
    <div className="flex flex-col gap-2" data-testid="phase-output">
      {body}
      <details>
        <summary className="cursor-pointer text-sm font-medium text-indigo-700">Full output (JSON)</summary>
        <pre className="mt-2 max-h-80 overflow-auto rounded bg-slate-900 p-3 text-xs text-slate-100">{JSON.stringify(output, null, 2)}</pre>
      </details>
    </div>
  );
}

/** Events of one phase, oldest first (up to 1,000: a phase rarely has more). */
function usePhaseEvents(spec: Spec, phase: Phase | null) {
  const api = useApi();
  const params = { phase: phase ?? undefined, order: 'asc', limit: 1000, for: 'phase-details', at: spec.updated_at } as const;
  return useQuery({
    queryKey: queryKeys.specs.events(spec.id, params),
    queryFn: async ({ signal }): Promise<StoredEvent[]> => (await api.specs.events(spec.id, { phase: phase ?? undefined, order: 'asc', limit: 1000 }, signal)).events,
    enabled: phase !== null,
    placeholderData: (previous) => previous,
  });
}

/**
 * A stepper step's details: its state, who wrote it, each attempt (score, evaluator feedback, duration,
 * and what it changed compared with the previous output), and the phase's output. When the phase waits
 * for approval, Approve and Reject are here too.
 */
export function PhaseDetailsDialog({ spec, phase, onOpenChange }: { spec: Spec; phase: Phase | null; onOpenChange: (open: boolean) => void }) {
  const events = usePhaseEvents(spec, phase);
  const step = phase ? derivePhaseSteps(spec).steps.find((s) => s.phase === phase) : undefined;
  const info = phase ? PHASE_INFO[phase] : null;
  const passes = phase && events.data ? phaseHistory(phase, events.data) : [];
  const output = latestOutput(passes);
  const writtenBy = step ? writtenBySentence(step.executor, step.model) : null;

  return (
    <Dialog open={phase !== null} onOpenChange={onOpenChange} title={info ? `${info.label} details` : 'Phase details'} description={info?.description} wide>
      {phase && step ? (
        <div className="flex flex-col gap-4" data-testid="phase-details" data-phase={phase}>
          <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
            <dt className="text-slate-500">Status</dt>
            <dd className="font-medium">{step.stateText}</dd>
            {step.maxAttempts ? (
              <>
                <dt className="text-slate-500">Attempts allowed</dt>
                <dd>{step.maxAttempts}</dd>
              </>
            ) : null}
            {writtenBy ? (
              <>
                <dt className="text-slate-500">Written by</dt>
                <dd>{writtenBy}</dd>
              </>
            ) : null}
            {step.error ? (
              <>
                <dt className="text-slate-500">Error</dt>
                <dd className="break-words text-red-800">{step.error}</dd>
              </>
            ) : null}
          </dl>
          {step.state === 'awaiting' ? <AwaitingApprovalBar spec={spec} /> : null}
          <section aria-labelledby="phase-attempts" className="flex flex-col gap-3">
            <h3 id="phase-attempts" className="font-semibold text-slate-900">
              Attempts
            </h3>
            {events.isPending ? (
              <Spinner label="Loading the attempts…" />
            ) : events.isError ? (
              <ErrorState title="Could not load the attempts" error={events.error} onRetry={() => void events.refetch()} retrying={events.isFetching} />
            ) : passes.length === 0 ? (
              <p className="text-sm text-slate-600">This phase has not run yet.</p>
            ) : (
              passes.map((pass) => <PassSection key={pass.number} pass={pass} total={passes.length} />)
            )}
          </section>
          <section aria-labelledby="phase-output" className="flex flex-col gap-2">
            <h3 id="phase-output" className="font-semibold text-slate-900">
              Output
            </h3>
            {output ? <OutputSummary phase={phase} output={output} /> : <p className="text-sm text-slate-600">No output yet.</p>}
          </section>
        </div>
      ) : null}
    </Dialog>
  );
}
