import type { Spec } from '@specline/protocol';
import { useMutation } from '@tanstack/react-query';
import { Plus } from 'lucide-react';
import { useState } from 'react';
import { toast } from 'sonner';
import { Button } from '../../../components/ui/Button';
import { EmptyState } from '../../../components/ui/EmptyState';
import { useApi } from '../../../lib/api';
import { errorMessage } from '../../../lib/errors';
import { useSpecCache } from '../useSpec';
import { ApprovalBar } from './ApprovalBar';
import { requirementsApproval } from './approval';
import { RequirementCard } from './RequirementCard';
import { RequirementDialog } from './RequirementDialog';

export function RequirementsTab({ spec }: { spec: Spec }) {
  const api = useApi();
  const cache = useSpecCache(spec.id);
  const [adding, setAdding] = useState(false);
  const approval = requirementsApproval(spec);
  const approve = useMutation({
    mutationFn: () => api.specs.approveRequirements(spec.id),
    onSuccess: (answer) => {
      cache.setSpec(answer);
      cache.invalidateDerived();
      toast.success('Requirements approved');
    },
    onError: (error) => toast.error(`Could not approve the requirements: ${errorMessage(error)}`),
  });

  return (
    <div className="flex flex-col gap-4">
      <div className="flex items-center justify-between">
        <h2 className="text-lg font-semibold">Requirements ({spec.requirements.length})</h2>
        <Button onClick={() => setAdding(true)} icon={<Plus aria-hidden className="size-4" />}>
          Add requirement
        </Button>
      </div>
      <ApprovalBar what="requirements" approval={approval} pending={approve.isPending} onApprove={() => approve.mutate()} />
      {spec.requirements.length === 0 ? (
        <EmptyState
          title="No requirements yet"
          description={spec.status === 'executing' ? 'The run is working on them; they appear here when the requirements phase completes.' : 'Run the spec to generate them, or add one by hand.'}
        />
      ) : (
        <div className="flex flex-col gap-3">
          {spec.requirements.map((requirement) => (
            <RequirementCard key={requirement.id} specId={spec.id} requirement={requirement} />
          ))}
        </div>
      )}
      <RequirementDialog specId={spec.id} open={adding} onOpenChange={setAdding} />
    </div>
  );
}
