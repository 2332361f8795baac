/** Spec history: every change gets a row with a unique, gap-free version number per spec. */
import { eq, sql } from 'drizzle-orm';
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
