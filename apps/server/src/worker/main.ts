/**
 * `npm run worker` / `npx specline-worker` (issue 11): runs queued runs on this machine. It needs only
 * Redis (the BullMQ queue) and the server's public URL; see the README's "More workers" section.
 * Job locks and stalled-job detection are BullMQ's: a worker that dies has its jobs handed to another
 * worker after `SPECLINE_WORKER_LOCK_SECONDS`, whose claim supersedes the dead attempt. SIGTERM/SIGINT:
 * take no new jobs and let the running ones finish; a second signal kills their sandboxes and exits (their
 * runs resume on other workers).
 * Exit codes: 0 after a clean shutdown, 1 on a failure, 2 on a bad configuration.
 */
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { Worker } from 'bullmq';
import { ConfigError, loadWorkerConfig, type WorkerConfig } from '../config';
import { createLogger } from '../http/logging';
import { RunJob, redisOptionsOf } from '../queue/jobs';
import { killChild, runAttempt } from './runAttempt';
import { createServerApi } from './serverApi';

function readConfig(): WorkerConfig {
  try {
    return loadWorkerConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`specline-worker: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel).child({ component: 'worker' });
  mkdirSync(config.dir, { recursive: true });
  const owner = `worker:${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const api = createServerApi({ serverUrl: config.serverUrl, token: config.workerToken });
  const children = new Map<string, ChildProcess>();
  const lockDuration = config.lockSeconds * 1000;
  const worker = new Worker<RunJob>(
    config.queueName,
    async (job) => {
      const data = RunJob.safeParse(job.data);
      if (!data.success) {
        logger.warn({ jobId: job.id }, 'ignored a job that is not a run job');
        return { outcome: 'ignored' };
      }
      return runAttempt({ config, api, logger, owner, children }, data.data);
    },
    {
      connection: { ...redisOptionsOf(config.redisUrl), maxRetriesPerRequest: null },
      concurrency: config.concurrency,
      lockDuration,
      stalledInterval: lockDuration,
      // Attempts are counted and capped by the server (SPECLINE_RUN_ATTEMPTS); BullMQ must keep handing a stalled job on.
      maxStalledCount: 1000,
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 0 },
      name: owner,
    },
  );
  worker.on('error', (error) => logger.warn({ err: error }, 'queue error (the running sandboxes go on: they report over HTTP)'));
  worker.on('failed', (job, error) => logger.warn({ jobId: job?.id, err: error }, 'a run job failed on this worker; the server puts the run back on the queue'));
  worker.on('stalled', (jobId) => logger.warn({ jobId }, 'a job stalled (its worker stopped renewing the lock): handed on'));
  await worker.waitUntilReady();
  process.stdout.write(`specline-worker ${owner} is taking runs from ${config.queueName} (concurrency ${config.concurrency}) for ${config.serverUrl}\n`);

  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      // Killed, not cancelled: their jobs stall and another worker resumes each run from its last completed phase.
      logger.warn({ signal }, 'second signal: killing the running sandboxes (other workers resume their runs) and exiting');
      for (const child of children.values()) killChild(child);
      process.exit(1);
    }
    shuttingDown = true;
    logger.info({ signal, running: children.size }, 'shutting down: no new runs; the running ones finish');
    worker
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`specline-worker: could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
