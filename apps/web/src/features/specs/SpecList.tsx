import type { SpecStatus, SpecSummary } from '@specline/protocol';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { FilePlus } from 'lucide-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { Button } from '../../components/ui/Button';
import { DataTable, type DataTableColumn } from '../../components/ui/DataTable';
import { EmptyState } from '../../components/ui/EmptyState';
import { SelectField } from '../../components/ui/Field';
import { Pagination } from '../../components/ui/Pagination';
import { Progress } from '../../components/ui/Progress';
import { QueryView } from '../../components/ui/QueryView';
import { RelativeTime } from '../../components/ui/RelativeTime';
import { useApi } from '../../lib/api';
import { queryKeys } from '../../lib/queryKeys';
import { NewSpecDialog } from './NewSpecDialog';
import { SpecStatusBadge } from './SpecStatusBadge';

const PAGE = 20;
const STATUS_OPTIONS: { value: SpecStatus | 'awaiting_approval' | ''; label: string }[] = [
  { value: '', label: 'All statuses' },
  { value: 'draft', label: 'Draft' },
  { value: 'executing', label: 'Running' },
  { value: 'awaiting_approval', label: 'Awaiting your approval' },
  { value: 'completed', label: 'Completed' },
  { value: 'failed', label: 'Failed' },
  { value: 'cancelled', label: 'Cancelled' },
];

function columns(projectId: string): DataTableColumn<SpecSummary>[] {
  return [
    {
      key: 'title',
      header: 'Title',
      cell: (spec) => (
        <Link to={`/projects/${projectId}/specs/${spec.id}`} className="font-medium text-indigo-700 hover:underline">
          {spec.title}
        </Link>
      ),
    },
    { key: 'status', header: 'Status', cell: (spec) => <SpecStatusBadge status={spec.status} /> },
    { key: 'phase', header: 'Phase', className: 'px-3 py-2 capitalize', cell: (spec) => spec.current_phase ?? spec.phase },
    { key: 'progress', header: 'Progress', className: 'w-48 px-3 py-2', cell: (spec) => <Progress value={spec.progress} label={`Progress of ${spec.title}`} showValue /> },
    { key: 'updated', header: 'Updated', className: 'px-3 py-2 whitespace-nowrap text-slate-600', cell: (spec) => <RelativeTime iso={spec.updated_at} /> },
  ];
}

/** The project's specs: status, phase, progress, updated; paginated; loading, error and empty are three different states. */
export function SpecList({ projectId }: { projectId: string }) {
  const api = useApi();
  const [offset, setOffset] = useState(0);
  const [status, setStatus] = useState('');
  const [creating, setCreating] = useState(false);
  const params = { limit: PAGE, offset, status: status || undefined };
  const specs = useQuery({
    queryKey: queryKeys.specs.list(projectId, params),
    queryFn: ({ signal }) => api.specs.listByProject(projectId, params, signal),
    placeholderData: keepPreviousData,
    // While a run is live the list refreshes slowly; it stops once nothing runs.
    refetchInterval: (query) => (query.state.data?.specs.some((s) => s.status === 'executing') ? 10_000 : false),
  });

  return (
    <section aria-labelledby="specs-title" className="flex flex-col gap-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h2 id="specs-title" className="text-lg font-semibold">
          Specs
        </h2>
        <div className="flex items-end gap-2">
          <div className="w-40">
            <SelectField
              label="Status filter"
              value={status}
              options={STATUS_OPTIONS}
              onChange={(e) => {
                setStatus(e.target.value);
                setOffset(0);
              }}
            />
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
            title={status ? 'No specs with this status' : 'No specs yet'}
            description="A spec goes through explore, requirements, design, tasks and sync. Create one, or a spec-driven ticket."
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
