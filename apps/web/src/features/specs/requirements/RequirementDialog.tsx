import { Priority, type Requirement } from '@specline/protocol';
import { useEffect, useState } from 'react';
import { FormDialog } from '../../../components/ui/Dialog';
import { SelectField, TextAreaField, TextField } from '../../../components/ui/Field';
import { useApi } from '../../../lib/api';
import { LIMITS } from '../../../lib/limits';
import { useSpecCache } from '../useSpec';
import { PRIORITY_OPTIONS } from '../PriorityBadge';

const STATUS_OPTIONS = [
  { value: 'pending', label: 'Pending' },
  { value: 'in_progress', label: 'In progress' },
  { value: 'completed', label: 'Completed' },
] as const;
type RequirementStatus = (typeof STATUS_OPTIONS)[number]['value'];

function isStatus(value: string): value is RequirementStatus {
  return STATUS_OPTIONS.some((o) => o.value === value);
}

function byPosition(a: Requirement, b: Requirement): number {
  return a.position - b.position;
}

/** Add (no `requirement`) or edit a requirement: title, EARS condition and action, priority. */
export function RequirementDialog({ specId, requirement, open, onOpenChange }: { specId: string; requirement?: Requirement; open: boolean; onOpenChange: (open: boolean) => void }) {
  const api = useApi();
  const cache = useSpecCache(specId);
  const [title, setTitle] = useState('');
  const [condition, setCondition] = useState('');
  const [action, setAction] = useState('');
  const [priority, setPriority] = useState<Priority>('medium');
  const [status, setStatus] = useState<RequirementStatus>('pending');
  const [criteria, setCriteria] = useState('');

  useEffect(() => {
    if (!open) return;
    setTitle(requirement?.title ?? '');
    setCondition(requirement?.condition ?? '');
    setAction(requirement?.action ?? '');
    setPriority(requirement?.priority ?? 'medium');
    setStatus(requirement?.status ?? 'pending');
    setCriteria('');
  }, [open, requirement]);

  async function submit() {
    if (requirement) {
      const answer = await api.requirements.update(specId, requirement.id, { title, condition, action, priority, status });
      void cache.patchSpec((spec) => ({ ...spec, requirements: spec.requirements.map((r) => (r.id === answer.id ? answer : r)) }));
    } else {
      const acceptance = criteria
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
      const answer = await api.requirements.create(specId, { title, condition, action, priority, acceptance_criteria: acceptance.length ? acceptance : undefined });
      void cache.patchSpec((spec) => ({ ...spec, requirements: [...spec.requirements.filter((r) => r.id !== answer.id), answer].sort(byPosition) }));
    }
    cache.invalidateDerived();
  }

  const name = requirement ? (requirement.local_id ?? requirement.title) : '';
  return (
    <FormDialog
      open={open}
      onOpenChange={onOpenChange}
      title={requirement ? `Edit ${name}` : 'Add requirement'}
      description="Write it in EARS form: an optional condition (WHEN / IF / WHILE / WHERE …) and what THE SYSTEM SHALL do."
      submitLabel={requirement ? 'Save requirement' : 'Add requirement'}
      onSubmit={submit}
      canSubmit={title.trim().length > 0 && action.trim().length > 0}
      wide
    >
      <TextField label="Title" required errorPath="body.title" limit={LIMITS.requirementTitle} value={title} onChange={(e) => setTitle(e.target.value)} />
      <TextField label="Condition (WHEN …)" placeholder="WHEN a client exceeds its request limit" hint="Leave empty when the requirement always applies." errorPath="body.condition" limit={LIMITS.requirementCondition} value={condition} onChange={(e) => setCondition(e.target.value)} />
      <TextAreaField label="Action (THE SYSTEM SHALL …)" required placeholder="THE SYSTEM SHALL answer 429 with a Retry-After header" errorPath="body.action" limit={LIMITS.requirementAction} value={action} onChange={(e) => setAction(e.target.value)} />
      <div className="grid grid-cols-2 gap-3">
        <SelectField label="Priority" value={priority} options={PRIORITY_OPTIONS} onChange={(e) => setPriority(Priority.parse(e.target.value))} />
        {requirement ? (
          <SelectField
            label="Status"
            value={status}
            options={STATUS_OPTIONS}
            onChange={(e) => {
              if (isStatus(e.target.value)) setStatus(e.target.value);
            }}
          />
        ) : null}
      </div>
      {requirement ? null : <TextAreaField label="Acceptance criteria" hint={`One per line (optional), each up to ${LIMITS.criterionText} characters.`} value={criteria} onChange={(e) => setCriteria(e.target.value)} />}
    </FormDialog>
  );
}
