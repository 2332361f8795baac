import type { Ticket, TicketType } from '@specline/protocol';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { TicketPlus } from 'lucide-react';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Button } from '../../components/ui/Button';
import { DataTable, type DataTableColumn } from '../../components/ui/DataTable';
import { EmptyState } from '../../components/ui/EmptyState';
import { SelectField } from '../../components/ui/Field';
import { Pagination } from '../../components/ui/Pagination';
import { QueryView } from '../../components/ui/QueryView';
import { RelativeTime } from '../../components/ui/RelativeTime';
import { useApi } from '../../lib/api';
import { queryKeys } from '../../lib/queryKeys';
import { PriorityBadge } from '../specs/PriorityBadge';
import { NewTicketDialog } from './NewTicketDialog';
import { TICKET_STATUS_OPTIONS, TICKET_TYPE_OPTIONS, TicketStatusBadge, parseTicketStatus, parseTicketType, ticketPath, ticketTypeLabel } from './ticketModel';

const PAGE = 20;
/** The filters' URL parameters (`?ticket_status=todo&ticket_type=generated`): a filtered list can be shared. */
export const TICKET_STATUS_PARAM = 'ticket_status';
export const TICKET_TYPE_PARAM = 'ticket_type';

function columns(projectId: string): DataTableColumn<Ticket>[] {
  return [
    {
      key: 'ticket',
      header: 'Ticket',
      cell: (ticket) => (
        <Link to={ticketPath(projectId, ticket.id)} className="font-medium text-indigo-700 [overflow-wrap:anywhere] hover:underline">
          {ticket.local_id ? <span className="mr-2 font-mono text-xs text-slate-500">{ticket.local_id}</span> : null}
          {ticket.title}
        </Link>
      ),
    },
    { key: 'status', header: 'Status', cell: (ticket) => <TicketStatusBadge ticket={ticket} /> },
    { key: 'priority', header: 'Priority', cell: (ticket) => <PriorityBadge priority={ticket.priority} /> },
    {
      key: 'type',
      header: 'Type',
      cell: (ticket) =>
        ticket.spec_id ? (
          <Link className="text-indigo-700 hover:underline" to={`/projects/${projectId}/specs/${ticket.spec_id}`} aria-label={`${ticketTypeLabel(ticket)}: open the spec of ${ticket.title}`}>
            {ticketTypeLabel(ticket)} · spec
          </Link>
        ) : (
          ticketTypeLabel(ticket)
        ),
    },
    { key: 'created', header: 'Created', className: 'px-3 py-2 whitespace-nowrap text-slate-600', cell: (ticket) => <RelativeTime iso={ticket.created_at} /> },
  ];
}

/** The project's tickets, newest first (one SYNC's tickets TKT-001 first), filtered by status and type (in the URL). */
export function TicketList({ projectId }: { projectId: string }) {
  const api = useApi();
  const [search, setSearch] = useSearchParams();
  const status = parseTicketStatus(search.get(TICKET_STATUS_PARAM));
  const type = parseTicketType(search.get(TICKET_TYPE_PARAM));
  const [offset, setOffset] = useState(0);
  const [creating, setCreating] = useState(false);
  const params: { project_id: string; limit: number; offset: number; status?: string; type?: TicketType } = {
    project_id: projectId,
    limit: PAGE,
    offset,
    ...(status ? { status } : {}),
    ...(type ? { type } : {}),
  };
  const tickets = useQuery({ queryKey: queryKeys.tickets.list(params), queryFn: ({ signal }) => api.tickets.list(params, signal), placeholderData: keepPreviousData });
  const filtered = Boolean(status || type);

  const setFilter = (key: string, value: string) => {
    setOffset(0);
    setSearch(
      (current) => {
        const next = new URLSearchParams(current);
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      },
      { replace: true },
    );
  };

  return (
    <section aria-labelledby="tickets-title" className="flex flex-col gap-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h2 id="tickets-title" className="text-lg font-semibold">
          Tickets
        </h2>
        <div className="flex flex-wrap items-end gap-2">
          <div className="w-40">
            <SelectField label="Ticket status" value={status} options={TICKET_STATUS_OPTIONS} onChange={(e) => setFilter(TICKET_STATUS_PARAM, e.target.value)} />
          </div>
          <div className="w-44">
            <SelectField label="Ticket type" value={type} options={TICKET_TYPE_OPTIONS} onChange={(e) => setFilter(TICKET_TYPE_PARAM, e.target.value)} />
          </div>
          <Button variant="primary" onClick={() => setCreating(true)} icon={<TicketPlus aria-hidden className="size-4" />}>
            New ticket
          </Button>
        </div>
      </div>
      <QueryView
        query={tickets}
        loadingLabel="Loading tickets…"
        errorTitle="Could not load tickets"
        isEmpty={(data) => data.tickets.length === 0}
        empty={
          filtered ? (
            <EmptyState title="No tickets match these filters" description="Clear a filter to see more." />
          ) : (
            <EmptyState title="No tickets yet" description="A spec-driven ticket starts a spec run: explore, requirements, design, tasks, sync." />
          )
        }
      >
        {(data) => <DataTable caption="Tickets of this project, newest first" columns={columns(projectId)} rows={data.tickets} rowKey={(ticket) => ticket.id} />}
      </QueryView>
      {tickets.data ? <Pagination label="Ticket pages" offset={offset} limit={PAGE} total={tickets.data.total} onOffsetChange={setOffset} /> : null}
      <NewTicketDialog projectId={projectId} open={creating} onOpenChange={setCreating} />
    </section>
  );
}
