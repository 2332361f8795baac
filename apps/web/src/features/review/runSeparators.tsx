import type { StoredEvent } from '@specline/protocol';
import type { ReactNode } from 'react';
import { formatFull } from '../../lib/format';
import { phaseLabel } from './model';
import { runStatusLook, runTitle, type RunView } from './runs';

export interface RunBoundary {
  /** The row the separator goes above: the newest event of its run among the rows. */
  seq: number;
  runId: string | null;
}

/**
 * Where one run's events begin in a newest-first list: by `run_id` when the events carry it, else at each
 * `spec.execution_started` (every run opens with one). Empty when the rows hold one run only.
 */
export function runBoundaries(rows: readonly StoredEvent[]): RunBoundary[] {
  const byId = rows.some((r) => r.run_id);
  const out: RunBoundary[] = [];
  let derived = 0;
  let previous: string | undefined;
  for (const row of rows) {
    const key = byId ? (row.run_id ?? '(none)') : `#${derived}`;
    if (key !== previous) out.push({ seq: row.spec_seq, runId: byId ? (row.run_id ?? null) : null });
    previous = key;
    if (!byId && row.event_type === 'spec.execution_started') derived++;
  }
  return out.length > 1 ? out : [];
}

export function RunSeparator({ run }: { run: RunView | undefined }) {
  const look = run ? runStatusLook(run.status) : null;
  return (
    <div role="separator" aria-label={run ? runTitle(run, phaseLabel) : 'Another run'} data-testid="run-separator" data-run-id={run?.id ?? ''} className="flex items-center gap-2 border-y border-indigo-200 bg-indigo-50 px-3 py-1 text-xs text-indigo-950">
      <span className="font-semibold">{run ? runTitle(run, phaseLabel) : 'Another run'}</span>
      {look ? <span>· {look.label}</span> : null}
      {run?.startedAt ? <time dateTime={run.startedAt} className="ml-auto text-indigo-800">started {formatFull(run.startedAt)}</time> : null}
    </div>
  );
}

/** The separators of a list of rows, keyed by the row they go above. */
export function runSeparatorNodes(rows: readonly StoredEvent[], runs: readonly RunView[]): Map<number, ReactNode> {
  const nodes = new Map<number, ReactNode>();
  for (const boundary of runBoundaries(rows)) {
    const run = boundary.runId ? runs.find((r) => r.id === boundary.runId) : undefined;
    nodes.set(boundary.seq, <RunSeparator run={run} />);
  }
  return nodes;
}
