import type { SpecVersion } from '@specline/protocol';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Dialog } from '../../components/ui/Dialog';
import { EmptyState } from '../../components/ui/EmptyState';
import { ErrorState } from '../../components/ui/ErrorState';
import { Pagination } from '../../components/ui/Pagination';
import { Spinner } from '../../components/ui/Spinner';
import { useApi } from '../../lib/api';
import { formatFull, formatRelative } from '../../lib/format';
import { queryKeys } from '../../lib/queryKeys';

const HISTORY_PAGE = 20;

function describe(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value.length > 80 ? `${value.slice(0, 80)}…` : value;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return String(value);
  const json = JSON.stringify(value);
  return json.length > 80 ? `${json.slice(0, 80)}…` : json;
}

function isChange(value: unknown): value is { old?: unknown; new?: unknown } {
  return typeof value === 'object' && value !== null && ('old' in value || 'new' in value);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Server-internal ids (`req-98a2…`, `crit-a45b…`): never shown; the display ids (`REQ-002.AC-3`) are. */
const INTERNAL_ID = /^([a-z]+-)*[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Keys that only machines need: internal ids, the changed-field list (the summary says it), withdrawn approvals as a list. */
const HIDDEN_KEYS = new Set(['fields', 'approvals_withdrawn', 'local_id', 'source_ticket_id']);

const LABELS: Record<string, string> = {
  requirement: 'Requirement',
  criterion: 'Criterion',
  task: 'Task',
  text: 'Text',
  completed: 'Done',
  approval_withdrawn: 'Approval withdrawn',
  next_phase: 'Next phase',
  estimated_hours: 'Estimate (hours)',
  linked_design: 'Linked design',
  workflow_mode: 'Workflow mode',
};

export function detailLabel(key: string): string {
  const label = LABELS[key] ?? key.replace(/_/g, ' ');
  return label.charAt(0).toUpperCase() + label.slice(1);
}

/**
 * The lines of a version's details a person reads: only fields that changed (a spec's `before`/`after`
 * compared field by field), named by display id, without internal ids or empty values.
 */
export function detailLines(details: Record<string, unknown> | null): { key: string; label: string; text: string }[] {
  if (!details) return [];
  const entries: [string, unknown][] = [];
  if (isRecord(details['before']) && isRecord(details['after'])) {
    const before = details['before'];
    for (const [key, value] of Object.entries(details['after'])) {
      if (value !== undefined && JSON.stringify(before[key]) !== JSON.stringify(value)) entries.push([key, { old: before[key], new: value }]);
    }
  }
  for (const [key, value] of Object.entries(details)) {
    if (key === 'before' || key === 'after' || key === 'id' || key.endsWith('_id') || key.endsWith('_ids') || HIDDEN_KEYS.has(key)) continue;
    if (value === null || value === undefined || value === '') continue;
    if (typeof value === 'string' && INTERNAL_ID.test(value)) continue;
    entries.push([key, value]);
  }
  return entries.map(([key, value]) => ({
    key,
    label: detailLabel(key),
    text: isChange(value) ? `${describe(value.old)} → ${describe(value.new)}` : describe(value),
  }));
}

export function VersionEntry({ version, detailed = false }: { version: SpecVersion; detailed?: boolean }) {
  const changes = detailed ? detailLines(version.change_details) : [];
  return (
    <li className="border-b border-slate-100 py-2 last:border-0">
      <p className="text-sm [overflow-wrap:anywhere]">
        <span className="mr-1.5 font-mono text-xs text-slate-500">v{version.version_number}</span>
        {version.change_summary || version.change_type}
      </p>
      <p className="text-xs text-slate-500">
        <time dateTime={version.created_at} title={formatFull(version.created_at)}>
          {detailed ? formatFull(version.created_at) : formatRelative(version.created_at)}
        </time>
      </p>
      {changes.length ? (
        <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-2 text-xs">
          {changes.map((line) => (
            <div key={line.key} className="contents">
              <dt className="font-medium text-slate-600">{line.label}</dt>
              <dd className="text-slate-700 [overflow-wrap:anywhere]">{line.text}</dd>
            </div>
          ))}
        </dl>
      ) : null}
    </li>
  );
}

/** Every version, newest first, a page at a time (the original showed 10 and called it "complete"). */
export function VersionHistoryDialog({ specId, open, onOpenChange }: { specId: string; open: boolean; onOpenChange: (open: boolean) => void }) {
  const api = useApi();
  const [offset, setOffset] = useState(0);
  const params = { limit: HISTORY_PAGE, offset };
  const versions = useQuery({
    queryKey: queryKeys.specs.versions(specId, params),
    queryFn: ({ signal }) => api.specs.versions(specId, params, signal),
    enabled: open,
    placeholderData: keepPreviousData,
  });
  return (
    <Dialog open={open} onOpenChange={onOpenChange} title="Version history" description="Every change to this spec, newest first." wide>
      {versions.isPending ? (
        <Spinner label="Loading versions…" />
      ) : versions.isError ? (
        <ErrorState title="Could not load the history" error={versions.error} onRetry={() => void versions.refetch()} retrying={versions.isFetching} />
      ) : versions.data.versions.length === 0 ? (
        <EmptyState title="No versions yet" />
      ) : (
        <>
          <ol aria-label="Versions">
            {versions.data.versions.map((version) => (
              <VersionEntry key={version.id} version={version} detailed />
            ))}
          </ol>
          <Pagination label="Version pages" offset={offset} limit={HISTORY_PAGE} total={versions.data.total} onOffsetChange={setOffset} />
        </>
      )}
    </Dialog>
  );
}
