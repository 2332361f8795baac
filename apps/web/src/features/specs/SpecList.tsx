import type { SpecStatus, SpecSummary } from '@specline/protocol';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Archive, FilePlus } from 'lucide-react';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Badge } from '../../components/ui/Badge';
import { Button } from '../../components/ui/Button';
import { DataTable, type DataTableColumn } from '../../components/ui/DataTable';
import { EmptyState } from '../../components/ui/EmptyState';
import { SelectField } from '../../components/ui/Field';
import { Pagination } from '../../components/ui/Pagination';
import { Progress } from '../../components/ui/Progress';
import { QueryView } from '../../components/ui/QueryView';
import { RelativeTime } from '../../components/ui/RelativeTime';
import { useApi } from '../../lib/api';
import type { SpecListParams } from '../../lib/queryKeys';
import { queryKeys } from '../../lib/queryKeys';
import { NewSpecDialog } from './NewSpecDialog';
import { SpecStatusBadge, specPhaseText } from './SpecStatusBadge';

const PAGE = 20;
/** The filter's URL parameter (`?spec_status=archived`), so a filtered list can be shared and survives a reload. */
export const SPEC_FILTER_PARAM = 'spec_status';

type SpecFilter = SpecStatus | 'archived' | '';
export const SPEC_FILTER_OPTIONS: { value: SpecFilter; label: string }[] = [
  { value: '', label: 'All (not archived)' },
  { value: 'draft', label: 'Draft' },
  { value: 'queued', label: 'Queued' },
  { value: 'executing', label: 'Running' },
  { value: 'awaiting_approval', label: 'Awaiting your approval' },
  { value: 'completed', label: 'Completed' },
  { value: 'failed', label: 'Failed' },
  { value: 'cancelled', label: 'Cancelled' },
  { value: 'archived', label: 'Archived' },
];

export function parseSpecFilter(value: string | null): SpecFilter {
  return SPEC_FILTER_OPTIONS.find((o) => o.value === value)?.value ?? '';
}

/** The list request of a filter: a status, or the archived specs (any status). */
export function specListParams(filter: SpecFilter, offset: number): SpecListParams & { archived?: boolean } {
  if (filter === 'archived') return { limit: PAGE, offset, archived: true };
  return { limit: PAGE, offset, ...(filter ? { status: filter } : {}) };
}

function columns(projectId: string): DataTableColumn<SpecSummary>[] {
  return [
    {
      key: 'title',
      header: 'Title',
      cell: (spec) => (
        <span className="inline-flex flex-wrap items-center gap-2">
          <Link to={`/projects/${projectId}/specs/${spec.id}`} className="font-medium text-indigo-700 [overflow-wrap:anywhere] hover:underline">
            {spec.title}
          </Link>
          {spec.archived ? (
            <Badge tone="neutral" icon={<Archive aria-hidden className="size-3" />}>
              Archived
            </Badge>
          ) : null}
        </span>
      ),
    },
    { key: 'status', header: 'Status', cell: (spec) => <SpecStatusBadge status={spec.status} queuePosition={spec.queue_position} /> },
    { key: 'phase', header: 'Phase', cell: (spec) => specPhaseText(spec) },
    { key: 'progress', header: 'Progress', className: 'w-48 px-3 py-2', cell: (spec) => <Progress value={spec.progress} label={`Progress of ${spec.title}`} showValue /> },
    { key: 'updated', header: 'Updated', className: 'px-3 py-2 whitespace-nowrap text-slate-600', cell: (spec) => <RelativeTime iso={spec.updated_at} /> },
  ];
}

/**
 * The project's specs: status, phase, progress, updated; paginated; loading, error and empty are three
 * different states. The status filter (with Queued and Archived) lives in the URL.
 */
export function SpecList({ projectId }: { projectId: string }) {
  const api = useApi();
  const [search, setSearch] = useSearchParams();
  const filter = parseSpecFilter(search.get(SPEC_FILTER_PARAM));
  const [offset, setOffset] = useState(0);
  const [creating, setCreating] = useState(false);
  const params = specListParams(filter, offset);
  const specs = useQuery({
    queryKey: queryKeys.specs.list(projectId, params),
    queryFn: ({ signal }) => api.specs.listByProject(projectId, params, signal),
    placeholderData: keepPreviousData,
    // While a run is live (or waits in the queue) the list refreshes slowly; it stops once nothing runs.
    refetchInterval: (query) => (query.state.data?.specs.some((s) => s.status === 'executing' || s.status === 'queued') ? 10_000 : false),
  });

  const setFilter = (value: string) => {
    setOffset(0);
    setSearch(
      (current) => {
        const next = new URLSearchParams(current);
        if (value) next.set(SPEC_FILTER_PARAM, value);
        else next.delete(SPEC_FILTER_PARAM);
        return next;
      },
      { replace: true },
    );
  };

  return (
    <section aria-labelledby="specs-title" className="flex flex-col gap-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h2 id="specs-title" className="text-lg font-semibold">
          Specs
        </h2>
        <div className="flex flex-wrap items-end gap-2">
          <div className="w-48">
            <SelectField label="Status filter" value={filter} options={SPEC_FILTER_OPTIONS} onChange={(e) => setFilter(e.target.value)} />
          </div>
          <Button variant="primary" onClick={() => setCreating(true)} icon={<FilePlus aria-hidden className="size-4" />}>
            New spec
          </Button>
        </div>
      </div>
      <QueryView
        query={specs}
        loadingLabel="Loading specs…"
        errorTitle="Could not load specs"
        isEmpty={(data) => data.specs.length === 0}
        empty={
          <EmptyState
            title={filter === 'archived' ? 'No archived specs' : filter ? 'No specs with this status' : 'No specs yet'}
            description={
              filter === 'archived'
                ? 'An archived spec leaves the list but keeps everything; it shows here.'
                : 'A spec goes through explore, requirements, design, tasks and sync. Create one, or a spec-driven ticket.'
            }
          />
        }
      >
        {(data) => <DataTable caption="Specs of this project" columns={columns(projectId)} rows={data.specs} rowKey={(spec) => spec.id} />}
      </QueryView>
      {specs.data ? <Pagination label="Spec pages" offset={offset} limit={PAGE} total={specs.data.total} onOffsetChange={setOffset} /> : null}
      <NewSpecDialog projectId={projectId} open={creating} onOpenChange={setCreating} />
    </section>
  );
}
