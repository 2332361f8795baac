/**
 * The run queue's job contract (issue 11). A job carries ids only — never a token, a key or a prompt:
 * the worker fetches what it needs from the server over the authenticated `/api/v1/workers/*` routes.
 * The job id is the run's id (`spec_runs.id`), so adding a run's job again is a no-op while it exists
 * (servers re-add every waiting run after Redis comes back, and on each reaper pass).
 */
import type { ConnectionOptions } from 'bullmq';
import { z } from 'zod';

export const RUN_JOB_NAME = 'run';

export const RunJob = z.object({
  spec_id: z.string().min(1).max(200),
  run_id: z.string().min(1).max(200),
});
export type RunJob = z.infer<typeof RunJob>;

/** BullMQ job ids may not contain `:` or be plain integers; run ids (`run_…`) are neither. */
export function jobIdOf(job: RunJob): string {
  return job.run_id;
}

/** ioredis options from a `redis://` / `rediss://` URL (BullMQ brings its own ioredis, so options, not a client). */
export function redisOptionsOf(url: string): ConnectionOptions & { host: string; port: number } {
  const u = new URL(url);
  const db = u.pathname.replace(/^\//, '');
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db && /^\d+$/.test(db) ? { db: Number(db) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
