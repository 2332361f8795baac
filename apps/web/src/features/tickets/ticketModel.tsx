import { TicketStatus, TicketType, type Ticket } from '@specline/protocol';
import { Ban, CheckCircle2, Circle, CircleDashed, Loader, Lock } from 'lucide-react';
import { Badge, type Tone } from '../../components/ui/Badge';

const STATUS: Record<TicketStatus, { label: string; tone: Tone }> = {
  backlog: { label: 'Backlog', tone: 'neutral' },
  todo: { label: 'To do', tone: 'info' },
  in_progress: { label: 'In progress', tone: 'accent' },
  done: { label: 'Done', tone: 'success' },
  cancelled: { label: 'Cancelled', tone: 'warning' },
};

function StatusIcon({ status }: { status: TicketStatus }) {
  const cls = 'size-3';
  switch (status) {
    case 'backlog':
      return <CircleDashed aria-hidden className={cls} />;
    case 'todo':
      return <Circle aria-hidden className={cls} />;
    case 'in_progress':
      return <Loader aria-hidden className={cls} />;
    case 'done':
      return <CheckCircle2 aria-hidden className={cls} />;
    case 'cancelled':
      return <Ban aria-hidden className={cls} />;
  }
}

export function ticketStatusLabel(status: TicketStatus): string {
  return STATUS[status].label;
}

/** The ticket's status in words and an icon (not colour alone); a blocked ticket says so. */
export function TicketStatusBadge({ status, ticket }: { status?: TicketStatus; ticket?: Pick<Ticket, 'status' | 'is_blocked'> }) {
  const value = ticket?.status ?? status ?? 'backlog';
  const { label, tone } = STATUS[value];
  return (
    <span className="inline-flex flex-wrap items-center gap-1">
      <Badge tone={tone} icon={<StatusIcon status={value} />}>
        {label}
      </Badge>
      {ticket?.is_blocked ? (
        <Badge tone="danger" icon={<Lock aria-hidden className="size-3" />}>
          Blocked
        </Badge>
      ) : null}
    </span>
  );
}

/** What made the ticket: a spec's SYNC (it has a local id), a spec-driven ticket (its run), or a person (quick). */
export function ticketTypeOf(ticket: Pick<Ticket, 'local_id' | 'workflow_mode'>): TicketType {
  if (ticket.local_id) return 'generated';
  return ticket.workflow_mode;
}

const TYPE_LABELS: Record<TicketType, string> = { quick: 'Quick', spec_driven: 'Spec-driven', generated: 'From spec tasks' };

export function ticketTypeLabel(ticket: Pick<Ticket, 'local_id' | 'workflow_mode'>): string {
  return TYPE_LABELS[ticketTypeOf(ticket)];
}

export const TICKET_STATUS_OPTIONS: { value: TicketStatus | ''; label: string }[] = [{ value: '', label: 'All statuses' }, ...TicketStatus.options.map((s) => ({ value: s, label: STATUS[s].label }))];
export const TICKET_TYPE_OPTIONS: { value: TicketType | ''; label: string }[] = [
  { value: '', label: 'All types' },
  { value: 'generated', label: TYPE_LABELS.generated },
  { value: 'spec_driven', label: TYPE_LABELS.spec_driven },
  { value: 'quick', label: TYPE_LABELS.quick },
];

export function parseTicketStatus(value: string | null): TicketStatus | '' {
  const parsed = TicketStatus.safeParse(value);
  return parsed.success ? parsed.data : '';
}

export function parseTicketType(value: string | null): TicketType | '' {
  const parsed = TicketType.safeParse(value);
  return parsed.success ? parsed.data : '';
}

export function ticketPath(projectId: string, ticketId: string): string {
  return `/projects/${projectId}/tickets/${ticketId}`;
}
