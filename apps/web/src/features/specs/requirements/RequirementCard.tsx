import type { Requirement } from '@specline/protocol';
import { useMutation } from '@tanstack/react-query';
import { Pencil, Plus, Trash2 } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { toast } from 'sonner';
import { Badge } from '../../../components/ui/Badge';
import { Button, IconButton } from '../../../components/ui/Button';
import { ConfirmDialog } from '../../../components/ui/Dialog';
import { useApi } from '../../../lib/api';
import { errorMessage } from '../../../lib/errors';
import { LIMITS } from '../../../lib/limits';
import { PriorityBadge } from '../PriorityBadge';
import { RowProposals } from '../../review/ProposedChange';
import { useSpecCache } from '../useSpec';
import { CriterionRow, withCriterion } from './CriterionRow';
import { RequirementDialog } from './RequirementDialog';

/** One requirement: stable id, title, EARS condition and action, its criteria (tick, edit, delete, add), edit and delete. */
export function RequirementCard({ specId, requirement }: { specId: string; requirement: Requirement }) {
  const api = useApi();
  const cache = useSpecCache(specId);
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [newCriterion, setNewCriterion] = useState('');
  const name = requirement.local_id ?? requirement.title;
  const done = requirement.criteria.filter((c) => c.completed).length;
  const headingId = `req-${requirement.id}-title`;

  const addCriterion = useMutation({
    mutationFn: () => api.criteria.create(specId, requirement.id, { text: newCriterion }),
    onSuccess: (criterion) => {
      void cache.patchSpec((spec) => withCriterion(spec, requirement.id, criterion));
      cache.invalidateDerived();
      setNewCriterion('');
    },
    onError: (error) => toast.error(`Could not add the criterion: ${errorMessage(error)}`),
  });

  function submitCriterion(event: FormEvent) {
    event.preventDefault();
    if (newCriterion.trim()) addCriterion.mutate();
  }

  return (
    <article aria-labelledby={headingId} className="rounded-lg border border-slate-200 bg-white p-4">
      <header className="flex flex-wrap items-start gap-2">
        {requirement.local_id ? (
          <Badge tone="accent" className="font-mono">
            {requirement.local_id}
          </Badge>
        ) : (
          <Badge title="Added by a person, not by a run">Manual</Badge>
        )}
        <h3 id={headingId} className="flex-1 font-medium text-slate-900">
          {requirement.title}
        </h3>
        <PriorityBadge priority={requirement.priority} />
        <IconButton label={`Edit ${name}`} icon={<Pencil aria-hidden className="size-4" />} onClick={() => setEditing(true)} />
        <IconButton label={`Delete ${name}`} icon={<Trash2 aria-hidden className="size-4" />} onClick={() => setConfirmDelete(true)} />
      </header>

      <div className="mt-3 empty:hidden">
        <RowProposals specId={specId} kind="requirement" row={requirement} />
      </div>

      <dl className="mt-3 grid gap-2 text-sm sm:grid-cols-[auto_1fr]">
        <dt className="font-medium text-slate-500">Condition</dt>
        <dd className="text-slate-800">{requirement.condition || <span className="text-slate-500">Always (unconditional)</span>}</dd>
        <dt className="font-medium text-slate-500">Action</dt>
        <dd className="text-slate-800">{requirement.action}</dd>
      </dl>

      <section aria-label={`Acceptance criteria of ${name}`} className="mt-3 border-t border-slate-100 pt-3">
        <h4 className="text-xs font-medium tracking-wide text-slate-500 uppercase">
          Acceptance criteria {requirement.criteria.length ? `· ${done}/${requirement.criteria.length} met` : ''}
        </h4>
        {requirement.criteria.length === 0 ? <p className="py-1 text-sm text-slate-500">No acceptance criteria yet.</p> : null}
        <ul className="mt-1">
          {requirement.criteria.map((criterion, index) => (
            <CriterionRow key={criterion.id} specId={specId} requirement={requirement} criterion={criterion} index={index} />
          ))}
        </ul>
        <form onSubmit={submitCriterion} className="mt-2 flex gap-2">
          <input
            aria-label={`New acceptance criterion for ${name}`}
            placeholder="Add an acceptance criterion"
            className="flex-1 rounded-md border border-slate-300 px-2 py-1 text-sm"
            value={newCriterion}
            maxLength={LIMITS.criterionText}
            onChange={(e) => setNewCriterion(e.target.value)}
          />
          <Button type="submit" size="sm" pending={addCriterion.isPending} disabled={!newCriterion.trim()} icon={<Plus aria-hidden className="size-4" />}>
            Add criterion
          </Button>
        </form>
      </section>

      <RequirementDialog specId={specId} requirement={requirement} open={editing} onOpenChange={setEditing} />
      <ConfirmDialog
        open={confirmDelete}
        onOpenChange={setConfirmDelete}
        title={`Delete ${name}?`}
        description="The requirement and its acceptance criteria are removed. Tasks that cite it keep the reference."
        confirmLabel="Delete requirement"
        onConfirm={async () => {
          await api.requirements.delete(specId, requirement.id);
          void cache.patchSpec((spec) => ({ ...spec, requirements: spec.requirements.filter((r) => r.id !== requirement.id) }));
          cache.invalidateDerived();
        }}
      />
    </article>
  );
}
