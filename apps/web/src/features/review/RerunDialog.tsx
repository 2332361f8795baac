import type { Phase, Spec } from '@specline/protocol';
import { useId, useState } from 'react';
import { Button } from '../../components/ui/Button';
import { Dialog } from '../../components/ui/Dialog';
import { FormError } from '../../components/ui/FormError';
import { APPROVAL_MODE_LABELS, defaultRerunPhase, phaseLabel, phaseListText, regeneratedPhases, regeneratesText, runPhases, type ApprovalMode } from './model';
import { isMissingRoute, useRerun } from './useReview';

export interface RerunDialogProps {
  spec: Pick<Spec, 'id' | 'phases' | 'requirements_approved' | 'design_approved'>;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The launch disclosure's approval mode for this run; undefined: the spec's / project's. */
  approvalMode?: ApprovalMode;
  /**
   * A full run with the launch disclosure's model override (`POST /execute`): used for a re-run from the
   * first phase when the model is overridden; a re-run from a later phase uses the project's model.
   * It reports its own start (`onStarted` is for `POST /rerun`).
   */
  fullRun?: () => Promise<unknown>;
  onStarted?: () => void;
}

/**
 * Confirms a re-run and asks where it starts: by default the first phase after the last approved one.
 * Says what it regenerates and that rows a person edited are kept (a change to them becomes a proposal).
 */
export function RerunDialog({ spec, open, onOpenChange, approvalMode, fullRun, onStarted }: RerunDialogProps) {
  const phases = runPhases(spec);
  const [from, setFrom] = useState<Phase>(() => defaultRerunPhase(spec));
  const rerun = useRerun(spec.id);
  const [fullError, setFullError] = useState<unknown>(null);
  const [fullPending, setFullPending] = useState(false);
  const viaExecute = fullRun !== undefined && from === phases[0];
  const selectId = useId();
  const regenerated = regeneratedPhases(spec, from);
  const kept = phases.slice(0, phases.indexOf(from));

  const change = (next: boolean) => {
    if (next) {
      setFrom(defaultRerunPhase(spec));
      rerun.reset();
      setFullError(null);
    }
    onOpenChange(next);
  };

  const error = fullError ?? (rerun.error && isMissingRoute(rerun.error) ? new Error('This server cannot re-run from a phase yet.') : rerun.error);
  const done = () => {
    onOpenChange(false);
    onStarted?.();
  };
  return (
    <Dialog open={open} onOpenChange={change} title="Re-run this spec?" description="A new run regenerates the phase you choose and every phase after it.">
      <form
        className="flex flex-col gap-4"
        onSubmit={(event) => {
          event.preventDefault();
          if (viaExecute) {
            setFullPending(true);
            setFullError(null);
            fullRun().then(() => onOpenChange(false), setFullError).finally(() => setFullPending(false));
            return;
          }
          rerun.mutate({ fromPhase: from, approvalMode }, { onSuccess: done });
        }}
      >
        <div className="flex flex-col gap-1">
          <label htmlFor={selectId} className="text-sm font-medium text-slate-700">
            Start from
          </label>
          <select
            id={selectId}
            value={from}
            onChange={(e) => setFrom(e.target.value as Phase)}
            className="w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm focus-visible:outline-2 focus-visible:outline-indigo-600"
          >
            {phases.map((phase) => (
              <option key={phase} value={phase}>
                {phaseLabel(phase)}
                {phase === defaultRerunPhase(spec) ? ' (after the last approval)' : ''}
              </option>
            ))}
          </select>
        </div>
        <div className="rounded-md bg-slate-50 p-3 text-sm text-slate-700" data-testid="rerun-summary">
          <p>
            <span className="font-medium">Regenerates:</span> {regeneratesText(regenerated)} ({phaseListText(regenerated)}).
          </p>
          {kept.length > 0 ? (
            <p className="mt-1">
              <span className="font-medium">Kept as they are:</span> {phaseListText(kept)}.
            </p>
          ) : null}
          <p className="mt-1">Rows a person edited are kept: where the run would change one, you see a proposed change to accept or dismiss.</p>
          {approvalMode ? <p className="mt-1">Approval mode for this run: {APPROVAL_MODE_LABELS[approvalMode]}.</p> : null}
          {fullRun && !viaExecute ? <p className="mt-1 text-amber-900">A re-run from a later phase uses the project’s model settings; the Model override applies to a run from {phaseLabel(phases[0])}.</p> : null}
        </div>
        <FormError error={error} />
        <div className="flex justify-end gap-2">
          <Button onClick={() => change(false)}>Cancel</Button>
          <Button type="submit" variant="primary" pending={rerun.isPending || fullPending}>
            Re-run from {phaseLabel(from)}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
