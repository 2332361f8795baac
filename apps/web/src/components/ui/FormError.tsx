import { cn } from '../../lib/cn';
import { errorMessage } from '../../lib/errors';
import { useClaimedPaths } from './FieldErrorScope';

/**
 * The error of a failed submit, announced (`role="alert"`); nothing while there is none. Field problems a
 * field of the same `FieldErrorScope` shows next to itself are left out (never the same sentence twice).
 */
export function FormError({ error, className }: { error: unknown; className?: string }) {
  const claimed = useClaimedPaths(error);
  if (!error) return null;
  const message = errorMessage(error, claimed);
  if (!message) return null;
  return (
    <p role="alert" className={cn(className, 'rounded-md bg-red-50 p-2 text-sm text-red-800')}>
      {message}
    </p>
  );
}
