import * as RadixAlert from '@radix-ui/react-alert-dialog';
import * as RadixDialog from '@radix-ui/react-dialog';
import { X } from 'lucide-react';
import { useState, type ReactNode } from 'react';
import { cn } from '../../lib/cn';
import { Button } from './Button';
import { FieldErrorScope } from './FieldErrorScope';
import { FormError } from './FormError';

const overlay = 'fixed inset-0 z-40 bg-slate-900/40 data-[state=open]:animate-in motion-reduce:animate-none';
const panel = 'fixed top-1/2 left-1/2 z-50 max-h-[90vh] w-[calc(100vw-2rem)] -translate-x-1/2 -translate-y-1/2 overflow-y-auto rounded-lg bg-white p-5 shadow-xl focus:outline-none';

export interface DialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description?: string;
  children: ReactNode;
  wide?: boolean;
}

/** A modal dialog (Radix): focus trapped, Escape closes, labelled by its title. */
export function Dialog({ open, onOpenChange, title, description, children, wide = false }: DialogProps) {
  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className={overlay} />
        <RadixDialog.Content className={cn(panel, wide ? 'max-w-3xl' : 'max-w-lg')} {...(description ? {} : { 'aria-describedby': undefined })}>
          <div className="mb-4 flex items-start justify-between gap-4">
            <div>
              <RadixDialog.Title className="text-lg font-semibold text-slate-900">{title}</RadixDialog.Title>
              {description ? <RadixDialog.Description className="mt-1 text-sm text-slate-500">{description}</RadixDialog.Description> : null}
            </div>
            <RadixDialog.Close asChild>
              <button type="button" aria-label="Close" className="rounded p-1 text-slate-500 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600">
                <X aria-hidden className="size-4" />
              </button>
            </RadixDialog.Close>
          </div>
          {children}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}

/**
 * What a dialog's action (submit, confirm) shares: while it runs it is pending; success closes the
 * dialog; a failure keeps it open showing the error, which is cleared when the dialog closes.
 */
function useDialogAction(onOpenChange: (open: boolean) => void) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function run(action: () => Promise<unknown>) {
    setPending(true);
    setError(null);
    try {
      await action();
      onOpenChange(false);
    } catch (caught) {
      setError(caught);
    } finally {
      setPending(false);
    }
  }
  return {
    pending,
    error,
    run,
    /** For the dialog root: the dialog asks to open or close (Escape, the X, outside click). */
    onOpenChange: (next: boolean) => {
      if (!next) setError(null);
      onOpenChange(next);
    },
  };
}

/**
 * A dialog holding a form: submit runs `onSubmit`; an error is shown inside the dialog (it stays open),
 * success closes it.
 */
export function FormDialog({
  open,
  onOpenChange,
  title,
  description,
  submitLabel,
  onSubmit,
  children,
  wide,
  canSubmit = true,
}: DialogProps & { submitLabel: string; onSubmit: () => Promise<unknown>; canSubmit?: boolean }) {
  const action = useDialogAction(onOpenChange);
  return (
    <Dialog
      open={open}
      onOpenChange={action.onOpenChange}
      title={title}
      description={description}
      wide={wide}
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void action.run(onSubmit);
        }}
        className="flex flex-col gap-4"
        noValidate={false}
      >
        <FieldErrorScope error={action.error}>
          {children}
          <FormError error={action.error} />
        </FieldErrorScope>
        <div className="flex justify-end gap-2">
          <Button onClick={() => onOpenChange(false)}>Cancel</Button>
          <Button type="submit" variant="primary" pending={action.pending} disabled={!canSubmit}>
            {submitLabel}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

export interface ConfirmDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  /** Runs on confirm; the dialog stays open (showing the error) if it throws. */
  onConfirm: () => Promise<unknown>;
  destructive?: boolean;
}

/** A confirmation on Radix AlertDialog (never `window.confirm`). */
export function ConfirmDialog({ open, onOpenChange, title, description, confirmLabel, onConfirm, destructive = true }: ConfirmDialogProps) {
  const action = useDialogAction(onOpenChange);
  return (
    <RadixAlert.Root open={open} onOpenChange={action.onOpenChange}>
      <RadixAlert.Portal>
        <RadixAlert.Overlay className={overlay} />
        <RadixAlert.Content className={cn(panel, 'max-w-md')}>
          <RadixAlert.Title className="text-lg font-semibold text-slate-900">{title}</RadixAlert.Title>
          <RadixAlert.Description className="mt-2 text-sm text-slate-600">{description}</RadixAlert.Description>
          <FormError error={action.error} className="mt-3" />
          <div className="mt-5 flex justify-end gap-2">
            <RadixAlert.Cancel asChild>
              <Button>Cancel</Button>
            </RadixAlert.Cancel>
            {/* Not RadixAlert.Action: that closes before the request has finished. */}
            <Button variant={destructive ? 'danger' : 'primary'} pending={action.pending} onClick={() => void action.run(onConfirm)}>
              {confirmLabel}
            </Button>
          </div>
        </RadixAlert.Content>
      </RadixAlert.Portal>
    </RadixAlert.Root>
  );
}
