import { ArrowRight, Minus, PencilLine, Plus } from 'lucide-react';
import { cn } from '../../lib/cn';
import { changedSpan, countChanges, valueText, type ChangeKind, type DiffEntry, type PhaseDiffView } from './diff';
import { phaseLabel } from './model';

/** Colour, icon and word per change: the word is always there, never colour alone. */
export const CHANGE_LOOK: Record<ChangeKind, { label: string; icon: typeof Plus; row: string; badge: string }> = {
  added: { label: 'Added', icon: Plus, row: 'border-l-4 border-green-600 bg-green-50', badge: 'bg-green-100 text-green-900 ring-green-300' },
  modified: { label: 'Modified', icon: PencilLine, row: 'border-l-4 border-amber-500 bg-amber-50', badge: 'bg-amber-100 text-amber-900 ring-amber-300' },
  removed: { label: 'Removed', icon: Minus, row: 'border-l-4 border-red-600 bg-red-50', badge: 'bg-red-100 text-red-900 ring-red-300' },
};

const ORDER: readonly ChangeKind[] = ['added', 'modified', 'removed'];

export function ChangeBadge({ change }: { change: ChangeKind }) {
  const look = CHANGE_LOOK[change];
  const Icon = look.icon;
  return (
    <span className={cn('inline-flex shrink-0 items-center gap-1 rounded px-1.5 py-0.5 text-xs font-semibold ring-1 ring-inset', look.badge)}>
      <Icon aria-hidden className="size-3" />
      {look.label}
    </span>
  );
}

/** One field's change: before → after, each labelled, long text wrapping; in two texts the changed words are marked. */
export function FieldChangeRow({ field, before, after }: { field: string; before: unknown; after: unknown }) {
  const a = valueText(before);
  const b = valueText(after);
  const span = typeof before === 'string' && typeof after === 'string' && a.length + b.length > 60 ? changedSpan(a, b) : null;
  return (
    <div className="grid gap-1 text-sm sm:grid-cols-[8rem_minmax(0,1fr)_auto_minmax(0,1fr)] sm:items-start" data-testid="field-change" data-field={field}>
      <span className="font-mono text-xs text-slate-600">{field.replace(/_/g, ' ')}</span>
      <del className={cn('rounded bg-red-50 px-1.5 py-0.5 break-words whitespace-pre-wrap text-red-900 decoration-red-400', span && 'no-underline')} aria-label={`${field} before`}>
        <span className="sr-only">Before: </span>
        {span ? (
          <>
            {span.prefix}
            <s className="rounded-sm bg-red-200 font-semibold decoration-red-700">{span.before}</s>
            {span.suffix}
          </>
        ) : (
          a
        )}
      </del>
      <ArrowRight aria-hidden className="hidden size-4 text-slate-400 sm:mt-1 sm:block" />
      <ins className="rounded bg-green-50 px-1.5 py-0.5 break-words whitespace-pre-wrap text-green-900 no-underline" aria-label={`${field} after`}>
        <span className="sr-only">After: </span>
        {span ? (
          <>
            {span.prefix}
            <mark className="rounded-sm bg-green-200 font-semibold text-green-950">{span.after}</mark>
            {span.suffix}
          </>
        ) : (
          b
        )}
      </ins>
    </div>
  );
}

function EntryRow({ entry }: { entry: DiffEntry }) {
  const look = CHANGE_LOOK[entry.change];
  return (
    <li className={cn('rounded-r-md px-3 py-2', look.row)} data-testid="diff-entry" data-change={entry.change} data-kind={entry.kind} data-id={entry.id}>
      <div className="flex flex-wrap items-center gap-2">
        <ChangeBadge change={entry.change} />
        <span className="text-xs text-slate-600">{entry.kind.replace(/_/g, ' ')}</span>
        <span className="font-mono text-xs font-semibold text-slate-800">{entry.id}</span>
        {entry.label !== entry.id ? <span className={cn('min-w-0 break-words text-sm text-slate-900', entry.change === 'removed' && 'line-through decoration-red-400')}>{entry.label}</span> : null}
      </div>
      {entry.fields.length > 0 ? (
        <div className="mt-2 flex flex-col gap-1.5">
          {entry.fields.map((f) => (
            <FieldChangeRow key={f.field} {...f} />
          ))}
        </div>
      ) : null}
    </li>
  );
}

function summary(diff: PhaseDiffView): string {
  const counts = countChanges(diff);
  return ORDER.filter((c) => counts[c] > 0)
    .map((c) => `${counts[c]} ${CHANGE_LOOK[c].label.toLowerCase()}`)
    .join(' · ');
}

/** One phase's changes: added, then modified (field by field), then removed. */
export function PhaseDiff({ diff, headingLevel = 3 }: { diff: PhaseDiffView; headingLevel?: 3 | 4 }) {
  const Heading = headingLevel === 3 ? 'h3' : 'h4';
  const headingId = `diff-${diff.phase}-${headingLevel}`;
  return (
    <section aria-labelledby={headingId} data-testid="phase-diff" data-phase={diff.phase} className="flex flex-col gap-2">
      <div className="flex flex-wrap items-baseline gap-2">
        <Heading id={headingId} className="font-semibold text-slate-900">
          {phaseLabel(diff.phase)}
        </Heading>
        <span className="text-xs text-slate-600">{diff.entries.length === 0 ? 'No changes' : summary(diff)}</span>
      </div>
      {diff.entries.length === 0 ? (
        <p className="text-sm text-slate-500">Nothing changed in this phase.</p>
      ) : (
        <ul className="flex flex-col gap-1.5">
          {ORDER.flatMap((change) => diff.entries.filter((e) => e.change === change)).map((entry) => (
            <EntryRow key={`${entry.change}:${entry.kind}:${entry.id}`} entry={entry} />
          ))}
        </ul>
      )}
    </section>
  );
}

/** A run's diff, grouped by phase. */
export function DiffView({ diffs }: { diffs: readonly PhaseDiffView[] }) {
  if (diffs.length === 0) return <p className="text-sm text-slate-600">This run changed nothing.</p>;
  return (
    <div className="flex flex-col gap-6" data-testid="diff-view">
      {diffs.map((diff) => (
        <PhaseDiff key={diff.phase} diff={diff} />
      ))}
    </div>
  );
}
