/** Small helpers shared by the services that turn rows into wire DTOs. No HTTP knowledge here. */
import { Phase, Priority, type Phase as PhaseT, type Priority as PriorityT } from '@specline/protocol';

export const iso = (d: Date): string => d.toISOString();
export const isoOrNull = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

export function asPhase(value: string | null | undefined): PhaseT | null {
  const parsed = Phase.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export function asPriority(value: string): PriorityT {
  const parsed = Priority.safeParse(value.toLowerCase());
  return parsed.success ? parsed.data : 'medium';
}

/** Narrows a stored text column to one of the allowed values, or the fallback. */
export function oneOf<T extends string>(value: string, allowed: readonly T[], fallback: T): T {
  return (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** Postgres unique violation (both drivers; drizzle wraps the driver error in `cause`). */
export function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    if (typeof e === 'object' && 'code' in e && e.code === '23505') return true;
    e = typeof e === 'object' && 'cause' in e ? e.cause : undefined;
  }
  return false;
}

export interface Page {
  limit: number;
  offset: number;
}

export function pageAnswer(total: number, page: Page, returned: number): { total: number; has_more: boolean } {
  return { total, has_more: page.offset + returned < total };
}
