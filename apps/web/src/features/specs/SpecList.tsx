import type { SpecStatus } from '@specline/protocol';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { FilePlus } from 'lucide-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { Button } from '../../components/ui/Button';
import { EmptyState } from '../../components/ui/EmptyState';
import { ErrorState } from '../../components/ui/ErrorState';
import { SelectField } from '../../components/ui/Field';
import { Pagination } from '../../components/ui/Pagination';
import { Progress } from '../../components/ui/Progress';
import { Spinner } from '../../components/ui/Spinner';
import { useApi } from '../../lib/api';
import { formatFull, formatRelative } from '../../lib/format';
import { queryKeys } from '../../lib/queryKeys';
import { NewSpecDialog } from './NewSpecDialog';
import { SpecStatusBadge } from './SpecStatusBadge';

const PAGE = 20;
const STATUS_OPTIONS: { value: SpecStatus | ''; label: string }[] = [
  { value: '', label: 'All statuses' },
  { value: 'draft', label: 'Draft' },
  { value: 'executing', label: 'Running' },
  { value: 'completed', label: 'Completed' },
  { value: 'failed', label: 'Failed' },
  { value: 'cancelled', label: 'Cancelled' },
];

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
      {specs.isPending ? (
        <Spinner label="Loading specs…" />
      ) : specs.isError ? (
        <ErrorState title="Could not load specs" error={specs.error} onRetry={() => void specs.refetch()} retrying={specs.isFetching} />
      ) : specs.data.specs.length === 0 ? (
        <EmptyState
          title={status ? 'No specs with this status' : 'No specs yet'}
          description="A spec goes through explore, requirements, design, tasks and sync. Create one, or a spec-driven ticket."
        />
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="w-full text-sm">
            <caption className="sr-only">Specs of this project</caption>
            <thead className="bg-slate-50 text-left text-xs font-medium tracking-wide text-slate-500 uppercase">
              <tr>
                <th scope="col" className="px-3 py-2">Title</th>
                <th scope="col" className="px-3 py-2">Status</th>
                <th scope="col" className="px-3 py-2">Phase</th>
                <th scope="col" className="px-3 py-2">Progress</th>
                <th scope="col" className="px-3 py-2">Updated</th>
              </tr>
            </thead>
            <tbody>
              {specs.data.specs.map((spec) => (
                <tr key={spec.id} className="border-t border-slate-100">
                  <td className="px-3 py-2">
                    <Link to={`/projects/${projectId}/specs/${spec.id}`} className="font-medium text-indigo-700 hover:underline">
                      {spec.title}
                    </Link>
                  </td>
                  <td className="px-3 py-2">
                    <SpecStatusBadge status={spec.status} />
                  </td>
                  <td className="px-3 py-2 capitalize">{spec.current_phase ?? spec.phase}</td>
                  <td className="w-48 px-3 py-2">
                    <Progress value={spec.progress} label={`Progress of ${spec.title}`} showValue />
                  </td>
                  <td className="px-3 py-2 whitespace-nowrap text-slate-600">
                    <time dateTime={spec.updated_at} title={formatFull(spec.updated_at)}>
                      {formatRelative(spec.updated_at)}
                    </time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {specs.data ? <Pagination label="Spec pages" offset={offset} limit={PAGE} total={specs.data.total} onOffsetChange={setOffset} /> : null}
      <NewSpecDialog projectId={projectId} open={creating} onOpenChange={setCreating} />
    </section>
  );
}
