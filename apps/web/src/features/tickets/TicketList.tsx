import type { Ticket, TicketStatus } from '@specline/protocol';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { TicketPlus } from 'lucide-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { Badge, type Tone } from '../../components/ui/Badge';
import { Button } from '../../components/ui/Button';
import { DataTable, type DataTableColumn } from '../../components/ui/DataTable';
import { EmptyState } from '../../components/ui/EmptyState';
import { Pagination } from '../../components/ui/Pagination';
import { QueryView } from '../../components/ui/QueryView';
import { RelativeTime } from '../../components/ui/RelativeTime';
import { useApi } from '../../lib/api';
import { queryKeys } from '../../lib/queryKeys';
import { PriorityBadge } from '../specs/PriorityBadge';
import { NewTicketDialog } from './NewTicketDialog';

const PAGE = 20;

const statusTones: Record<TicketStatus, Tone> = { backlog: 'neutral', todo: 'info', in_progress: 'accent', done: 'success', cancelled: 'warning' };
export function TicketStatusBadge({ status }: { status: TicketStatus }) {
  return <Badge tone={statusTones[status]}>{status.replace('_', ' ')}</Badge>;
}

function columns(projectId: string): DataTableColumn<Ticket>[] {
  return [
    {
      key: 'ticket',
      header: 'Ticket',
      cell: (ticket) => (
        <>
          {ticket.local_id ? <span className="mr-2 font-mono text-xs text-slate-500">{ticket.local_id}</span> : null}
          <span className="font-medium">{ticket.title}</span>
        </>
      ),
    },
    { key: 'status', header: 'Status', cell: (ticket) => <TicketStatusBadge status={ticket.status} /> },
    { key: 'priority', header: 'Priority', cell: (ticket) => <PriorityBadge priority={ticket.priority} /> },
    {
      key: 'mode',
      header: 'Mode',
      cell: (ticket) =>
        ticket.workflow_mode === 'spec_driven' ? (
          ticket.spec_id ? (
            <Link className="text-indigo-700 hover:underline" to={`/projects/${projectId}/specs/${ticket.spec_id}`}>
              Spec-driven · open spec
            </Link>
          ) : (
            'Spec-driven'
          )
        ) : (
          'Quick'
        ),
    },
    { key: 'created', header: 'Created', className: 'px-3 py-2 whitespace-nowrap text-slate-600', cell: (ticket) => <RelativeTime iso={ticket.created_at} /> },
  ];
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
      <QueryView
        query={tickets}
        loadingLabel="Loading tickets…"
        errorTitle="Could not load tickets"
        isEmpty={(data) => data.tickets.length === 0}
        empty={<EmptyState title="No tickets yet" description="A spec-driven ticket starts a spec run: explore, requirements, design, tasks, sync." />}
      >
        {(data) => <DataTable caption="Tickets of this project" columns={columns(projectId)} rows={data.tickets} rowKey={(ticket) => ticket.id} />}
      </QueryView>
      {tickets.data ? <Pagination label="Ticket pages" offset={offset} limit={PAGE} total={tickets.data.total} onOffsetChange={setOffset} /> : null}
      <NewTicketDialog projectId={projectId} open={creating} onOpenChange={setCreating} />
    </section>
  );
}
