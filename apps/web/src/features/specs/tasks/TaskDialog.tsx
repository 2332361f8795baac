import { Priority, type SpecTask } from '@specline/protocol';
import { useEffect, useState } from 'react';
import { FormDialog } from '../../../components/ui/Dialog';
import { SelectField, TextAreaField, TextField } from '../../../components/ui/Field';
import { useApi } from '../../../lib/api';
import { LIMITS, MAX_ESTIMATE_HOURS } from '../../../lib/limits';
import { PRIORITY_OPTIONS } from '../PriorityBadge';
import { useSpecCache } from '../useSpec';

const PHASES = ['Implementation', 'Testing', 'Documentation', 'Review'].map((p) => ({ value: p, label: p }));
const STATUSES = [
  { value: 'pending', label: 'Pending' },
  { value: 'in_progress', label: 'In progress' },
  { value: 'completed', label: 'Completed' },
  { value: 'blocked', label: 'Blocked' },
] as const;
type TaskStatus = (typeof STATUSES)[number]['value'];
const isTaskStatus = (value: string): value is TaskStatus => STATUSES.some((s) => s.value === value);

const ESTIMATE_RULE = `Any number of hours above 0, up to two decimals, at most ${MAX_ESTIMATE_HOURS}.`;

/**
 * An estimate the server stores: empty (none), or a positive number of hours with at most two decimals,
 * at most {@link MAX_ESTIMATE_HOURS} (1, 1.5, 2, 3 and 0.25 all are; 0, -1 and 0.125 are not).
 */
export function isValidEstimate(text: string): boolean {
  const trimmed = text.trim();
  if (trimmed === '') return true;
  if (!/^\d+(\.\d{1,2})?$|^\.\d{1,2}$/.test(trimmed)) return false;
  const hours = Number(trimmed);
  return hours >= 0.01 && hours <= MAX_ESTIMATE_HOURS;
}

/** Add (no `task`) or edit a task, including its dependencies (picked by title). */
export function TaskDialog({ specId, task, tasks, open, onOpenChange }: { specId: string; task?: SpecTask; tasks: readonly SpecTask[]; open: boolean; onOpenChange: (open: boolean) => void }) {
  const api = useApi();
  const cache = useSpecCache(specId);
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [phase, setPhase] = useState('Implementation');
  const [priority, setPriority] = useState<Priority>('medium');
  const [status, setStatus] = useState<TaskStatus>('pending');
  const [estimate, setEstimate] = useState('');
  const [dependencies, setDependencies] = useState<string[]>([]);

  useEffect(() => {
    if (!open) return;
    setTitle(task?.title ?? '');
    setDescription(task?.description ?? '');
    setPhase(task?.phase ?? 'Implementation');
    setPriority(task?.priority ?? 'medium');
    setStatus(task?.status ?? 'pending');
    setEstimate(task?.estimated_hours == null ? '' : String(Math.round(task.estimated_hours * 100) / 100));
    setDependencies(task?.dependencies ?? []);
  }, [open, task]);

  const estimateNumber = estimate.trim() === '' ? null : Number(estimate);
  const estimateValid = isValidEstimate(estimate);
  const others = tasks.filter((t) => t.id !== task?.id);
  const phaseOptions = PHASES.some((p) => p.value === phase) ? PHASES : [...PHASES, { value: phase, label: phase }];

  async function submit() {
    const body = { title, description, phase, priority, estimated_hours: estimateNumber, dependencies };
    const answer = task ? await api.tasks.update(specId, task.id, { ...body, status }) : await api.tasks.create(specId, body);
    void cache.patchSpec((spec) => ({
      ...spec,
      tasks: spec.tasks.some((t) => t.id === answer.id) ? spec.tasks.map((t) => (t.id === answer.id ? answer : t)) : [...spec.tasks, answer].sort((a, b) => a.position - b.position),
    }));
    cache.invalidateDerived();
  }

  const name = task ? (task.local_id ?? task.title) : '';
  return (
    <FormDialog
      open={open}
      onOpenChange={onOpenChange}
      title={task ? `Edit ${name}` : 'Add task'}
      submitLabel={task ? 'Save task' : 'Add task'}
      onSubmit={submit}
      canSubmit={title.trim().length > 0 && estimateValid}
      wide
    >
      <TextField label="Title" required errorPath="body.title" limit={LIMITS.taskTitle} value={title} onChange={(e) => setTitle(e.target.value)} />
      <TextAreaField label="Description" errorPath="body.description" limit={LIMITS.taskDescription} value={description} onChange={(e) => setDescription(e.target.value)} />
      <div className="grid grid-cols-2 gap-3">
        <SelectField label="Phase" value={phase} options={phaseOptions} onChange={(e) => setPhase(e.target.value)} />
        <SelectField label="Priority" value={priority} options={PRIORITY_OPTIONS} onChange={(e) => setPriority(Priority.parse(e.target.value))} />
        {task ? (
          <SelectField
            label="Status"
            value={status}
            options={STATUSES}
            onChange={(e) => {
              if (isTaskStatus(e.target.value)) setStatus(e.target.value);
            }}
          />
        ) : null}
        <TextField
          label="Estimate (hours)"
          type="number"
          inputMode="decimal"
          min={0.01}
          max={MAX_ESTIMATE_HOURS}
          step="any"
          value={estimate}
          errorPath="body.estimated_hours"
          error={estimateValid ? undefined : ESTIMATE_RULE}
          hint={estimateValid ? ESTIMATE_RULE : undefined}
          onChange={(e) => setEstimate(e.target.value)}
        />
      </div>
      {others.length ? (
        <fieldset className="flex max-h-48 flex-col gap-1 overflow-y-auto rounded-md border border-slate-200 p-2">
          <legend className="px-1 text-sm font-medium text-slate-700">Depends on</legend>
          {others.map((other) => (
            <label key={other.id} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                checked={dependencies.includes(other.id)}
                onChange={(e) => setDependencies((current) => (e.target.checked ? [...current, other.id] : current.filter((d) => d !== other.id)))}
              />
              {other.local_id ? <span className="font-mono text-xs text-slate-500">{other.local_id}</span> : null}
              {other.title}
            </label>
          ))}
        </fieldset>
      ) : null}
    </FormDialog>
  );
}
