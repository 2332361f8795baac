/** Small helpers shared by the reporters (not exported from the package). */
import type { Logger } from '../types';

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

/** `JSON.stringify`, or the reason it cannot (cycles, BigInt): never throws. */
export function serialize(value: unknown): { ok: true; json: string } | { ok: false; error: string } {
  try {
    const json = JSON.stringify(value);
    if (typeof json !== 'string') return { ok: false, error: 'value has no JSON form' };
    return { ok: true, json };
  } catch (error) {
    return { ok: false, error: errorMessage(error) };
  }
}
