import type { Ticket } from '@specline/protocol';
import { useQuery } from '@tanstack/react-query';
import { ChevronRight } from 'lucide-react';
import type { ReactNode } from 'react';
import { Link, Navigate, useParams } from 'react-router';
import { NotFoundPage } from '../../app/NotFoundPage';
import { EmptyState } from '../../components/ui/EmptyState';
import { ErrorState } from '../../components/ui/ErrorState';
import { QueryView } from '../../components/ui/QueryView';
import { Spinner } from '../../components/ui/Spinner';
import { useApi } from '../../lib/api';
import { isNotFound } from '../../lib/errors';
import { formatFull, formatRelative } from '../../lib/format';
import { queryKeys } from '../../lib/queryKeys';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { PriorityBadge } from '../specs/PriorityBadge';
import { SpecStatusBadge } from '../specs/SpecStatusBadge';
import { TicketStatusBadge, ticketPath, ticketTypeLabel } from './ticketModel';

const tasksKey = (ticketId: string) => [...queryKeys.tickets.detail(ticketId), 'tasks'] as const;
const historyKey = (ticketId: string) => [...queryKeys.tickets.detail(ticketId), 'history'] as const;

function Time({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatFull(iso)}>
      {formatRelative(iso)}
    </time>
  );
}

function Card({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="rounded-lg border border-slate-200 bg-white p-4">
      <h2 id={id} className="mb-2 text-base font-semibold text-slate-900">
        {title}
      </h2>
      {children}
    </section>
  );
}

/** `/projects/:projectId/tickets/:ticketId`: description, status, linked spec, tasks and history. */
export function TicketPage() {
  const { projectId = '', ticketId = '' } = useParams();
  const api = useApi();
  const ticket = useQuery({ queryKey: queryKeys.tickets.detail(ticketId), queryFn: ({ signal }) => api.tickets.get(ticketId, signal) });
  const project = useQuery({ queryKey: queryKeys.projects.detail(projectId), queryFn: ({ signal }) => api.projects.get(projectId, signal) });
  const name = ticket.data ? (ticket.data.local_id ? `${ticket.data.local_id} ${ticket.data.title}` : ticket.data.title) : undefined;
  useDocumentTitle(ticket.isError && isNotFound(ticket.error) ? 'Ticket not found' : name, project.data?.name);

  if (ticket.isPending) return <Spinner label="Loading ticket…" />;
  if (ticket.isError) {
    if (isNotFound(ticket.error)) return <NotFoundPage what="ticket" />;
    return <ErrorState title="Could not load the ticket" error={ticket.error} onRetry={() => void ticket.refetch()} retrying={ticket.isFetching} />;
  }
  if (ticket.data.project_id !== projectId) return <Navigate to={ticketPath(ticket.data.project_id, ticketId)} replace />;
  return <TicketDetail ticket={ticket.data} projectName={project.data?.name} />;
}

function TicketDetail({ ticket, projectName }: { ticket: Ticket; projectName: string | undefined }) {
  const api = useApi();
  const tasks = useQuery({ queryKey: tasksKey(ticket.id), queryFn: ({ signal }) => api.tickets.tasks(ticket.id, signal) });
  const history = useQuery({ queryKey: historyKey(ticket.id), queryFn: ({ signal }) => api.tickets.history(ticket.id, signal) });
  const specId = ticket.spec_id;
  const spec = useQuery({ queryKey: queryKeys.specs.detail(specId ?? ''), queryFn: ({ signal }) => api.specs.get(specId ?? '', signal), enabled: specId !== null });

  return (
    <div className="flex flex-col gap-6">
      <header className="flex flex-col gap-3">
        <nav aria-label="Breadcrumb" className="flex flex-wrap items-center gap-1 text-sm text-slate-500">
          <Link to="/projects" className="hover:underline">
            Projects
          </Link>
          <ChevronRight aria-hidden className="size-3.5" />
          <Link to={`/projects/${ticket.project_id}`} className="hover:underline">
            {projectName ?? 'Project'}
          </Link>
          <ChevronRight aria-hidden className="size-3.5" />
          <span aria-current="page" className="min-w-0 [overflow-wrap:anywhere]">
            {ticket.local_id ?? 'Ticket'}
          </span>
        </nav>
        <h1 className="text-2xl font-semibold [overflow-wrap:anywhere]">
          {ticket.local_id ? <span className="mr-2 font-mono text-lg text-slate-500">{ticket.local_id}</span> : null}
          {ticket.title}
        </h1>
        <dl className="flex flex-wrap items-center gap-x-6 gap-y-2 text-sm">
          <div className="flex items-center gap-2">
            <dt className="text-slate-500">Status</dt>
            <dd>
              <TicketStatusBadge ticket={ticket} />
            </dd>
          </div>
          <div className="flex items-center gap-2">
            <dt className="text-slate-500">Priority</dt>
            <dd>
              <PriorityBadge priority={ticket.priority} />
            </dd>
          </div>
          <div className="flex items-center gap-2">
            <dt className="text-slate-500">Type</dt>
            <dd>{ticketTypeLabel(ticket)}</dd>
          </div>
          <div className="flex items-center gap-2">
            <dt className="text-slate-500">Created</dt>
            <dd>
              <Time iso={ticket.created_at} />
            </dd>
          </div>
        </dl>
        {ticket.is_blocked ? (
          <p role="note" className="rounded-md bg-red-50 p-2 text-sm text-red-900">
            Blocked{ticket.blocked_reason ? `: ${ticket.blocked_reason.replace(/_/g, ' ')}` : ''}. It cannot move until it is unblocked.
          </p>
        ) : null}
      </header>

      <div className="grid grid-cols-[minmax(0,1fr)] gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <div className="flex min-w-0 flex-col gap-6">
          <Card id="ticket-description" title="Description">
            {ticket.description.trim() ? <p className="text-sm whitespace-pre-line text-slate-700 [overflow-wrap:anywhere]">{ticket.description}</p> : <p className="text-sm text-slate-500">No description.</p>}
          </Card>
          <Card id="ticket-tasks" title={`Tasks${tasks.data ? ` (${tasks.data.tasks.length})` : ''}`}>
            <QueryView
              query={tasks}
              loadingLabel="Loading tasks…"
              errorTitle="Could not load the tasks"
              isEmpty={(data) => data.tasks.length === 0}
              empty={<EmptyState title="No tasks" description={specId ? 'The spec’s SYNC phase adds the tasks of its tickets.' : 'A quick ticket has no tasks.'} />}
            >
              {(data) => (
                <ol className="flex flex-col divide-y divide-slate-100" aria-label="Tasks of this ticket">
                  {data.tasks.map((task) => (
                    <li key={task.id} className="flex flex-wrap items-start justify-between gap-2 py-2 text-sm">
                      <span className="min-w-0 [overflow-wrap:anywhere]">
                        {task.local_id ? <span className="mr-1.5 font-mono text-xs text-slate-500">{task.local_id}</span> : null}
                        <span className="font-medium">{task.title}</span>
                        {task.description ? <span className="block text-xs text-slate-600">{task.description}</span> : null}
                      </span>
                      <span className="flex items-center gap-2 text-xs text-slate-600">
                        <span>{task.status.replace(/_/g, ' ')}</span>
                        {task.estimated_hours !== null ? <span>{task.estimated_hours} h</span> : null}
                        <PriorityBadge priority={task.priority} />
                      </span>
                    </li>
                  ))}
                </ol>
              )}
            </QueryView>
          </Card>
        </div>
        <aside aria-label="Ticket details" className="flex min-w-0 flex-col gap-6">
          <Card id="ticket-spec" title="Linked spec">
            {specId === null ? (
              <p className="text-sm text-slate-500">No spec: a quick ticket.</p>
            ) : spec.isPending ? (
              <Spinner label="Loading the spec…" className="p-2" />
            ) : spec.isError ? (
              isNotFound(spec.error) ? (
                <p className="text-sm text-slate-500">The linked spec is gone.</p>
              ) : (
                <ErrorState title="Could not load the spec" error={spec.error} onRetry={() => void spec.refetch()} retrying={spec.isFetching} />
              )
            ) : (
              <div className="flex flex-col items-start gap-1.5 text-sm">
                <Link to={`/projects/${spec.data.project_id}/specs/${spec.data.id}`} className="font-medium text-indigo-700 [overflow-wrap:anywhere] hover:underline">
                  {spec.data.title}
                </Link>
                <SpecStatusBadge status={spec.data.status} queuePosition={spec.data.queue_position} />
              </div>
            )}
          </Card>
          <Card id="ticket-history" title="History">
            <QueryView query={history} loadingLabel="Loading the history…" errorTitle="Could not load the history" isEmpty={(data) => data.entries.length === 0} empty={<p className="text-sm text-slate-500">Nothing recorded yet.</p>}>
              {(data) => (
                <ol className="flex flex-col gap-2 text-sm" aria-label="History of this ticket">
                  {data.entries.map((entry, i) => (
                    <li key={`${entry.at}-${i}`}>
                      <p className="[overflow-wrap:anywhere]">
                        {entry.summary}
                        {entry.by ? <span className="text-slate-500"> · {entry.by}</span> : null}
                      </p>
                      <p className="text-xs text-slate-500">
                        <Time iso={entry.at} />
                      </p>
                    </li>
                  ))}
                </ol>
              )}
            </QueryView>
          </Card>
        </aside>
      </div>
    </div>
  );
}
