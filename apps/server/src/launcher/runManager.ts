/**
 * The run manager: starts a sandbox run atomically, cancels it, hears about its end (from ingestion
 * or from the process exiting), and fails runs nobody will finish (dead child, silent sandbox,
 * server restart). A spec never stays `executing` without a live sandbox behind it.
 *
 * Ownership is a lease in the database, not this process's table of children (issue 11): the launcher
 * that runs a sandbox is its `lease_owner`, every batch the sandbox delivers renews the lease, and a run
 * is failed only once its lease expired — so a restart of this server, or of another one, never fails a
 * healthy run, and a sandbox that outlives its server keeps reporting to the next one. Start-up and
 * recovery from a database outage grant every open run one fresh lease (nobody could renew meanwhile).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ExecuteSpecResponse } from '@specline/protocol';
import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { AppDeps } from '../app';
import { leaseSecondsOf } from '../config';
import { AppError, notFound } from '../http/errors';
import { newId } from '../services/ids';
import { effectiveModelSettings, modelEnv, projectModel, type EffectiveModelSettings } from '../services/modelSettings';
import type { RunManager, StartRunOptions } from '../services/runs';
import { secretBoxFor, SecretUnreadableError } from '../services/secretBox';
import { newSandboxToken } from '../services/tokens';
import { recordVersion } from '../services/versions';
import { projects, sandboxes, specs, users } from '../store/schema';
import { claimRun } from './claim';
import { failOrphanedRuns, openLeases } from './reconcile';
import { createDispatcher } from './dispatcher';
import { endRun, type EndRunInput } from './endRun';
import { queuePosition } from './quotas';
import { QUEUE_PROVIDER, requeueRun, resyncQueue } from './queueRuns';
import { findStaleRuns, staleRunMessage } from './reaper';
import { RepoError } from './workspace';

export interface RunManagerOptions {
  /** Injected clock (tests move it forward instead of sleeping). */
  now?: () => Date;
  /** After the terminal event, how long a sandbox may take to exit by itself before it is stopped. */
  finishGraceMs?: number;
}

export interface LocalRunManager extends RunManager {
  /** This process's lease-owner name: `server:<host>:<pid>:<random>`. */
  readonly owner: string;
  /** Sandboxes started by this process and not yet known to have exited. */
  readonly live: ReadonlySet<string>;
  /** Resolves when the exit handlers running now have finished (tests, shutdown). */
  drain(): Promise<void>;
  /** Starts the queued runs that fit the quotas now (issue 11); resolves with how many started. */
  dispatch(): Promise<number>;
  /** `fromQueue`: the dispatcher starting a queued spec. */
  start(specId: string, options: StartRunOptions, fromQueue?: boolean): Promise<ExecuteSpecResponse>;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createRunManager(deps: AppDeps, options: RunManagerOptions = {}): LocalRunManager {
  const { config, bus, provider, logger } = deps;
  const db = deps.database.db;
  const secrets = deps.secrets ?? secretBoxFor(config).box;
  /** Runs whose sandbox is being prepared (clone, checkout): aborted when the run ends first. */
  const preparing = new Map<string, AbortController>();
  const now = options.now ?? (() => new Date());
  const finishGraceMs = options.finishGraceMs ?? 10_000;
  const live = new Set<string>();
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;
  /** The previous reaper pass failed (the database was unreachable): the next one grants fresh leases first. */
  let outage = false;
  const owner = `server:${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;


  /** One fresh lease for every open run: after a time in which no sandbox could renew (start-up, outage). */
  async function grantLeases(at: Date): Promise<number> {
    const rows = await db.update(sandboxes).set({ leaseRenewedAt: at }).where(openLeases()).returning({ id: sandboxes.id });
    return rows.length;
  }

  const callbackUrl = () => config.publicUrl ?? `http://127.0.0.1:${config.port}`;

  /** Ends a run and wakes its stream readers; never throws (it runs from exit handlers and timers). */
  async function end(input: Omit<EndRunInput, 'now'>): Promise<string | null | undefined> {
    const ended = await endRun(db, { ...input, now: now() });
    if (!ended) return undefined;
    if (ended.sandboxId) preparing.get(ended.sandboxId)?.abort();
    logger.warn({ specId: ended.specId, sandboxId: ended.sandboxId, status: input.status }, input.error);
    dispatchSoon(); // a slot freed
    await bus.publish({ spec_id: ended.specId, spec_seq: ended.lastSpecSeq }).catch((error: unknown) => {
      logger.warn({ err: error, specId: ended.specId }, 'could not publish the end of a run; readers catch up on their next poll');
    });
    return ended.sandboxId;
  }

  async function onExit(sandboxId: string, exitCode: number | null, signal: string | null): Promise<void> {
    live.delete(sandboxId);
    if (closing) return;
    const [sandbox] = await db
      .select({ specId: sandboxes.specId, logPath: sandboxes.logPath })
      .from(sandboxes)
      .where(eq(sandboxes.id, sandboxId));
    if (!sandbox) return;
    await db.update(sandboxes).set({ exitCode }).where(eq(sandboxes.id, sandboxId));
    const how = exitCode === null ? `was killed by ${signal ?? 'a signal'}` : `exited with code ${exitCode}`;
    const log = sandbox.logPath ?? provider.name;
    // Only ends the run if this sandbox's run is still executing: after a terminal event it is not.
    await end({
      specId: sandbox.specId,
      sandboxId,
      status: 'failed',
      sandboxStatus: 'failed',
      reason: 'execution_error',
      error: `sandbox ${how} before reporting the end of the run; see its log at ${log}`,
      exitCode,
    });
  }

  const handling = new Set<Promise<void>>();
  provider.onExit = (sandboxId, exitCode, signal) => {
    const job = onExit(sandboxId, exitCode, signal)
      .catch((error: unknown) => {
        logger.error({ err: error, sandboxId }, 'could not record the exit of a sandbox');
      })
      .finally(() => handling.delete(job));
    handling.add(job);
  };

  const dispatcher = createDispatcher({ db, secrets, logger, closing: () => closing, start: (specId, opts, fromQueue) => manager.start(specId, opts, fromQueue) });
  const dispatch = () => dispatcher.dispatch();
  const dispatchSoon = () => dispatcher.soon();

  /** Queue mode (issue 11): launches are jobs for `specline-worker` processes. */
  const runQueue = config.runner.mode === 'queue' ? deps.runQueue : undefined;
  /** Puts a run's job on the queue; Redis away → the run stays queued in the database and the next pass re-adds it. */
  async function enqueue(specId: string, runId: string): Promise<void> {
    if (!runQueue) return;
    await runQueue.add({ spec_id: specId, run_id: runId }).catch((error: unknown) => {
      logger.warn({ err: error, specId, runId }, 'could not put the run on the queue; it is re-added when Redis answers again');
    });
  }
  const resync = () => (runQueue ? resyncQueue(db, runQueue, logger) : Promise.resolve(0));
  runQueue?.onReady(() => {
    if (!closing) void resync().catch((error: unknown) => logger.warn({ err: error }, 'could not re-add the runs waiting for a worker'));
  });

  async function stopQuietly(sandboxId: string, reason: string): Promise<void> {
    try {
      await provider.stop(sandboxId, reason);
    } catch (error) {
      logger.error({ err: error, sandboxId }, 'could not stop sandbox');
    }
  }

  const manager: LocalRunManager = {
    owner,
    live,
    dispatch,
    async drain() {
      await Promise.all([...handling]);
    },

    /**
     * Starts a run, or queues it when a concurrent-run limit is reached (`quotas.ts`). `fromQueue`: the
     * dispatcher starting a queued spec (a user's execute on a queued spec answers `queued` instead).
     */
    async start(specId: string, opts: StartRunOptions, fromQueue = false): Promise<ExecuteSpecResponse> {
      const sandboxId = newId.sandbox();
      const { token, hash } = newSandboxToken();
      const heartbeatIntervalSeconds = config.sandbox.heartbeatIntervalSeconds;
      const leaseSeconds = leaseSecondsOf(config.sandbox);
      const startedAt = now();
      // The project's repository and model settings. A key that cannot be opened fails the run after the claim.
      const [project] = await db
        .select({ project: projects })
        .from(specs)
        .innerJoin(projects, eq(projects.id, specs.projectId))
        .where(eq(specs.id, specId));
      let model: EffectiveModelSettings | undefined;
      let modelError: unknown;
      try {
        model = effectiveModelSettings(opts.modelSettings, project ? projectModel(project.project, secrets) : null, config.models);
      } catch (error) {
        modelError = error;
      }
      const repo = project?.project.repoUrl ? { projectId: project.project.id, url: project.project.repoUrl, ref: project.project.repoRef } : null;
      const claim = await claimRun(db, config, secrets, {
        specId,
        options: opts,
        fromQueue,
        sandboxId,
        tokenHash: hash,
        startedAt,
        runner: runQueue ? 'queue' : 'local',
        providerName: provider.name,
        owner,
        model,
        repo,
        project: project?.project ?? null,
      });

      if (claim.kind === 'quota_queued' || claim.kind === 'worker_queued') {
        if (claim.kind === 'worker_queued') await enqueue(specId, claim.plan.runId);
        const position = await queuePosition(db, specId);
        const why = claim.kind === 'worker_queued' ? 'waiting for a worker' : claim.reason;
        return {
          spec_id: specId,
          status: 'queued',
          message: `run queued${position ? ` (position ${position})` : ''}: ${why}; it starts by itself when ${claim.kind === 'worker_queued' ? 'a worker takes it' : 'a slot frees'}`,
          current_phase: claim.kind === 'worker_queued' ? (claim.plan.fromPhase ?? 'explore') : null,
          sandbox_id: null,
          queue_position: position,
          ...(claim.kind === 'worker_queued' ? { run_id: claim.plan.runId } : {}),
        };
      }
      if (claim.kind === 'live') {
        const [spec] = await db.select({ currentPhase: specs.currentPhase, sandboxId: specs.sandboxId, runId: specs.runId }).from(specs).where(eq(specs.id, specId));
        if (!spec) throw notFound('spec');
        return {
          spec_id: specId,
          status: 'already_running',
          message: 'this spec is already executing; cancel the run to start another',
          current_phase: (spec.currentPhase as ExecuteSpecResponse['current_phase']) ?? null,
          sandbox_id: spec.sandboxId,
          run_id: spec.runId,
        };
      }
      const { plan, phases } = claim;
      const claimed = { title: claim.title, description: claim.description };

      live.add(sandboxId);
      const prep = new AbortController();
      preparing.set(sandboxId, prep);
      // A clone can take longer than the heartbeat allowance: the server vouches for the run meanwhile.
      const keepAlive = setInterval(
        () => {
          db.update(sandboxes)
            .set({ lastHeartbeatAt: now() })
            .where(and(eq(sandboxes.id, sandboxId), eq(sandboxes.status, 'starting')))
            .catch((error: unknown) => logger.warn({ err: error, sandboxId }, 'could not note a starting sandbox as alive'));
        },
        Math.max(200, (heartbeatIntervalSeconds * 1000) / 2),
      );
      keepAlive.unref();
      try {
        if (modelError !== undefined || !model) throw modelError;
        const launched = await provider.launch({
          sandboxId,
          specId,
          token,
          callbackUrl: callbackUrl(),
          title: claimed.title,
          description: claimed.description,
          phases,
          phaseData: plan.context,
          approvalMode: plan.approvalMode,
          ...(plan.reviewFeedback ? { reviewFeedback: plan.reviewFeedback } : {}),
          heartbeatIntervalSeconds,
          leaseSeconds,
          // A continuation explores the commit its earlier outputs were made from.
          repo: repo && plan.repoRef ? { ...repo, ref: plan.repoRef } : repo,
          modelEnv: modelEnv(model),
          signal: prep.signal,
        });
        await db
          .update(sandboxes)
          .set({ status: 'running', pid: launched.pid, logPath: launched.logPath })
          .where(and(eq(sandboxes.id, sandboxId), eq(sandboxes.status, 'starting')));
        if (launched.repoCommit) {
          await db.update(specs).set({ repoCommit: launched.repoCommit }).where(and(eq(specs.id, specId), eq(specs.sandboxId, sandboxId)));
        }
        // Ended (cancelled, reaped, shut down) while its sandbox was starting: stop what just started.
        if (prep.signal.aborted) await stopQuietly(sandboxId, 'the run ended while its sandbox was starting');
      } catch (error) {
        live.delete(sandboxId);
        const aborted = prep.signal.aborted;
        let detail: string;
        if (aborted) detail = closing ? 'the server shut down before the sandbox of this run started' : 'the run ended before its sandbox started';
        else if (error instanceof RepoError) detail = error.message;
        else if (error instanceof SecretUnreadableError) detail = `the project's model API key cannot be read: ${error.message}; set it again in the project's model settings`;
        else detail = `could not start sandbox: ${errorMessage(error)}`;
        const ended = await end({ specId, sandboxId, status: 'failed', sandboxStatus: 'failed', reason: 'execution_error', error: detail, createdBy: opts.userId });
        if (aborted && ended === undefined) {
          // Someone else ended the run first (a cancel): that is its outcome, not a launch failure.
          return { spec_id: specId, status: 'started', message: detail, current_phase: null, sandbox_id: sandboxId };
        }
        throw new AppError('sandbox_launch_failed', detail, { cause: error });
      } finally {
        clearInterval(keepAlive);
        preparing.delete(sandboxId);
      }
      return {
        spec_id: specId,
        status: 'started',
        message: `run started in sandbox ${sandboxId}`,
        current_phase: plan.fromPhase ?? 'explore',
        sandbox_id: sandboxId,
        run_id: plan.runId,
      };
    },

    async cancel(specId: string, userId: string | null): Promise<void> {
      let who = 'the system';
      if (userId) {
        const [user] = await db.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, userId));
        who = user ? `${user.name} <${user.email}>` : userId;
      }
      const sandboxId = await end({
        specId,
        sandboxId: null,
        status: 'cancelled',
        sandboxStatus: 'cancelled',
        reason: 'cancelled',
        error: `cancelled by ${who}`,
        createdBy: userId,
      });
      if (sandboxId === undefined) {
        // A queued run (issue 11) has no sandbox yet: it leaves the queue.
        const [dequeued] = await db
          .update(specs)
          .set({ status: 'cancelled', lastError: `cancelled by ${who} while queued`, queuedAt: null, queuedRequest: null, updatedAt: now() })
          .where(and(eq(specs.id, specId), eq(specs.status, 'queued')))
          .returning({ id: specs.id });
        if (dequeued) {
          await recordVersion(db, { specId, changeType: 'run_cancelled', changeSummary: `cancelled by ${who} while queued`, changeDetails: null, createdBy: userId });
          return;
        }
        const [spec] = await db.select({ status: specs.status }).from(specs).where(eq(specs.id, specId));
        if (!spec) throw notFound('spec');
        throw new AppError('not_running', `spec ${specId} is not executing (status ${spec.status}); there is no run to cancel`);
      }
      if (sandboxId) await stopQuietly(sandboxId, 'cancelled');
      // A worker's run: its waiting job leaves the queue (a worker running it sees the run ended and stops).
      if (runQueue) {
        const [spec] = await db.select({ runId: specs.runId }).from(specs).where(eq(specs.id, specId));
        if (spec?.runId) await runQueue.remove(spec.runId);
      }
    },

    async finished(sandboxId: string, outcome: 'completed' | 'failed' | 'cancelled'): Promise<void> {
      const at = now().toISOString();
      await db
        .update(sandboxes)
        .set({
          status: sql`case when ${sandboxes.status} in ('starting', 'running') then ${outcome} else ${sandboxes.status} end`,
          endedAt: sql`coalesce(${sandboxes.endedAt}, ${at}::timestamptz)`,
          revokedAt: sql`coalesce(${sandboxes.revokedAt}, ${at}::timestamptz)`,
        })
        .where(eq(sandboxes.id, sandboxId));
      dispatchSoon(); // a slot freed
      if (!provider.isAlive(sandboxId) || closing) return;
      // The sandbox normally exits right after its terminal event; stop it if it lingers.
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (provider.isAlive(sandboxId)) void stopQuietly(sandboxId, 'run finished but the sandbox did not exit');
      }, finishGraceMs);
      timer.unref();
      timers.add(timer);
    },

    async reap(): Promise<number> {
      const at = now();
      let stale;
      try {
        if (outage) {
          const granted = await grantLeases(at);
          if (granted > 0) logger.warn({ granted }, 'the database is reachable again: granted every open run a fresh lease');
          outage = false;
        }
        stale = await findStaleRuns(db, at, config.sandbox);
      } catch (error) {
        outage = true;
        throw error;
      }
      // Runs ended elsewhere (another server's reaper, a cancel there) whose child runs here: stop it.
      if (live.size > 0) {
        const ended = await db
          .select({ id: sandboxes.id })
          .from(sandboxes)
          .where(and(inArray(sandboxes.id, [...live]), isNotNull(sandboxes.endedAt)));
        for (const row of ended) if (provider.isAlive(row.id)) void stopQuietly(row.id, 'its run ended');
      }
      let failed = 0;
      for (const run of stale) {
        if (run.provider === QUEUE_PROVIDER && run.sandboxId) {
          // A worker's run (issue 11): another worker takes it over from its last completed phase.
          const cause = staleRunMessage(run, config.sandbox.missedHeartbeats);
          const requeued = await requeueRun(db, { specId: run.specId, sandboxId: run.sandboxId, since: run.since, now: at, maxAttempts: config.runner.attempts, cause });
          if (requeued.kind === 'skipped') continue;
          if (requeued.kind === 'requeued') {
            logger.warn({ specId: run.specId, sandboxId: run.sandboxId, attempts: requeued.attempts }, 'a worker lost its run; it is back on the queue');
            await enqueue(run.specId, requeued.runId);
            continue;
          }
          const ended = await end({
            specId: run.specId,
            sandboxId: run.sandboxId,
            status: 'failed',
            sandboxStatus: 'lost',
            reason: 'timeout',
            error: `${cause}; the run was given up after ${requeued.attempts} worker attempt(s) (SPECLINE_RUN_ATTEMPTS ${config.runner.attempts})`,
          });
          if (ended !== undefined) failed += 1;
          continue;
        }
        const sandboxId = await end({
          specId: run.specId,
          sandboxId: run.sandboxId,
          status: 'failed',
          sandboxStatus: 'lost',
          reason: 'timeout',
          error: staleRunMessage(run, config.sandbox.missedHeartbeats),
          stillApplies: (spec) => !spec.lastHeartbeatAt || spec.lastHeartbeatAt.getTime() <= run.since.getTime(),
        });
        if (sandboxId === undefined) continue;
        failed += 1;
        if (sandboxId) await stopQuietly(sandboxId, 'stopped sending heartbeats');
      }
      await dispatch().catch((error: unknown) => logger.warn({ err: error }, 'could not start queued runs'));
      // Redis keeps nothing on disk: every pass re-adds the jobs of the runs waiting for a worker (idempotent).
      await resync();
      return failed;
    },

    async reconcile(): Promise<number> {
      const at = now();
      // Nobody could renew while this server was down: every open run gets one fresh lease. A run whose
      // sandbox really is gone is failed by the reaper once that lease expires.
      await grantLeases(at);
      const failed = await failOrphanedRuns(db, at, end);
      dispatchSoon(); // runs queued before the restart
      return failed;
    },

    async close(): Promise<void> {
      if (closing) return;
      closing = true;
      for (const controller of preparing.values()) controller.abort();
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      // Runs of children we are about to stop would otherwise wait for the next start's reconcile.
      for (const sandboxId of [...live]) {
        if (!provider.isAlive(sandboxId)) continue;
        const [row] = await db.select({ specId: sandboxes.specId }).from(sandboxes).where(eq(sandboxes.id, sandboxId));
        if (!row) continue;
        await end({
          specId: row.specId,
          sandboxId,
          status: 'failed',
          sandboxStatus: 'lost',
          reason: 'execution_error',
          error: 'the server shut down while this run was executing',
        }).catch((error: unknown) => logger.error({ err: error, sandboxId }, 'could not fail a run at shutdown'));
      }
      await provider.close();
      await manager.drain();
    },
  };
  return manager;
}
