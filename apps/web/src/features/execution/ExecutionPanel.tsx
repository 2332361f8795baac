import type { ReactNode } from 'react';
import type { RunView } from '../review/runs';
import { CircleX } from 'lucide-react';
import type { Spec } from '@specline/protocol';
import { Progress } from '../../components/ui/Progress';
import { cn } from '../../lib/cn';
import { StepIcon } from '../phases/PhaseProgress';
import { derivePhaseSteps } from '../phases/phaseSteps';
import { EventTimeline } from '../timeline/EventTimeline';
import { useTimelineUrlFilters } from '../timeline/timelineUrl';
import { costBreakdown } from './cost';
import { CostPanel } from './CostPanel';
import { executionMetrics } from './executionMetrics';
import { followsStream } from './specFromEvents';
import { useLiveSpec } from './useLiveSpec';

function MetricCard({ title, value, children, testId }: { title: string; value?: ReactNode; children?: ReactNode; testId: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-3" data-testid={testId}>
      <h4 className="text-xs font-medium uppercase tracking-wide text-slate-500">{title}</h4>
      {value !== undefined && <p className="mt-1 text-lg font-semibold text-slate-900">{value}</p>}
      {children}
    </div>
  );
}

/** The run's last error, where nobody can miss it. */
function LastError({ spec }: { spec: Spec }) {
  if (spec.status !== 'failed' || !spec.last_error) return null;
  const failedAt = derivePhaseSteps(spec).focus;
  return (
    <div role="alert" className="flex gap-2 rounded-lg border border-red-300 bg-red-50 p-3 text-sm text-red-900" data-testid="last-error">
      <CircleX aria-hidden="true" className="mt-0.5 h-4 w-4 shrink-0 text-red-600" />
      <div className="min-w-0">
        <p className="font-semibold">Run failed{failedAt ? ` in ${failedAt.label}` : ''}</p>
        <p className="mt-0.5 whitespace-pre-wrap break-words">{spec.last_error}</p>
      </div>
    </div>
  );
}

/**
 * The Execution tab: task progress, criteria met, attempts per phase, usage, the last error of a failed run,
 * the Cost panel (who wrote each phase, tokens and cost), the past runs (when the page passes them) and the live EventTimeline. Keeps the spec fresh from the run's events (and toasts transitions) while open.
 */
export function ExecutionPanel({
  spec,
  timelineHeight,
  runs,
  runFilter,
  onRunFilterChange,
  runsPanel,
}: {
  spec: Spec;
  timelineHeight?: number;
  /** The spec's runs (review mode): separators and a run filter in the timeline. */
  runs?: readonly RunView[];
  /** The timeline's run filter when the page keeps it (the URL's `?run=`; the other filters are in the URL too, see `useTimelineUrlFilters`). */
  runFilter?: string | null;
  onRunFilterChange?: (runId: string | null) => void;
  /** The list of past runs, shown above the timeline. */
  runsPanel?: ReactNode;
}) {
  useLiveSpec(spec.id);
  const url = useTimelineUrlFilters();
  const metrics = executionMetrics(spec);
  const cost = costBreakdown(spec);
  const { tasks, criteria } = metrics;
  return (
    <div className="flex flex-col gap-4" data-testid="execution-panel">
      <LastError spec={spec} />
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 xl:grid-cols-4">
        <MetricCard testId="metric-tasks" title="Task progress" value={tasks.total === 0 ? 'No tasks yet' : `${tasks.completed}/${tasks.total} done`}>
          {tasks.percent !== null && <Progress value={tasks.percent} label="Task progress" showValue className="mt-2" />}
          {(tasks.inProgress > 0 || tasks.blocked > 0) && (
            <p className="mt-1 text-xs text-slate-600">
              {tasks.inProgress} in progress{tasks.blocked > 0 ? ` · ${tasks.blocked} blocked` : ''}
            </p>
          )}
        </MetricCard>
        <MetricCard testId="metric-criteria" title="Criteria met" value={criteria.text}>
          {criteria.percent !== null && <Progress value={criteria.percent} label="Acceptance criteria met" showValue className="mt-2" />}
        </MetricCard>
        <MetricCard testId="metric-attempts" title="Attempts per phase">
          <ul className="mt-1 space-y-0.5 text-sm">
            {metrics.attempts.map((a) => (
              <li key={a.phase} className="flex items-center gap-1.5">
                <StepIcon
                  step={a.step}
                  className={cn('h-3.5 w-3.5', a.state === 'failed' ? 'text-red-600' : a.state === 'passed' ? 'text-green-700' : 'text-slate-500')}
                />
                <span className="text-slate-700">{a.label}</span>
                <span className="ml-auto tabular-nums text-slate-900" title={a.step.stateText}>
                  {a.text}
                  <span className="sr-only"> ({a.step.stateText})</span>
                </span>
              </li>
            ))}
          </ul>
        </MetricCard>
        <MetricCard testId="metric-usage" title="Cost and usage" value={metrics.usage?.cost ?? cost.total?.cost ?? 'Not reported'}>
          {metrics.usage && <p className="mt-1 text-xs text-slate-600">{metrics.usage.tokens} tokens</p>}
        </MetricCard>
      </div>
      <CostPanel spec={spec} breakdown={cost} />
      {runsPanel}
      <EventTimeline
        specId={spec.id}
        isExecuting={followsStream(spec.status)}
        height={timelineHeight}
        runs={runs}
        runId={onRunFilterChange ? (runFilter ?? null) : undefined}
        onRunIdChange={onRunFilterChange}
        filters={url.filters}
        // One URL change for every filter, the page's run filter included (two in one tick would overwrite each other).
        onFiltersChange={(next) => url.setFilters(next, onRunFilterChange ? (next.runId ?? null) : undefined)}
      />
    </div>
  );
}
