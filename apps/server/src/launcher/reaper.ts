/**
 * The reaper finds runs whose lease expired: `executing` specs whose latest renewal — a batch or
 * heartbeat of the sandbox, or a renewal the server granted (launch, checkout, start-up, recovery from
 * a database outage); before any, the sandbox's start — is older than the sandbox's `lease_seconds`
 * (`missedHeartbeats × heartbeatIntervalSeconds` when it has none). Runs of other servers and workers
 * are judged by the same lease, never by this process's table of children. `RunManager.reap()` fails
 * them; `startReaper` runs it on an interval (started by `main`, not by `buildApp`).
 */
import { eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { RunManager } from '../services/runs';
import type { Db } from '../store/db';
import { sandboxes, specs } from '../store/schema';

export interface StaleRun {
  specId: string;
  sandboxId: string | null;
  /** The latest heartbeat, or null when none arrived. */
  lastHeartbeatAt: Date | null;
  /** What the deadline counts from: the latest heartbeat, else the start of the run. */
  since: Date;
  intervalSeconds: number;
  /** The sandbox's provider: `queue` runs go back on the queue instead of failing (issue 11). */
  provider: string | null;
}

function latest(...dates: (Date | null | undefined)[]): Date | null {
  let best: Date | null = null;
  for (const d of dates) if (d && (!best || d.getTime() > best.getTime())) best = d;
  return best;
}

export async function findStaleRuns(db: Db, now: Date, settings: Config['sandbox']): Promise<StaleRun[]> {
  const rows = await db
    .select({
      specId: specs.id,
      sandboxId: specs.sandboxId,
      specHeartbeat: specs.lastHeartbeatAt,
      specUpdated: specs.updatedAt,
      sandboxHeartbeat: sandboxes.lastHeartbeatAt,
      sandboxStarted: sandboxes.startedAt,
      interval: sandboxes.heartbeatIntervalSeconds,
      leaseSeconds: sandboxes.leaseSeconds,
      leaseRenewedAt: sandboxes.leaseRenewedAt,
      provider: sandboxes.provider,
    })
    .from(specs)
    .leftJoin(sandboxes, eq(sandboxes.id, specs.sandboxId))
    .where(eq(specs.status, 'executing'));
  const stale: StaleRun[] = [];
  for (const row of rows) {
    const lastHeartbeatAt = latest(row.specHeartbeat, row.sandboxHeartbeat);
    const since = latest(lastHeartbeatAt, row.leaseRenewedAt) ?? row.sandboxStarted ?? row.specUpdated;
    const intervalSeconds = row.interval ?? settings.heartbeatIntervalSeconds;
    const allowedMs = (row.leaseSeconds ?? settings.missedHeartbeats * intervalSeconds) * 1000;
    if (now.getTime() - since.getTime() > allowedMs) {
      stale.push({ specId: row.specId, sandboxId: row.sandboxId, lastHeartbeatAt, since, intervalSeconds, provider: row.provider });
    }
  }
  return stale;
}

export function staleRunMessage(run: StaleRun, missed: number): string {
  const last = run.lastHeartbeatAt ? run.lastHeartbeatAt.toISOString() : `none since the start at ${run.since.toISOString()}`;
  return `sandbox stopped sending heartbeats (last at ${last}; expected one every ${run.intervalSeconds}s, gave up after ${missed} missed)`;
}

/** Runs `reap()` every `intervalMs`; passes never overlap. Returns the stop function. */
export function startReaper(runs: RunManager, intervalMs: number, logger: Logger): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    runs
      .reap()
      .then((failed) => {
        if (failed > 0) logger.warn({ failed }, 'reaper failed runs whose heartbeats stopped');
      })
      .catch((error: unknown) => logger.error({ err: error }, 'reaper pass failed'))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
