/** Cancellation and timeouts on the injected clock. */
import type { Clock } from '../types';

export type AbortKind = 'cancelled' | 'timeout' | 'attempt_timeout';

/** Why a run or an attempt was aborted. Used as the AbortSignal reason so the cause survives any rethrow. */
export class RunAbortError extends Error {
  constructor(
    readonly kind: AbortKind,
    message: string,
  ) {
    super(message);
    this.name = 'RunAbortError';
  }
}

/** The abort cause carried by `signal`, when it is one of ours. */
export function abortCause(signal: AbortSignal): RunAbortError | undefined {
  const reason: unknown = signal.reason;
  return signal.aborted && reason instanceof RunAbortError ? reason : undefined;
}

/** Aborts `target` when `source` aborts, mapping the reason; returns a function that unlinks. */
export function linkAbort(source: AbortSignal, target: AbortController, reason: (source: AbortSignal) => RunAbortError): () => void {
  if (source.aborted) {
    target.abort(reason(source));
    return () => undefined;
  }
  const onAbort = () => target.abort(reason(source));
  source.addEventListener('abort', onAbort, { once: true });
  return () => source.removeEventListener('abort', onAbort);
}

/** Aborts `target` with `reason` after `ms` of clock time; returns a function that cancels the timer. */
export function abortAfter(clock: Clock, ms: number, target: AbortController, reason: () => RunAbortError): () => void {
  const timer = new AbortController();
  if (!Number.isFinite(ms) || ms <= 0) return () => undefined;
  clock.sleep(ms, timer.signal).then(
    () => target.abort(reason()),
    () => undefined,
  );
  return () => timer.abort();
}

/** Settles with `work`, or rejects with the signal's reason as soon as it aborts (the work may ignore the signal). */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason instanceof Error ? signal.reason : new RunAbortError('cancelled', 'aborted'));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => undefined);
      reject(signal.reason instanceof Error ? signal.reason : new RunAbortError('cancelled', 'aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
