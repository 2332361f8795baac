import type { SpecStatus } from '@specline/protocol';
import { Ban, CheckCircle2, CircleDashed, Loader2, XCircle } from 'lucide-react';
import { Badge, type Tone } from '../../components/ui/Badge';

const presentation: Record<SpecStatus, { label: string; tone: Tone }> = {
  draft: { label: 'Draft', tone: 'neutral' },
  executing: { label: 'Running', tone: 'info' },
  completed: { label: 'Completed', tone: 'success' },
  failed: { label: 'Failed', tone: 'danger' },
  cancelled: { label: 'Cancelled', tone: 'warning' },
};

function StatusIcon({ status }: { status: SpecStatus }) {
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
  }
}

/** The spec's status in text and icon (not colour alone). */
export function SpecStatusBadge({ status }: { status: SpecStatus }) {
  const { label, tone } = presentation[status];
  return (
    <Badge tone={tone} icon={<StatusIcon status={status} />}>
      {label}
    </Badge>
  );
}

export function specStatusLabel(status: SpecStatus): string {
  return presentation[status].label;
}
