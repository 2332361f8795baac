import type { Spec } from '@specline/protocol';
import { useQuery } from '@tanstack/react-query';
import { History } from 'lucide-react';
import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { Button } from '../../components/ui/Button';
import { ErrorState } from '../../components/ui/ErrorState';
import { Spinner } from '../../components/ui/Spinner';
import { useApi } from '../../lib/api';
import { formatFull, formatRelative } from '../../lib/format';
import { queryKeys } from '../../lib/queryKeys';
import { formatCost } from '../execution/cost';
import { PLANNER_SENTENCE, specAuthorship, type Authorship } from '../phases/executors';
import { PhaseProgressInline } from '../phases/PhaseProgress';
import { TicketStatusBadge, ticketPath } from '../tickets/ticketModel';
import { SpecStatusBadge, specPhaseText } from './SpecStatusBadge';
import { VersionEntry, VersionHistoryDialog } from './VersionHistory';

const RECENT = { limit: 5, offset: 0 };

function Card({ title, children, action }: { title: string; children: ReactNode; action?: ReactNode }) {
  const id = `sidebar-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <section aria-labelledby={id} className="rounded-lg border border-slate-200 bg-white p-4">
      <div className="mb-2 flex items-center justify-between">
        <h2 id={id} className="text-sm font-semibold text-slate-900">
          {title}
        </h2>
        {action}
      </div>
      {children}
    </section>
  );
}

function Time({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatFull(iso)}>
      {formatRelative(iso)}
    </time>
  );
}

/** A commit as people quote it: its first 7 characters (a non-hex ref is shown whole). */
export function shortSha(commit: string): string {
  return /^[0-9a-f]{8,}$/i.test(commit) ? commit.slice(0, 7) : commit;
}

/** The "Written by" value for a model-written spec; the planner gets its own sentence (see below). */
function authorshipText(authorship: Authorship): string | null {
  switch (authorship.kind) {
    case 'unknown':
    case 'planner':
      return null;
    case 'single':
      return authorship.label;
    case 'mixed':
      return authorship.labels.join(', ');
  }
}

/** Metadata, phase summary, linked tickets, recent versions with the full history. */
export function SpecSidebar({ spec }: { spec: Spec }) {
  const api = useApi();
  const [historyOpen, setHistoryOpen] = useState(false);
  const authorship = specAuthorship(spec.phases, spec.phase_status);
  const writtenBy = authorshipText(authorship);
  const tickets = useQuery({ queryKey: queryKeys.specs.linkedTickets(spec.id), queryFn: ({ signal }) => api.specs.linkedTickets(spec.id, signal) });
  const versions = useQuery({ queryKey: queryKeys.specs.versions(spec.id, RECENT), queryFn: ({ signal }) => api.specs.versions(spec.id, RECENT, signal) });

  return (
    <aside aria-label="Spec details" className="flex flex-col gap-4">
      <Card title="Details">
        <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1.5 text-sm">
          <dt className="text-slate-500">Status</dt>
          <dd>
            <SpecStatusBadge status={spec.status} queuePosition={spec.queue_position} />
          </dd>
          <dt className="text-slate-500">Phase</dt>
          <dd data-testid="sidebar-phase">{specPhaseText(spec)}</dd>
          <dt className="text-slate-500">Progress</dt>
          <dd>{Math.round(spec.progress)}%</dd>
          <dt className="text-slate-500">Created</dt>
          <dd>
            <Time iso={spec.created_at} />
          </dd>
          <dt className="text-slate-500">Updated</dt>
          <dd>
            <Time iso={spec.updated_at} />
          </dd>
          {spec.usage ? (
            <>
              <dt className="text-slate-500">Usage</dt>
              <dd>
                {(spec.usage.input_tokens + spec.usage.output_tokens).toLocaleString()} tokens · {formatCost(spec.usage.cost_usd)}
              </dd>
            </>
          ) : null}
          {writtenBy ? (
            <>
              <dt className="text-slate-500">Written by</dt>
              <dd data-testid="sidebar-written-by">{writtenBy}</dd>
            </>
          ) : null}
          {spec.repo_commit ? (
            <>
              <dt className="text-slate-500">Commit</dt>
              <dd>
                <code className="rounded bg-slate-100 px-1 py-0.5 font-mono text-xs text-slate-800" title={`Explored commit ${spec.repo_commit}`} data-testid="explored-commit">
                  {shortSha(spec.repo_commit)}
                </code>
                <span className="sr-only"> (the commit the latest run explored)</span>
              </dd>
            </>
          ) : null}
        </dl>
        {authorship.kind === 'planner' ? (
          <p className="mt-3 text-xs text-slate-600" data-testid="sidebar-written-by">
            {PLANNER_SENTENCE}.
          </p>
        ) : null}
        <div className="mt-3 border-t border-slate-100 pt-3">
          <PhaseProgressInline spec={spec} />
        </div>
        {spec.last_error ? (
          <p role="note" className="mt-3 rounded-md bg-red-50 p-2 text-xs text-red-800">
            Last error: {spec.last_error}
          </p>
        ) : null}
      </Card>

      <Card title={`Linked tickets${tickets.data ? ` (${tickets.data.total})` : ''}`}>
        {tickets.isPending ? (
          <Spinner label="Loading tickets…" className="p-2" />
        ) : tickets.isError ? (
          <ErrorState title="Could not load linked tickets" error={tickets.error} onRetry={() => void tickets.refetch()} retrying={tickets.isFetching} />
        ) : tickets.data.tickets.length === 0 ? (
          <p className="text-sm text-slate-500">No tickets linked yet. The sync phase creates them.</p>
        ) : (
          <ul className="flex flex-col gap-1.5 text-sm">
            {tickets.data.tickets.map((ticket) => (
              <li key={ticket.id} className="flex items-start justify-between gap-2">
                <Link to={ticketPath(spec.project_id, ticket.id)} className="text-indigo-700 [overflow-wrap:anywhere] hover:underline">
                  {ticket.local_id ? <span className="mr-1.5 font-mono text-xs text-slate-500">{ticket.local_id}</span> : null}
                  {ticket.title}
                </Link>
                <TicketStatusBadge ticket={ticket} />
              </li>
            ))}
          </ul>
        )}
      </Card>

      <Card
        title="Recent changes"
        action={
          <Button size="sm" variant="ghost" onClick={() => setHistoryOpen(true)} icon={<History aria-hidden className="size-4" />}>
            Full history
          </Button>
        }
      >
        {versions.isPending ? (
          <Spinner label="Loading versions…" className="p-2" />
        ) : versions.isError ? (
          <ErrorState title="Could not load versions" error={versions.error} onRetry={() => void versions.refetch()} retrying={versions.isFetching} />
        ) : versions.data.versions.length === 0 ? (
          <p className="text-sm text-slate-500">No changes yet.</p>
        ) : (
          <ol aria-label="Recent versions">
            {versions.data.versions.map((version) => (
              <VersionEntry key={version.id} version={version} />
            ))}
          </ol>
        )}
      </Card>
      <VersionHistoryDialog specId={spec.id} open={historyOpen} onOpenChange={setHistoryOpen} />
    </aside>
  );
}
