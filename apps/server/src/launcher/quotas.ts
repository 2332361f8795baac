/**
 * Concurrent-run quotas (issue 11): per user (`SPECLINE_MAX_RUNS_PER_USER`, default 3), per project
 * (`SPECLINE_MAX_RUNS_PER_PROJECT`, 10) and overall (`SPECLINE_MAX_RUNS`, 20); 0 is no limit. A run
 * counts from its claim (`executing`, or admitted onto the worker queue: `queued` for a worker) until it ends. A launch over a limit is never dropped: the spec is
 * `queued` (with `queued_at`, its place in line, `queued_by` and the launch options in `queued_request`,
 * an API key override sealed under the server key) and the run manager starts it when a slot frees, in
 * the order runs were queued (`dispatch`). Admission and claim happen under one transaction-scoped
 * advisory lock, so two servers launching at once never admit more than the limits allow.
 */
import type { ModelSettingsInput } from '@specline/protocol';
import { and, asc, eq, isNull, or, sql } from 'drizzle-orm';
import type { Config } from '../config';
import type { SecretBox } from '../services/secretBox';
import type { StartRunOptions } from '../services/runs';
import { rowsOf, type Queryable, type Tx } from '../store/db';
import { specs } from '../store/schema';

/** The advisory lock of run admission (any constant; one per database). */
const ADMISSION_LOCK = 7_110_011;

export type Quotas = Config['quotas'];

export async function lockAdmission(tx: Tx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${ADMISSION_LOCK})`);
}

/** Why a run cannot start now (the first limit reached), or null when it may. Call under `lockAdmission`. */
export async function overQuota(tx: Tx, quotas: Quotas, who: { userId: string | null; projectId: string }): Promise<string | null> {
  if (!quotas.runs && !quotas.runsPerUser && !quotas.runsPerProject) return null;
  const [row] = rowsOf<{ total: string; user_runs: string; project_runs: string }>(
    await tx.execute(sql`
      select count(*)::text as total,
             count(*) filter (where ${specs.queuedBy} = ${who.userId ?? ''})::text as user_runs,
             count(*) filter (where ${specs.projectId} = ${who.projectId})::text as project_runs
      from ${specs} where ${specs.status} = 'executing' or (${specs.status} = 'queued' and ${specs.queuedFor} = 'worker')`),
  );
  const total = Number(row?.total ?? 0);
  const userRuns = Number(row?.user_runs ?? 0);
  const projectRuns = Number(row?.project_runs ?? 0);
  if (who.userId && quotas.runsPerUser && userRuns >= quotas.runsPerUser) return `you have ${userRuns} runs executing (at most ${quotas.runsPerUser} at a time)`;
  if (quotas.runsPerProject && projectRuns >= quotas.runsPerProject) return `the project has ${projectRuns} runs executing (at most ${quotas.runsPerProject} at a time)`;
  if (quotas.runs && total >= quotas.runs) return `the server runs ${total} runs (at most ${quotas.runs} at a time)`;
  return null;
}

/** A queued run's place in line (the Spec DTO's `queue_position`). */
export { queuePositionOf as queuePosition } from '../services/specView';

/** What a queued run needs to start later: the launch options, with a model API key sealed (never in clear). */
export function queuedRequestOf(options: StartRunOptions, specId: string, secrets: SecretBox): Record<string, unknown> {
  const { modelSettings, userId: _userId, ...rest } = options;
  const request: Record<string, unknown> = { ...rest };
  if (modelSettings) {
    const { api_key, ...visible } = modelSettings;
    request['model_settings'] = visible;
    if (typeof api_key === 'string') request['model_api_key_sealed'] = secrets.seal(api_key, `queued-run:${specId}`);
    else if (api_key === null) request['model_api_key_cleared'] = true;
  }
  return request;
}

/** The options of a queued run back (the key unsealed); throws `SecretUnreadableError` when the server key changed. */
export function startOptionsOf(request: Record<string, unknown> | null, userId: string | null, specId: string, secrets: SecretBox): StartRunOptions {
  const { model_settings, model_api_key_sealed, model_api_key_cleared, ...rest } = request ?? {};
  const options = { ...(rest as Partial<StartRunOptions>), userId };
  if (model_settings && typeof model_settings === 'object') {
    const settings: ModelSettingsInput = { ...(model_settings as ModelSettingsInput) };
    if (typeof model_api_key_sealed === 'string') settings.api_key = secrets.open(model_api_key_sealed, `queued-run:${specId}`);
    else if (model_api_key_cleared === true) settings.api_key = null;
    options.modelSettings = settings;
  }
  return options;
}

/** Runs queued over a quota, oldest first (the dispatcher tries each in turn); runs waiting for a worker are admitted already. */
export async function queuedRuns(db: Queryable, limit = 50): Promise<{ id: string; queuedBy: string | null; queuedRequest: Record<string, unknown> | null }[]> {
  return db
    .select({ id: specs.id, queuedBy: specs.queuedBy, queuedRequest: specs.queuedRequest })
    .from(specs)
    .where(and(eq(specs.status, 'queued'), or(isNull(specs.queuedFor), eq(specs.queuedFor, 'quota'))))
    .orderBy(asc(specs.queuedAt), asc(specs.id))
    .limit(limit);
}
