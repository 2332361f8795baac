/** Spec history: every change gets a row with a unique, gap-free version number per spec. */
import { eq, sql } from 'drizzle-orm';
import { isDeepStrictEqual } from 'node:util';
import type { Queryable } from '../store/db';
import { specVersions, specs } from '../store/schema';
import { newId } from './ids';

export interface VersionInput {
  specId: string;
  changeType: string;
  changeSummary: string;
  changeDetails?: Record<string, unknown> | null;
  createdBy?: string | null;
}

/**
 * Records a version. Call inside the transaction that made the change; it locks the spec row so two
 * concurrent changes never get the same number (the unique index is the backstop).
 */
export async function recordVersion(tx: Queryable, input: VersionInput): Promise<number> {
  await tx.execute(sql`select 1 from ${specs} where ${specs.id} = ${input.specId} for update`);
  const [row] = await tx
    .select({ max: sql<number>`coalesce(max(${specVersions.versionNumber}), 0)::int` })
    .from(specVersions)
    .where(eq(specVersions.specId, input.specId));
  const versionNumber = (row?.max ?? 0) + 1;
  await tx.insert(specVersions).values({
    id: newId.version(),
    specId: input.specId,
    versionNumber,
    changeType: input.changeType,
    changeSummary: input.changeSummary,
    changeDetails: input.changeDetails ?? null,
    createdBy: input.createdBy ?? null,
  });
  return versionNumber;
}

/** Equal for history: deep equality, and numbers equal to six decimals (a `real` column reads back 0.1 as 0.100000001). */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) < 1e-6;
  return isDeepStrictEqual(a, b);
}

/**
 * The fields of an edit that really change something, with their old and new values: an edit form sends
 * every field, most of them as they were, and history must list only the changed ones. `before` holds the
 * row's values under the patch's names.
 */
export function changedFields(patch: Record<string, unknown>, before: Record<string, unknown>): Record<string, { old: unknown; new: unknown }> {
  const out: Record<string, { old: unknown; new: unknown }> = {};
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (!sameValue(before[field] ?? null, value)) out[field] = { old: before[field] ?? null, new: value };
  }
  return out;
}
