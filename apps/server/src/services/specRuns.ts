/**
 * Starting and cancelling runs from the user-facing routes, on top of `RunManager`. A launch that fails
 * never leaves a spec `executing`: it ends `failed` with `last_error` saying why.
 */
import type { ApprovalMode, ExecuteSpecResponse, LaunchSpecResponse, ModelSettingsInput, Spec } from '@specline/protocol';
import { and, eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { AppError } from '../http/errors';
import type { Db } from '../store/db';
import { specs } from '../store/schema';
import { requireProjectMember, requireSpecAccess } from './access';
import { idempotent, updateStoredAnswer, type StoredAnswer } from './idempotency';
import type { RunManager, StartRunOptions } from './runs';
import { insertSpec } from './specs';
import { specDto } from './specView';

export interface RunDeps {
  db: Db;
  runs: RunManager;
  logger: Logger;
}

export type StartOutcome = { ok: true; answer: ExecuteSpecResponse } | { ok: false; error: string };

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Marks a spec whose launch failed as `failed`, unless something else already moved it on. */
export async function markLaunchFailed(db: Db, specId: string, message: string): Promise<void> {
  await db
    .update(specs)
    .set({ status: 'failed', lastError: `sandbox launch failed: ${message}`, updatedAt: sql`now()` })
    .where(and(eq(specs.id, specId), eq(specs.status, 'executing')));
}

/**
 * Starts a run; a failure is reported, never thrown, and the spec is left `failed` (not `executing`).
 * `liveRunPossible`: the spec was already `executing` before this call (another run may be live), so a
 * failed start must not touch it.
 */
export async function startRunSafely(deps: RunDeps, specId: string, options: StartRunOptions, liveRunPossible = false): Promise<StartOutcome> {
  try {
    return { ok: true, answer: await deps.runs.start(specId, options) };
  } catch (error) {
    const message = describe(error);
    deps.logger.warn({ specId, err: error }, 'sandbox launch failed');
    if (!liveRunPossible) await markLaunchFailed(deps.db, specId, message);
    return { ok: false, error: message };
  }
}

/**
 * `POST /specs/{id}/execute`: access check, then the run manager's atomic start. A failed launch (a
 * repository that cannot be cloned or fetched among others) is a 502; the spec is then `failed`.
 */
export async function executeSpec(
  deps: RunDeps,
  specId: string,
  userId: string,
  options: { prd: boolean; modelSettings?: ModelSettingsInput | undefined; approvalMode?: ApprovalMode | undefined },
): Promise<ExecuteSpecResponse> {
  const spec = await requireSpecAccess(deps.db, specId, userId);
  const outcome = await startRunSafely(deps, specId, { userId, prd: options.prd, modelSettings: options.modelSettings, approvalMode: options.approvalMode }, spec.status === 'executing');
  if (!outcome.ok) throw new AppError('sandbox_launch_failed', `could not start a run: ${outcome.error}`);
  return outcome.answer;
}

/** `POST /specs/{id}/cancel`: only a spec that is executing can be cancelled. */
export async function cancelSpec(deps: RunDeps, specId: string, userId: string): Promise<Spec> {
  const spec = await requireSpecAccess(deps.db, specId, userId);
  if (spec.status !== 'executing' && spec.status !== 'queued') throw new AppError('not_running', `spec ${specId} is ${spec.status}, not executing: nothing to cancel`);
  await deps.runs.cancel(specId, userId);
  return specDto(deps.db, await requireSpecAccess(deps.db, specId, userId));
}

export interface LaunchInput {
  title: string;
  description: string;
  project_id: string;
  auto_execute: boolean;
}

/**
 * `POST /specs/launch`: creates a draft spec and, with `auto_execute`, starts its run. Idempotent under
 * `Idempotency-Key` (a double click creates one spec and one sandbox). A failed launch still answers
 * 201: the spec exists, `status: failed`, and the message says why. The stored answer is replaced with
 * the final one once the launch is decided; a replay racing the launch itself sees the `draft` answer.
 */
export async function launchSpec(deps: RunDeps, userId: string, body: LaunchInput, idempotencyKey: string | undefined): Promise<StoredAnswer<LaunchSpecResponse>> {
  const scope = { userId, route: 'POST /api/v1/specs/launch', key: idempotencyKey, body };
  const created = await idempotent<LaunchSpecResponse>(deps.db, scope, async (tx) => {
    await requireProjectMember(tx, body.project_id, userId);
    const spec = await insertSpec(tx, { projectId: body.project_id, userId, title: body.title, description: body.description });
    return { status: 201, body: { spec_id: spec.id, status: 'draft', current_phase: null, sandbox_id: null, message: 'Spec created' } };
  });
  if (created.replayed || !body.auto_execute) return created;
  const outcome = await startRunSafely(deps, created.body.spec_id, { userId });
  const answer: LaunchSpecResponse = outcome.ok
    ? {
        spec_id: created.body.spec_id,
        status: outcome.answer.status === 'queued' ? 'queued' : 'executing',
        current_phase: outcome.answer.current_phase,
        sandbox_id: outcome.answer.sandbox_id,
        message: outcome.answer.message,
      }
    : { spec_id: created.body.spec_id, status: 'failed', current_phase: null, sandbox_id: null, message: `Spec created, but the sandbox launch failed: ${outcome.error}` };
  await updateStoredAnswer(deps.db, scope, answer);
  return { ...created, body: answer };
}
