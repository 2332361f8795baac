/**
 * External sandboxes: producers Specline did not launch (the original spec-sandbox, a CI job, a laptop)
 * get a token of their own. `POST /specs/{id}/sandboxes` registers one (`provider: 'external'`, status
 * `starting`, the token stored as a SHA-256 hash and shown once). Nothing about the spec changes until
 * that sandbox's FIRST event arrives: then, in the ingest transaction under the spec row lock, its run
 * claims the spec exactly as a launched run does (status `executing`, run state and approvals reset, a
 * `run_started` version) and from there on everything is the same — heartbeats feed the reaper, the
 * terminal `agent.completed` revokes the token. `DELETE …/sandboxes/{sandbox_id}` revokes it earlier
 * (and cancels its run when that run is live).
 */
import type { RegisterSandboxResponse } from '@specline/protocol';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Config } from '../config';
import { AppError, notFound } from '../http/errors';
import type { Db, Tx } from '../store/db';
import { sandboxes, specs } from '../store/schema';
import { requireSpecAccess } from './access';
import { newId } from './ids';
import { lockedSpecColumns, type LockedSpec } from './ingestEffects';
import type { RunManager } from './runs';
import { insertExternalRun } from './runRecords';
import { requireNotArchived } from './specs';
import { newSandboxToken } from './tokens';
import { recordVersion } from './versions';

export const EXTERNAL_PROVIDER = 'external';

export interface ExternalSandboxDeps {
  db: Db;
  config: Config;
  runs: Pick<RunManager, 'cancel'>;
}

/** The base URL sandboxes call back to (as the launcher gives its own sandboxes). */
export function callbackUrlOf(config: Config): string {
  return (config.publicUrl ?? `http://127.0.0.1:${config.port}`).replace(/\/+$/, '');
}

export async function registerExternalSandbox(
  deps: ExternalSandboxDeps,
  specId: string,
  userId: string,
  body: { heartbeat_interval_seconds?: number | undefined },
): Promise<RegisterSandboxResponse> {
  const sandboxId = newId.sandbox();
  const { token, hash } = newSandboxToken();
  const interval = body.heartbeat_interval_seconds ?? Math.max(1, Math.round(deps.config.sandbox.heartbeatIntervalSeconds));
  await deps.db.transaction(async (tx) => {
    await requireSpecAccess(tx, specId, userId);
    const [spec] = await tx.select().from(specs).where(eq(specs.id, specId)).for('update');
    if (!spec) throw notFound('spec');
    requireNotArchived(spec);
    if (spec.status === 'executing') {
      throw new AppError('already_running', `spec ${specId} is executing a run (sandbox ${spec.sandboxId ?? 'unknown'}); cancel it (POST /api/v1/specs/${specId}/cancel) before registering another sandbox`);
    }
    const now = new Date();
    // One pending registration per spec: an earlier one that never reported is revoked.
    await tx
      .update(sandboxes)
      .set({ status: 'cancelled', endedAt: now, revokedAt: sql`coalesce(${sandboxes.revokedAt}, ${now.toISOString()}::timestamptz)` })
      .where(and(eq(sandboxes.specId, specId), eq(sandboxes.provider, EXTERNAL_PROVIDER), eq(sandboxes.status, 'starting'), isNull(sandboxes.endedAt)));
    await tx.insert(sandboxes).values({
      id: sandboxId,
      specId,
      tokenHash: hash,
      status: 'starting',
      provider: EXTERNAL_PROVIDER,
      startedAt: now,
      heartbeatIntervalSeconds: interval,
      registeredBy: userId,
    });
    await recordVersion(tx, {
      specId,
      changeType: 'sandbox_registered',
      changeSummary: `external sandbox ${sandboxId} registered; the run starts with its first event`,
      changeDetails: { sandbox_id: sandboxId, provider: EXTERNAL_PROVIDER, heartbeat_interval_seconds: interval },
      createdBy: userId,
    });
  });
  const callbackUrl = callbackUrlOf(deps.config);
  return {
    sandbox_id: sandboxId,
    spec_id: specId,
    token,
    callback_url: callbackUrl,
    events_url: `${callbackUrl}/api/v1/sandboxes/${sandboxId}/events`,
    heartbeat_interval_seconds: interval,
    heartbeat_timeout_seconds: interval * deps.config.sandbox.missedHeartbeats,
    message: 'the token is shown once: send it as Authorization: Bearer <token>; the spec starts executing with the first event',
  };
}

/** Revokes an external sandbox's token; a live run of it is cancelled. Idempotent. */
export async function revokeExternalSandbox(deps: ExternalSandboxDeps, specId: string, sandboxId: string, userId: string): Promise<void> {
  const spec = await requireSpecAccess(deps.db, specId, userId);
  const [sandbox] = await deps.db.select().from(sandboxes).where(and(eq(sandboxes.id, sandboxId), eq(sandboxes.specId, spec.id)));
  if (!sandbox) throw notFound('sandbox');
  if (sandbox.provider !== EXTERNAL_PROVIDER) {
    throw new AppError('conflict', `sandbox ${sandboxId} was launched by this server, not registered; cancel its run with POST /api/v1/specs/${specId}/cancel`);
  }
  if (spec.status === 'executing' && spec.sandboxId === sandboxId) {
    try {
      await deps.runs.cancel(specId, userId);
    } catch (error) {
      // The run ended meanwhile: revoking below is all that is left to do.
      if (!(error instanceof AppError && error.code === 'not_running')) throw error;
    }
  }
  const now = new Date().toISOString();
  await deps.db
    .update(sandboxes)
    .set({
      status: sql`case when ${sandboxes.status} in ('starting', 'running') then 'cancelled' else ${sandboxes.status} end`,
      endedAt: sql`coalesce(${sandboxes.endedAt}, ${now}::timestamptz)`,
      revokedAt: sql`coalesce(${sandboxes.revokedAt}, ${now}::timestamptz)`,
    })
    .where(eq(sandboxes.id, sandboxId));
}

/**
 * In the ingest transaction, with the spec row locked: the first batch of a registered external sandbox
 * claims the spec for its run. Answers the (possibly updated) locked spec. A sandbox that is not an
 * unclaimed external one changes nothing here (its events are applied, or stored only, as usual).
 */
export async function claimExternalRun(tx: Tx, spec: LockedSpec, sandboxId: string, now: Date): Promise<LockedSpec> {
  if (spec.sandboxId === sandboxId) return spec;
  const [sandbox] = await tx
    .select({ provider: sandboxes.provider, status: sandboxes.status, registeredBy: sandboxes.registeredBy })
    .from(sandboxes)
    .where(eq(sandboxes.id, sandboxId));
  if (!sandbox || sandbox.provider !== EXTERNAL_PROVIDER || sandbox.status !== 'starting') return spec;
  const [row] = await tx.select({ archived: specs.archived }).from(specs).where(eq(specs.id, spec.id));
  if (row?.archived) throw new AppError('conflict', `spec ${spec.id} was archived after this sandbox was registered: an archived spec is read-only; nothing was stored`);
  if (spec.status === 'executing') {
    throw new AppError('already_running', `spec ${spec.id} is executing another run (sandbox ${spec.sandboxId ?? 'unknown'}); nothing was stored. Cancel that run, or register a new sandbox once it has ended`);
  }
  const [claimed] = await tx
    .update(specs)
    .set({
      status: 'executing',
      phases: [],
      phaseStatus: {},
      phaseData: {},
      progress: 0,
      currentPhase: null,
      lastError: null,
      requirementsApproved: false,
      requirementsApprovedAt: null,
      designApproved: false,
      designApprovedAt: null,
      sandboxId,
      lastHeartbeatAt: null,
      usage: null,
      repoCommit: null,
      updatedAt: now,
    })
    .where(eq(specs.id, spec.id))
    .returning(lockedSpecColumns);
  if (!claimed) throw notFound('spec');
  await tx.update(sandboxes).set({ status: 'running', lastHeartbeatAt: now }).where(eq(sandboxes.id, sandboxId));
  const runId = await insertExternalRun(tx, spec.id, sandboxId, sandbox.registeredBy, now);
  await recordVersion(tx, {
    specId: spec.id,
    changeType: 'run_started',
    changeSummary: `run started by external sandbox ${sandboxId}`,
    changeDetails: { sandbox_id: sandboxId, provider: EXTERNAL_PROVIDER, run_id: runId },
    createdBy: sandbox.registeredBy,
  });
  return claimed;
}
