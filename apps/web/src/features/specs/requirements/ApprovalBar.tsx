import { CheckCircle2, ShieldCheck } from 'lucide-react';
import { useId } from 'react';
import { Badge } from '../../../components/ui/Badge';
import { Button } from '../../../components/ui/Button';
import { formatFull } from '../../../lib/format';
import type { Approval } from './approval';

/** "Approve …" with its state: approved at a time, or why it cannot be approved yet. */
export function ApprovalBar({ what, approval, pending, onApprove }: { what: string; approval: Approval; pending: boolean; onApprove: () => void }) {
  const reasonId = useId();
  return (
    <div className="flex flex-wrap items-center justify-between gap-3 rounded-lg border border-slate-200 bg-white p-3">
      {approval.approved ? (
        <p className="flex items-center gap-2 text-sm text-emerald-800">
          <Badge tone="success" icon={<CheckCircle2 aria-hidden className="size-3.5" />}>
            Approved
          </Badge>
          <span>
            {what[0]?.toUpperCase() + what.slice(1)} approved{approval.approvedAt ? ' at ' : ''}
            {approval.approvedAt ? <time dateTime={approval.approvedAt}>{formatFull(approval.approvedAt)}</time> : null}
          </span>
        </p>
      ) : (
        <p id={reasonId} className="text-sm text-slate-600">
          {approval.reason ?? 'Not approved yet.'}
        </p>
      )}
      {approval.approved ? null : (
        <Button
          variant="primary"
          onClick={onApprove}
          pending={pending}
          disabled={!approval.allowed}
          aria-describedby={reasonId}
          icon={<ShieldCheck aria-hidden className="size-4" />}
        >
          Approve {what}
        </Button>
      )}
    </div>
  );
}
