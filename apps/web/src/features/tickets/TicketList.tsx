import type { TicketStatus } from '@specline/protocol';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { TicketPlus } from 'lucide-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { Badge, type Tone } from '../../components/ui/Badge';
import { Button } from '../../components/ui/Button';
import { EmptyState } from '../../components/ui/EmptyState';
import { ErrorState } from '../../components/ui/ErrorState';
import { Pagination } from '../../components/ui/Pagination';
import { Spinner } from '../../components/ui/Spinner';
import { useApi } from '../../lib/api';
import { formatFull, formatRelative } from '../../lib/format';
import { queryKeys } from '../../lib/queryKeys';
import { PriorityBadge } from '../specs/PriorityBadge';
import { NewTicketDialog } from './NewTicketDialog';

const PAGE = 20;

const statusTones: Record<TicketStatus, Tone> = { backlog: 'neutral', todo: 'info', in_progress: 'accent', done: 'success', cancelled: 'warning' };
export function TicketStatusBadge({ status }: { status: TicketStatus }) {
  return <Badge tone={statusTones[status]}>{status.replace('_', ' ')}</Badge>;
}

export function TicketList({ projectId }: { projectId: string }) {
  const api = useApi();
  const [offset, setOffset] = useState(0);
  const [creating, setCreating] = useState(false);
  const params = { project_id: projectId, limit: PAGE, offset };
  const tickets = useQuery({ queryKey: queryKeys.tickets.list(params), queryFn: ({ signal }) => api.tickets.list(params, signal), placeholderData: keepPreviousData });

  return (
    <section aria-labelledby="tickets-title" className="flex flex-col gap-3">
      <div className="flex items-center justify-between">
        <h2 id="tickets-title" className="text-lg font-semibold">
          Tickets
        </h2>
        <Button variant="primary" onClick={() => setCreating(true)} icon={<TicketPlus aria-hidden className="size-4" />}>
          New ticket
        </Button>
      </div>
      {tickets.isPending ? (
        <Spinner label="Loading tickets…" />
      ) : tickets.isError ? (
        <ErrorState title="Could not load tickets" error={tickets.error} onRetry={() => void tickets.refetch()} retrying={tickets.isFetching} />
      ) : tickets.data.tickets.length === 0 ? (
        <EmptyState title="No tickets yet" description="A spec-driven ticket starts a spec run: explore, requirements, design, tasks, sync." />
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="w-full text-sm">
            <caption className="sr-only">Tickets of this project</caption>
            <thead className="bg-slate-50 text-left text-xs font-medium tracking-wide text-slate-500 uppercase">
              <tr>
                <th scope="col" className="px-3 py-2">Ticket</th>
                <th scope="col" className="px-3 py-2">Status</th>
                <th scope="col" className="px-3 py-2">Priority</th>
                <th scope="col" className="px-3 py-2">Mode</th>
                <th scope="col" className="px-3 py-2">Created</th>
              </tr>
            </thead>
            <tbody>
              {tickets.data.tickets.map((ticket) => (
                <tr key={ticket.id} className="border-t border-slate-100">
                  <td className="px-3 py-2">
                    {ticket.local_id ? <span className="mr-2 font-mono text-xs text-slate-500">{ticket.local_id}</span> : null}
                    <span className="font-medium">{ticket.title}</span>
                  </td>
                  <td className="px-3 py-2">
                    <TicketStatusBadge status={ticket.status} />
                  </td>
                  <td className="px-3 py-2">
                    <PriorityBadge priority={ticket.priority} />
                  </td>
                  <td className="px-3 py-2">
                    {ticket.workflow_mode === 'spec_driven' ? (
                      ticket.spec_id ? (
                        <Link className="text-indigo-700 hover:underline" to={`/projects/${projectId}/specs/${ticket.spec_id}`}>
                          Spec-driven · open spec
                        </Link>
                      ) : (
                        'Spec-driven'
                      )
                    ) : (
                      'Quick'
                    )}
                  </td>
                  <td className="px-3 py-2 whitespace-nowrap text-slate-600">
                    <time dateTime={ticket.created_at} title={formatFull(ticket.created_at)}>
                      {formatRelative(ticket.created_at)}
                    </time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {tickets.data ? <Pagination label="Ticket pages" offset={offset} limit={PAGE} total={tickets.data.total} onOffsetChange={setOffset} /> : null}
      <NewTicketDialog projectId={projectId} open={creating} onOpenChange={setCreating} />
    </section>
  );
}
