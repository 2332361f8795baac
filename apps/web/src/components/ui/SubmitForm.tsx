import { useState, type FormEvent, type ReactNode } from 'react';
import { Button } from './Button';
import { FieldErrorScope } from './FieldErrorScope';
import { FormError } from './FormError';

export interface SubmitFormProps {
  /** Runs on submit. When it throws, its error is shown and the form can be submitted again. */
  action: () => Promise<unknown>;
  submitLabel: string;
  className?: string;
  /** The fields. */
  children: ReactNode;
}

/**
 * A form whose submit runs `action`, with its error above the submit button. On success the button
 * stays pending: the action hands over to what comes next (the sign-in and register pages navigate).
 */
export function SubmitForm({ action, submitLabel, className, children }: SubmitFormProps) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(caught);
      setPending(false);
    }
  }

  return (
    <form className={className} onSubmit={(event) => void submit(event)}>
      <FieldErrorScope error={error}>
        {children}
        <FormError error={error} />
      </FieldErrorScope>
      <Button type="submit" variant="primary" pending={pending}>
        {submitLabel}
      </Button>
    </form>
  );
}
