import type { Phase, Spec } from '@specline/protocol';
import { Hand, ShieldCheck, ThumbsDown } from 'lucide-react';
import { useId, useState } from 'react';
import { toast } from 'sonner';
import { Button } from '../../components/ui/Button';
import { errorMessage } from '../../lib/errors';
import { awaitingState } from './approvalState';
import { phaseLabel } from './model';
import { RejectDialog } from './RejectDialog';
import { useApprovePhase, useRejectPhase } from './useReview';

/**
 * Under the stepper while a review-mode run waits: which phase waits for you, with Approve and Reject
 * one click away. A button the server would refuse is disabled with the reason next to it.
 */
export function AwaitingApprovalBar({ spec, onShowDetails }: { spec: Spec; onShowDetails?: (phase: Phase) => void }) {
  const state = awaitingState(spec);
  const approve = useApprovePhase(spec.id);
  const reject = useRejectPhase(spec.id);
  const [rejecting, setRejecting] = useState(false);
  const reasonId = useId();
  if (!state) return null;
  const label = phaseLabel(state.phase);
  const reason = state.approve.reason ?? state.reject.reason;

  return (
    <section
      aria-label={`${label} awaiting your approval`}
      data-testid="awaiting-approval"
      data-phase={state.phase}
      className="flex flex-wrap items-center gap-3 rounded-lg border border-amber-300 bg-amber-50 p-3"
    >
      <Hand aria-hidden className="size-5 shrink-0 text-amber-700" />
      <div className="min-w-0 flex-1">
        <p className="font-semibold text-amber-950">{label}: Awaiting your approval</p>
        <p className="text-sm text-amber-900">
          {state.phase === 'requirements' ? 'Review the requirements; approving them lets the run go on to the design.' : 'Review the design; approving it lets the run plan the tasks and create the tickets.'}
          {reason ? (
            <span id={reasonId} className="ml-1 font-medium">
              {reason}
            </span>
          ) : null}
        </p>
      </div>
      <div className="flex flex-wrap gap-2">
        {onShowDetails ? (
          <Button variant="ghost" onClick={() => onShowDetails(state.phase)}>
            View {label.toLowerCase()} details
          </Button>
        ) : null}
        <Button
          variant="secondary"
          disabled={!state.reject.allowed || approve.isPending}
          aria-describedby={state.reject.reason ? reasonId : undefined}
          onClick={() => setRejecting(true)}
          icon={<ThumbsDown aria-hidden className="size-4" />}
        >
          Reject {label.toLowerCase()}…
        </Button>
        <Button
          variant="primary"
          pending={approve.isPending}
          disabled={!state.approve.allowed}
          aria-describedby={state.approve.reason ? reasonId : undefined}
          onClick={() =>
            approve.mutate(state.phase, {
              onSuccess: () => toast.success(`${label} approved`),
              onError: (error) => toast.error(`Could not approve the ${label.toLowerCase()}: ${errorMessage(error)}`),
            })
          }
          icon={<ShieldCheck aria-hidden className="size-4" />}
        >
          Approve {label.toLowerCase()}
        </Button>
      </div>
      <RejectDialog
        open={rejecting}
        onOpenChange={setRejecting}
        phase={state.phase}
        onReject={async (comment) => {
          await reject.mutateAsync({ phase: state.phase, comment });
          toast.success(`${label} rejected: re-running it with your comment`);
        }}
      />
    </section>
  );
}
