import { Check, GitPullRequestArrow, X } from 'lucide-react';
import { toast } from 'sonner';
import { Button } from '../../components/ui/Button';
import { errorMessage } from '../../lib/errors';
import { FieldChangeRow } from './DiffView';
import { ACTION_TEXT, criterionProposalsOf, proposalsForRow, type ProposalView } from './proposals';
import { useProposals, useResolveProposal } from './useReview';

/**
 * A change a run wanted to make to a row a person edited: before → after, field by field, with Accept
 * (the run's version is applied) and Dismiss (the person's version stays).
 */
export function ProposedChange({ specId, proposal }: { specId: string; proposal: ProposalView }) {
  const resolve = useResolveProposal(specId);
  const name = proposal.localId ?? proposal.title ?? proposal.kind;
  const act = (action: 'accept' | 'dismiss') =>
    resolve.mutate(
      { proposalId: proposal.id, action },
      {
        onSuccess: () => toast.success(action === 'accept' ? `Applied the proposed change to ${name}` : `Dismissed the proposed change to ${name}`),
        onError: (error) => toast.error(`Could not ${action} the proposed change: ${errorMessage(error)}`),
      },
    );
  return (
    <section aria-label={`Proposed change to ${name}`} className="rounded-md border border-violet-300 bg-violet-50 p-3" data-testid="proposed-change" data-proposal-id={proposal.id}>
      <div className="flex flex-wrap items-center gap-2">
        <GitPullRequestArrow aria-hidden className="size-4 text-violet-700" />
        <h4 className="text-sm font-semibold text-violet-950">Proposed change</h4>
        <span className="text-xs text-violet-900">
          {ACTION_TEXT[proposal.action] ?? 'The run would change this'}
          {proposal.kind === 'criterion' && proposal.localId ? ` (${proposal.localId})` : ''}; you edited it, so it was not overwritten.
        </span>
      </div>
      {proposal.changes.length > 0 ? (
        <div className="mt-2 flex flex-col gap-1.5">
          {proposal.changes.map((change) => (
            <FieldChangeRow key={change.field} {...change} />
          ))}
        </div>
      ) : proposal.title ? (
        <p className="mt-2 text-sm text-slate-800">{proposal.title}</p>
      ) : null}
      <div className="mt-2 flex flex-wrap gap-2">
        <Button size="sm" variant="primary" pending={resolve.isPending && resolve.variables.action === 'accept'} disabled={resolve.isPending} onClick={() => act('accept')} aria-label={`Accept the proposed change to ${name}`} icon={<Check aria-hidden className="size-4" />}>
          Accept
        </Button>
        <Button size="sm" pending={resolve.isPending && resolve.variables.action === 'dismiss'} disabled={resolve.isPending} onClick={() => act('dismiss')} aria-label={`Dismiss the proposed change to ${name}`} icon={<X aria-hidden className="size-4" />}>
          Dismiss
        </Button>
      </div>
    </section>
  );
}

/** The open proposals of one row (a requirement and its criteria, a task, the design); nothing when there are none. */
export function RowProposals({ specId, kind, row }: { specId: string; kind: 'requirement' | 'task' | 'design'; row?: { id: string; local_id: string | null } }) {
  const { proposals } = useProposals(specId);
  const mine =
    kind === 'design'
      ? proposals.filter((p) => p.kind === 'design' || p.kind === 'component')
      : row
        ? [...proposalsForRow(proposals, kind, row), ...(kind === 'requirement' ? criterionProposalsOf(proposals, row) : [])]
        : [];
  if (mine.length === 0) return null;
  return (
    <div className="flex flex-col gap-2">
      {mine.map((proposal) => (
        <ProposedChange key={proposal.id} specId={specId} proposal={proposal} />
      ))}
    </div>
  );
}
