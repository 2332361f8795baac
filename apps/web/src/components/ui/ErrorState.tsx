import { AlertTriangle, RotateCw } from 'lucide-react';
import { errorMessage } from '../../lib/errors';
import { Button } from './Button';

/** An error with its message and a retry: never confused with an empty list or a missing resource. */
export function ErrorState({ title = 'Something went wrong', error, onRetry, retrying = false }: { title?: string; error: unknown; onRetry?: () => void; retrying?: boolean }) {
  return (
    <div role="alert" className="flex flex-col items-start gap-2 rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-900">
      <p className="flex items-center gap-2 font-medium">
        <AlertTriangle aria-hidden className="size-4" />
        {title}
      </p>
      <p className="break-words">{errorMessage(error)}</p>
      {onRetry ? (
        <Button size="sm" onClick={onRetry} pending={retrying} icon={<RotateCw aria-hidden className="size-4" />}>
          Retry
        </Button>
      ) : null}
    </div>
  );
}
