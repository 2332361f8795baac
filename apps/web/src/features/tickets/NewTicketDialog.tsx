import { Priority, type WorkflowMode } from '@specline/protocol';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { toast } from 'sonner';
import { FormDialog } from '../../components/ui/Dialog';
import { SelectField, TextAreaField, TextField } from '../../components/ui/Field';
import { useApi } from '../../lib/api';
import { LIMITS } from '../../lib/limits';
import { queryKeys } from '../../lib/queryKeys';
import { PRIORITY_OPTIONS } from '../specs/PriorityBadge';

const MODES: { value: WorkflowMode; label: string; hint: string }[] = [
  { value: 'quick', label: 'Quick', hint: 'Just a ticket: no spec run.' },
  { value: 'spec_driven', label: 'Spec-driven', hint: 'Runs explore → requirements → design → tasks → sync and opens the run.' },
];

function newKey(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
}

/**
 * `POST /tickets`. A spec-driven ticket lands on its spec's Execution tab so the run is on screen.
 * One Idempotency-Key per opened dialog: a double submit or a retry creates one ticket.
 */
export function NewTicketDialog({ projectId, open, onOpenChange }: { projectId: string; open: boolean; onOpenChange: (open: boolean) => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [priority, setPriority] = useState<Priority>('medium');
  const [mode, setMode] = useState<WorkflowMode>('quick');
  const [key, setKey] = useState(newKey);

  useEffect(() => {
    if (open) setKey(newKey());
  }, [open]);

  const create = useMutation({
    mutationFn: () => api.tickets.create({ title, description, priority, workflow_mode: mode, project_id: projectId }, { idempotencyKey: key }),
    onSuccess: (ticket) => {
      setTitle('');
      setDescription('');
      if (ticket.workflow_mode === 'spec_driven' && ticket.spec_id) {
        // We leave the page: mark the lists stale instead of refetching (that would be aborted on unmount).
        void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.all, refetchType: 'none' });
        void queryClient.invalidateQueries({ queryKey: queryKeys.specs.lists, refetchType: 'none' });
        void navigate(`/projects/${projectId}/specs/${ticket.spec_id}?tab=execution`);
      } else {
        void queryClient.invalidateQueries({ queryKey: queryKeys.tickets.all });
        toast.success(`Ticket “${ticket.title}” created`);
      }
    },
  });

  return (
    <FormDialog open={open} onOpenChange={onOpenChange} title="New ticket" submitLabel="Create ticket" onSubmit={() => create.mutateAsync()} canSubmit={title.trim().length > 0}>
      <TextField label="Title" required autoFocus errorPath="body.title" limit={LIMITS.ticketTitle} value={title} onChange={(e) => setTitle(e.target.value)} />
      <TextAreaField label="Description" errorPath="body.description" limit={LIMITS.ticketDescription} value={description} onChange={(e) => setDescription(e.target.value)} />
      <SelectField label="Priority" value={priority} options={PRIORITY_OPTIONS} onChange={(e) => setPriority(Priority.parse(e.target.value))} />
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 text-sm font-medium text-slate-700">Workflow mode</legend>
        {MODES.map((option) => (
          <label key={option.value} className="flex items-start gap-2 rounded-md border border-slate-200 p-2 text-sm has-[:checked]:border-indigo-400 has-[:checked]:bg-indigo-50">
            <input type="radio" name="workflow_mode" value={option.value} checked={mode === option.value} onChange={() => setMode(option.value)} className="mt-0.5" />
            <span>
              <span className="font-medium">{option.label}</span>
              <span className="block text-xs text-slate-500">{option.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
    </FormDialog>
  );
}
