/**
 * Start-up reconciliation (extracted from the run manager): runs left `executing` with no open launched
 * sandbox behind them hold no lease and nothing will ever finish them, so they fail; sandboxes left open
 * although their run is not live are closed with their tokens revoked. Open runs of this or any other
 * launcher (a server, a worker) are left to their lease.
 */
import { and, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import { EXTERNAL_PROVIDER } from '../services/externalSandboxes';
import type { Db } from '../store/db';
import { sandboxes, specs } from '../store/schema';
import type { EndRunInput } from './endRun';

/** Open launched sandboxes (not external ones: they hold no lease of ours, their heartbeats are theirs). */
export const openLeases = () => and(inArray(sandboxes.status, ['starting', 'running']), isNull(sandboxes.endedAt), ne(sandboxes.provider, EXTERNAL_PROVIDER));

export async function failOrphanedRuns(db: Db, at: Date, end: (input: Omit<EndRunInput, 'now'>) => Promise<string | null | undefined>): Promise<number> {
  // Runs without any open launched sandbox behind them hold no lease: nothing will ever finish them.
  const executing = await db
    .select({ id: specs.id, sandboxId: specs.sandboxId, provider: sandboxes.provider, status: sandboxes.status, endedAt: sandboxes.endedAt })
    .from(specs)
    .leftJoin(sandboxes, eq(sandboxes.id, specs.sandboxId))
    .where(eq(specs.status, 'executing'));
  let failed = 0;
  for (const spec of executing) {
    // An external sandbox (services/externalSandboxes.ts) runs elsewhere and outlives a restart: the reaper watches it.
    if (spec.provider === EXTERNAL_PROVIDER) continue;
    const open = spec.status !== null && (spec.status === 'starting' || spec.status === 'running') && spec.endedAt === null;
    if (open) continue;
    const ended = await end({
      specId: spec.id,
      sandboxId: spec.sandboxId,
      status: 'failed',
      sandboxStatus: 'lost',
      reason: 'execution_error',
      error: `the server restarted while this run was executing; its sandbox ${spec.sandboxId ?? '(none)'} is no longer running`,
    });
    if (ended !== undefined) failed += 1;
  }
  // Sandboxes left open although their run is not live (ended some other way, never closed): revoke their tokens.
  const iso = at.toISOString();
  await db
    .update(sandboxes)
    .set({ status: 'lost', endedAt: at, revokedAt: sql`coalesce(${sandboxes.revokedAt}, ${iso}::timestamptz)` })
    .where(
      and(
        openLeases(),
        sql`not exists (select 1 from ${specs} where ${specs.sandboxId} = ${sandboxes.id} and ${specs.status} = 'executing')`,
      ),
    );
  return failed;
}
