import { useId, useState, type FormEvent } from 'react';
import { Button } from '../../components/ui/Button';
import { Dialog } from '../../components/ui/Dialog';
import { FormError } from '../../components/ui/FormError';
import { cn } from '../../lib/cn';
import { phaseLabel, REJECT_COMMENT_MAX, type GatePhase } from './model';

export interface RejectDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  phase: GatePhase;
  /** Sends the rejection; the dialog stays open showing the error if it throws. */
  onReject: (comment: string) => Promise<unknown>;
}

const count = new Intl.NumberFormat();

/** Reject a phase's output: a comment is required (the re-run is told it), with its limit shown as you type. */
export function RejectDialog({ open, onOpenChange, phase, onReject }: RejectDialogProps) {
  const [comment, setComment] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);
  const id = useId();
  const label = phaseLabel(phase);
  const length = comment.trim().length;
  const over = comment.length > REJECT_COMMENT_MAX;

  const close = (next: boolean) => {
    if (!next) {
      setProblem(null);
      setError(null);
    }
    onOpenChange(next);
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (length === 0) return setProblem('Write what should change: the comment is required.');
    if (over) return setProblem(`Shorten the comment to ${count.format(REJECT_COMMENT_MAX)} characters.`);
    setProblem(null);
    setError(null);
    setPending(true);
    try {
      await onReject(comment.trim());
      setComment('');
      onOpenChange(false);
    } catch (caught) {
      setError(caught);
    } finally {
      setPending(false);
    }
  }

  const describedBy = [problem ? `${id}-problem` : null, `${id}-count`, `${id}-hint`].filter(Boolean).join(' ');
  return (
    <Dialog open={open} onOpenChange={close} title={`Reject the ${label.toLowerCase()}?`} description={`${label} runs again with your comment and its previous output. Rows a person edited are kept.`}>
      <form onSubmit={(e) => void submit(e)} noValidate className="flex flex-col gap-3">
        <div className="flex flex-col gap-1">
          <label htmlFor={id} className="text-sm font-medium text-slate-700">
            Comment (required)
          </label>
          <textarea
            id={id}
            value={comment}
            onChange={(e) => {
              setComment(e.target.value);
              if (problem) setProblem(null);
            }}
            required
            aria-required="true"
            aria-invalid={problem ? true : undefined}
            aria-describedby={describedBy}
            maxLength={REJECT_COMMENT_MAX}
            rows={5}
            placeholder={phase === 'requirements' ? 'e.g. REQ-002 should also cover keys shared by several users.' : 'e.g. Keep the counters in Redis, not in the database.'}
            className={cn(
              'min-h-28 w-full rounded-md border bg-white px-3 py-2 text-sm text-slate-900 placeholder:text-slate-400 focus-visible:outline-2 focus-visible:outline-indigo-600',
              problem ? 'border-red-500' : 'border-slate-300',
            )}
          />
          <div className="flex flex-wrap items-start justify-between gap-2 text-xs">
            <p id={`${id}-hint`} className="text-slate-500">
              Say what is wrong and what you expect instead.
            </p>
            <p id={`${id}-count`} className={cn('tabular-nums', over || comment.length >= REJECT_COMMENT_MAX ? 'font-semibold text-red-700' : 'text-slate-500')} data-testid="reject-count">
              {count.format(comment.length)} / {count.format(REJECT_COMMENT_MAX)} characters
            </p>
          </div>
          {problem ? (
            <p id={`${id}-problem`} role="alert" className="text-sm text-red-700">
              {problem}
            </p>
          ) : null}
        </div>
        <FormError error={error} />
        <div className="flex justify-end gap-2">
          <Button onClick={() => close(false)}>Cancel</Button>
          <Button type="submit" variant="danger" pending={pending}>
            Reject and re-run {label.toLowerCase()}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
