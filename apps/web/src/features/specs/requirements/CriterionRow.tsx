import type { Criterion, Requirement, Spec } from '@specline/protocol';
import { useMutation } from '@tanstack/react-query';
import { Check, Pencil, Trash2, X } from 'lucide-react';
import { useId, useState, type FormEvent } from 'react';
import { toast } from 'sonner';
import { IconButton } from '../../../components/ui/Button';
import { ConfirmDialog } from '../../../components/ui/Dialog';
import { useApi } from '../../../lib/api';
import { cn } from '../../../lib/cn';
import { errorMessage } from '../../../lib/errors';
import { LIMITS } from '../../../lib/limits';
import { useSpecCache } from '../useSpec';

/** Puts one criterion into the cached spec. */
export function withCriterion(spec: Spec, requirementId: string, criterion: Criterion): Spec {
  return {
    ...spec,
    requirements: spec.requirements.map((r) =>
      r.id === requirementId ? { ...r, criteria: r.criteria.some((c) => c.id === criterion.id) ? r.criteria.map((c) => (c.id === criterion.id ? criterion : c)) : [...r.criteria, criterion] } : r,
    ),
  };
}

function withoutCriterion(spec: Spec, requirementId: string, criterionId: string): Spec {
  return { ...spec, requirements: spec.requirements.map((r) => (r.id === requirementId ? { ...r, criteria: r.criteria.filter((c) => c.id !== criterionId) } : r)) };
}

/** One acceptance criterion: a real checkbox (PATCH completed), inline edit, delete with confirmation. */
export function CriterionRow({ specId, requirement, criterion, index }: { specId: string; requirement: Requirement; criterion: Criterion; index: number }) {
  const api = useApi();
  const cache = useSpecCache(specId);
  const checkboxId = useId();
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(criterion.text);
  const [confirmDelete, setConfirmDelete] = useState(false);
  // The box shows the click at once: React state set in the event handler renders before the event ends,
  // while the cache update (onMutate) reaches the component a task later.
  const [ticking, setTicking] = useState<boolean | null>(null);
  const name = criterion.local_id ?? `criterion ${index + 1}`;

  const toggle = useMutation({
    mutationFn: (completed: boolean) => api.criteria.update(specId, requirement.id, criterion.id, { completed }),
    onMutate: (completed) => cache.patchSpec((spec) => withCriterion(spec, requirement.id, { ...criterion, completed })),
    onSuccess: (answer) => {
      void cache.patchSpec((spec) => withCriterion(spec, requirement.id, answer));
      cache.invalidateDerived();
    },
    onError: (error) => {
      void cache.patchSpec((spec) => withCriterion(spec, requirement.id, criterion));
      toast.error(`Could not update ${name}: ${errorMessage(error)}`);
    },
  });

  const save = useMutation({
    mutationFn: () => api.criteria.update(specId, requirement.id, criterion.id, { text }),
    onSuccess: (answer) => {
      void cache.patchSpec((spec) => withCriterion(spec, requirement.id, answer));
      cache.invalidateDerived();
      setEditing(false);
    },
    onError: (error) => toast.error(`Could not save ${name}: ${errorMessage(error)}`),
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (text.trim()) save.mutate();
  }

  return (
    <li className="flex items-start gap-2 py-1">
      <input
        id={checkboxId}
        type="checkbox"
        className="mt-1 size-4 accent-indigo-600"
        checked={ticking ?? criterion.completed}
        disabled={toggle.isPending}
        onChange={(e) => {
          const next = e.target.checked;
          setTicking(next);
          toggle.mutate(next, { onSettled: () => setTicking(null) });
        }}
      />
      {editing ? (
        <form onSubmit={submit} className="flex flex-1 items-center gap-1">
          <input
            aria-label={`Text of ${name}`}
            className="flex-1 rounded-md border border-slate-300 px-2 py-1 text-sm"
            value={text}
            maxLength={LIMITS.criterionText}
            autoFocus
            onChange={(e) => setText(e.target.value)}
          />
          <IconButton type="submit" label={`Save ${name}`} icon={<Check aria-hidden className="size-4" />} pending={save.isPending} disabled={!text.trim()} />
          <IconButton
            label={`Cancel editing ${name}`}
            icon={<X aria-hidden className="size-4" />}
            onClick={() => {
              setText(criterion.text);
              setEditing(false);
            }}
          />
        </form>
      ) : (
        <>
          <label htmlFor={checkboxId} className={cn('flex-1 text-sm', criterion.completed && 'text-slate-500 line-through')}>
            {criterion.local_id ? <span className="mr-1.5 font-mono text-xs text-slate-500 no-underline">{criterion.local_id}</span> : null}
            {criterion.text}
          </label>
          <IconButton label={`Edit ${name}`} icon={<Pencil aria-hidden className="size-3.5" />} onClick={() => setEditing(true)} />
          <IconButton label={`Delete ${name}`} icon={<Trash2 aria-hidden className="size-3.5" />} onClick={() => setConfirmDelete(true)} />
        </>
      )}
      <ConfirmDialog
        open={confirmDelete}
        onOpenChange={setConfirmDelete}
        title="Delete this criterion?"
        description={`“${criterion.text}” will be removed from ${requirement.local_id ?? requirement.title}.`}
        confirmLabel="Delete criterion"
        onConfirm={async () => {
          await api.criteria.delete(specId, requirement.id, criterion.id);
          void cache.patchSpec((spec) => withoutCriterion(spec, requirement.id, criterion.id));
          cache.invalidateDerived();
        }}
      />
    </li>
  );
}
