import { cn } from '../../lib/cn';
import { errorMessage } from '../../lib/errors';

/** The error of a failed submit, announced (`role="alert"`); nothing while there is none. */
export function FormError({ error, className }: { error: unknown; className?: string }) {
  if (!error) return null;
  return (
    <p role="alert" className={cn(className, 'rounded-md bg-red-50 p-2 text-sm text-red-800')}>
      {errorMessage(error)}
    </p>
  );
}
