import type { Phase, Spec, SpecStatus } from '@specline/protocol';
import { Ban, CheckCircle2, CircleDashed, Clock, Hand, Loader2, XCircle } from 'lucide-react';
import { Badge, type Tone } from '../../components/ui/Badge';

/**
 * Every status this web knows, with the ones other servers' versions add (`awaiting_approval` in review
 * mode, `queued` behind a run queue) before the protocol type has them; an unknown status is shown by name.
 */
type KnownStatus = SpecStatus | 'awaiting_approval' | 'queued';

const presentation: Record<KnownStatus, { label: string; tone: Tone }> = {
  draft: { label: 'Draft', tone: 'neutral' },
  executing: { label: 'Running', tone: 'info' },
  queued: { label: 'Queued', tone: 'neutral' },
  awaiting_approval: { label: 'Awaiting your approval', tone: 'warning' },
  completed: { label: 'Completed', tone: 'success' },
  failed: { label: 'Failed', tone: 'danger' },
  cancelled: { label: 'Cancelled', tone: 'neutral' },
};

function presentationOf(status: string): { label: string; tone: Tone } {
  return Object.hasOwn(presentation, status) ? presentation[status as KnownStatus] : { label: status.replace(/_/g, ' '), tone: 'neutral' };
}

function StatusIcon({ status }: { status: string }) {
  const cls = 'size-3.5';
  switch (status) {
    case 'draft':
      return <CircleDashed aria-hidden className={cls} />;
    case 'executing':
      return <Loader2 aria-hidden className={`${cls} animate-spin motion-reduce:animate-none`} />;
    case 'completed':
      return <CheckCircle2 aria-hidden className={cls} />;
    case 'failed':
      return <XCircle aria-hidden className={cls} />;
    case 'cancelled':
      return <Ban aria-hidden className={cls} />;
    case 'awaiting_approval':
      return <Hand aria-hidden className={cls} />;
    case 'queued':
      return <Clock aria-hidden className={cls} />;
    default:
      return <CircleDashed aria-hidden className={cls} />;
  }
}

/** The spec's status in text and icon (not colour alone); a queued spec says its place in line ("Queued · position 2"). */
export function SpecStatusBadge({ status, queuePosition }: { status: SpecStatus; queuePosition?: number | null | undefined }) {
  const { label, tone } = presentationOf(status);
  return (
    <Badge tone={tone} icon={<StatusIcon status={status} />}>
      {status === 'queued' && queuePosition ? `${label} · position ${queuePosition}` : label}
    </Badge>
  );
}

const PHASE_NAMES: Record<Phase, string> = { explore: 'Explore', prd: 'PRD', requirements: 'Requirements', design: 'Design', tasks: 'Tasks', sync: 'Sync' };

/**
 * The spec's phase, the same everywhere (list, sidebar, export): "Not started" before any run, else the
 * phase running now or reached last. Never the legacy `phase` field ("Requirements" for a draft).
 */
export function specPhaseText(spec: Pick<Spec, 'current_phase'>): string {
  return spec.current_phase ? PHASE_NAMES[spec.current_phase] : 'Not started';
}

export function specStatusLabel(status: SpecStatus): string {
  return presentationOf(status).label;
}
