/**
 * The server's side of the run queue (issue 11, `SPECLINE_RUNNER=queue`): BullMQ's `Queue` on Redis.
 * `add` never holds a request while Redis is away: it fails fast (no offline queue, a short timeout) and
 * the run stays `queued` for a worker in the database, from where every server re-adds it — when its
 * Redis connection is ready again and on each reaper pass (`resync`). Job ids are run ids, so re-adding
 * is idempotent; finished jobs are removed, so a run's id is free again should it need a new job.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { jobIdOf, redisOptionsOf, RUN_JOB_NAME, type RunJob } from './jobs';

export interface RunQueue {
  /** Adds the run's job (a no-op when it is already there). Rejects when Redis cannot be reached. */
  add(job: RunJob): Promise<void>;
  /** Removes a waiting job (a cancelled run); a job a worker holds stays until the worker lets it go. */
  remove(runId: string): Promise<void>;
  /** Called whenever the Redis connection becomes ready (start, and after every reconnect). */
  onReady(listener: () => void): void;
  close(): Promise<void>;
}

const ADD_TIMEOUT_MS = 3_000;

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: Redis did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export function createRunQueue(options: { url: string; name: string; logger: Logger }): RunQueue {
  const listeners = new Set<() => void>();
  const queue = new Queue<RunJob>(options.name, {
    connection: { ...redisOptionsOf(options.url), enableOfflineQueue: false, maxRetriesPerRequest: 1 },
    defaultJobOptions: { removeOnComplete: true, removeOnFail: true, attempts: 1 },
  });
  queue.on('error', (error) => options.logger.warn({ err: error }, 'run queue: redis error'));
  let closed = false;
  // One small connection that only watches Redis come (back): each 'ready' re-adds the waiting runs' jobs.
  const watcher = new Redis(options.url, { lazyConnect: false, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  watcher.on('error', () => undefined); // reported by the queue's own connection
  watcher.on('ready', () => {
    for (const listener of listeners) listener();
  });
  return {
    async add(job) {
      await within(queue.add(RUN_JOB_NAME, job, { jobId: jobIdOf(job) }), ADD_TIMEOUT_MS, 'adding a run job');
    },
    async remove(runId) {
      await within(queue.remove(runId), ADD_TIMEOUT_MS, 'removing a run job').catch(() => 0);
    },
    onReady(listener) {
      listeners.add(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      watcher.disconnect();
      await queue.close().catch(() => undefined);
    },
  };
}
