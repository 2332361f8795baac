/**
 * The run queue (issue 11, `SPECLINE_RUNNER=queue`) through the API, on both backends, with a real
 * BullMQ queue on Redis (a queue of this test's own). The test plays the worker over the real
 * `/api/v1/workers/*` routes and the sandbox over the real ingest route: a launch is a job carrying ids
 * only (no key, no token in Redis), the spec waits `queued` for a worker with its position; a claim makes
 * it `executing` under the worker's lease; a second claim (BullMQ re-delivered the job) supersedes the
 * attempt — its token is refused — and resumes from the phases not yet passed with the stored outputs
 * as context, on the same gap-free sequence, ending with one `agent.completed`; attempts are capped and
 * the run then fails visibly; an expired worker lease puts the run back on the queue; a job lost with
 * Redis is re-added from the database; a cancelled waiting run leaves the queue; quotas hold.
 */
import { randomUUID } from 'node:crypto';
import type { LaunchSpecResponse, Spec } from '@specline/protocol';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../app';
import { createRunManager } from '../launcher/runManager';
import { redisOptionsOf } from '../queue/jobs';
import { createRunQueue, type RunQueue } from '../queue/runQueue';
import type { ClaimAnswer } from '../services/workerClaims';
import { BACKENDS, createProject, createTestServer, registerUser, TEST_REDIS_URL, type TestServer, type TestUser } from './harness';
import { eventsOf, sandboxRow, sandboxSettings, waitFor } from './launcherFixtures';

const WORKER_TOKEN = `worker-${randomUUID()}-${randomUUID()}`;
const WORKER = 'worker:test-host:1:abcdef';
const SECRET_KEY = 'sk-queue-SECRET-7d1f9a2b4c';
const logger = pino({ level: 'silent' });

let seq = 0;
function event(specId: string, type: string, data: Record<string, unknown>, phase: string | null = null) {
  return { event_id: randomUUID(), seq: ++seq, event_type: type, timestamp: new Date().toISOString(), spec_id: specId, phase, data };
}

describe.each(BACKENDS)('run queue on %s', (backend) => {
  let server: TestServer;
  let app: App;
  let runQueue: RunQueue;
  let inspect: Queue;
  const queueName = `specline-test-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    server = await createTestServer(backend, {
      config: {
        runner: { mode: 'queue', workerToken: WORKER_TOKEN, attempts: 3, queueName },
        quotas: { runsPerUser: 3, runsPerProject: 0, runs: 0 },
        sandbox: sandboxSettings({ heartbeatIntervalSeconds: 10, missedHeartbeats: 3 }),
      },
    });
    runQueue = createRunQueue({ url: TEST_REDIS_URL, name: queueName, logger });
    ({ app } = await buildApp({ ...server.deps, runQueue }));
    await app.ready();
    inspect = new Queue(queueName, { connection: redisOptionsOf(TEST_REDIS_URL) });
  });
  afterAll(async () => {
    await app?.close();
    await inspect?.obliterate({ force: true }).catch(() => undefined);
    await inspect?.close();
    await runQueue?.close();
    await server?.close();
  });
  const db = () => server.context.db;

  async function launch(user: TestUser, projectId: string, title: string): Promise<LaunchSpecResponse> {
    const res = await app.inject({ method: 'POST', url: '/api/v1/specs/launch', headers: user.headers, payload: { title, description: `${title} for the reports page`, project_id: projectId } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<LaunchSpecResponse>();
  }
  async function spec(user: TestUser, id: string): Promise<Spec> {
    const res = await app.inject({ method: 'GET', url: `/api/v1/specs/${id}`, headers: user.headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Spec>();
  }
  async function claim(specId: string, runId: string, token = WORKER_TOKEN) {
    return app.inject({ method: 'POST', url: '/api/v1/workers/claims', headers: { authorization: `Bearer ${token}` }, payload: { spec_id: specId, run_id: runId, worker: WORKER } });
  }
  async function claimed(specId: string, runId: string): Promise<Extract<ClaimAnswer, { outcome: 'run' }>> {
    const res = await claim(specId, runId);
    expect(res.statusCode, res.body).toBe(200);
    const answer = res.json<ClaimAnswer>();
    if (answer.outcome !== 'run') throw new Error(`expected an attempt, got ${JSON.stringify(answer)}`);
    return answer;
  }
  async function post(attempt: { sandbox_id: string; token: string }, events: unknown[]) {
    return app.inject({ method: 'POST', url: `/api/v1/sandboxes/${attempt.sandbox_id}/events`, headers: { authorization: `Bearer ${attempt.token}` }, payload: { events } });
  }
  const runIdOf = async (user: TestUser, specId: string) => (await spec(user, specId)).run_id!;

  it('a launch is a job with ids only; the spec waits queued for a worker, with its position, until a claim makes it executing under the worker lease', async () => {
    const user = await registerUser(app, 'queue');
    const created = await app.inject({ method: 'POST', url: '/api/v1/projects', headers: user.headers, payload: { name: 'Queue', model_settings: { executor: 'anthropic', api_key: SECRET_KEY } } });
    expect(created.statusCode, created.body).toBe(201);
    const project = created.json<{ id: string }>();
    const first = await launch(user, project.id, 'Export CSV');
    const second = await launch(user, project.id, 'Export PDF');
    expect(first).toMatchObject({ status: 'queued' });
    expect([await spec(user, first.spec_id), await spec(user, second.spec_id)]).toMatchObject([
      { status: 'queued', queue_position: 1, sandbox_id: null },
      { status: 'queued', queue_position: 2, sandbox_id: null },
    ]);
    const runId = await runIdOf(user, first.spec_id);
    const job = await inspect.getJob(runId);
    expect(job?.data).toEqual({ spec_id: first.spec_id, run_id: runId });
    // Nothing secret in Redis: not the key, not a token.
    const redis = new Redis(TEST_REDIS_URL);
    const keys = await redis.keys(`bull:${queueName}:*`);
    let dump = '';
    for (const key of keys) {
      const type = await redis.type(key);
      if (type === 'hash') dump += JSON.stringify(await redis.hgetall(key));
      else if (type === 'string') dump += (await redis.get(key)) ?? '';
      else if (type === 'list') dump += JSON.stringify(await redis.lrange(key, 0, -1));
    }
    redis.disconnect();
    expect(dump).toContain(first.spec_id);
    expect(dump).not.toContain(SECRET_KEY);

    // Workers must present the worker token; bad input is a 422 naming the field.
    expect((await claim(first.spec_id, runId, 'wrong-token')).statusCode).toBe(401);
    const noAuth = await app.inject({ method: 'POST', url: '/api/v1/workers/claims', payload: { spec_id: first.spec_id, run_id: runId, worker: WORKER } });
    expect(noAuth.statusCode).toBe(401);
    expect(noAuth.json()).toMatchObject({ code: 'unauthorized' });
    const bad = await app.inject({ method: 'POST', url: '/api/v1/workers/claims', headers: { authorization: `Bearer ${WORKER_TOKEN}` }, payload: { spec_id: first.spec_id, run_id: runId, worker: 'me' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('worker');

    const attempt = await claimed(first.spec_id, runId);
    expect(attempt).toMatchObject({ attempt: 1, phases: ['explore', 'requirements', 'design', 'tasks', 'sync'], repo: null, approval_mode: 'auto' });
    expect(attempt.model_env).toMatchObject({ SPEC_EXECUTOR: 'anthropic', ANTHROPIC_API_KEY: SECRET_KEY });
    expect(await spec(user, first.spec_id)).toMatchObject({ status: 'executing', sandbox_id: attempt.sandbox_id, queue_position: null });
    expect(await spec(user, second.spec_id)).toMatchObject({ status: 'queued', queue_position: 1 });
    expect(await sandboxRow(db(), attempt.sandbox_id)).toMatchObject({ leaseOwner: WORKER, provider: 'queue', attempt: 1 });
    const status = await app.inject({ method: 'POST', url: `/api/v1/workers/runs/${attempt.sandbox_id}/status`, headers: { authorization: `Bearer ${WORKER_TOKEN}` }, payload: { state: 'running', pid: 4242 } });
    expect(status.json()).toEqual({ live: true, detail: 'live' });
  });

  it('a re-delivered job supersedes the attempt: its token is refused, the next attempt resumes after the passed phases with their outputs, one gap-free sequence and one agent.completed', async () => {
    const user = await registerUser(app, 'resume');
    const project = await createProject(app, user, 'Resume');
    const launched = await launch(user, project.id, 'Export CSV');
    const runId = await runIdOf(user, launched.spec_id);
    const one = await claimed(launched.spec_id, runId);
    const s = launched.spec_id;
    expect(
      (
        await post(one, [
          event(s, 'spec.execution_started', { title: 'Export CSV', description: 'x', phases: one.phases }),
          event(s, 'spec.phase_started', { phase: 'explore', attempt: 1 }, 'explore'),
          event(s, 'spec.phase_completed', { phase: 'explore', eval_score: 0.9, duration_seconds: 1, retry_count: 0, phase_output: { summary: 'reports live in src/reports' } }, 'explore'),
          event(s, 'spec.phase_started', { phase: 'requirements', attempt: 1 }, 'requirements'),
        ])
      ).statusCode,
    ).toBe(200);

    // The worker died; BullMQ hands the job to another worker, whose claim supersedes the first attempt.
    const two = await claimed(s, runId);
    expect(two.attempt).toBe(2);
    expect(two.sandbox_id).not.toBe(one.sandbox_id);
    expect(two.phases).toEqual(['requirements', 'design', 'tasks', 'sync']);
    expect(two.phase_data).toHaveProperty('explore');
    const refused = await post(one, [event(s, 'spec.progress', { message: 'still here' })]);
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ code: 'token_revoked' });
    const oldStatus = await app.inject({ method: 'POST', url: `/api/v1/workers/runs/${one.sandbox_id}/status`, headers: { authorization: `Bearer ${WORKER_TOKEN}` }, payload: { state: 'running' } });
    expect(oldStatus.json()).toMatchObject({ live: false });

    expect(
      (
        await post(two, [
          event(s, 'spec.execution_started', { title: 'Export CSV', description: 'x', phases: two.phases }),
          event(s, 'agent.completed', { spec_id: s, success: true, phase_data: {}, phases_completed: ['explore', ...two.phases] }),
        ])
      ).statusCode,
    ).toBe(200);
    await waitFor('the run to complete', async () => ((await spec(user, s)).status === 'completed' ? true : undefined), 30_000, 100);
    const events = await eventsOf(db(), s);
    expect(events.map((e) => e.specSeq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.eventType === 'agent.completed')).toHaveLength(1);
    expect((await spec(user, s)).phase_status['explore']).toMatchObject({ state: 'passed' });

    // The job of a run that ended: the claim says so, the worker acks it.
    const after = await claim(s, runId);
    expect(after.json()).toMatchObject({ outcome: 'ended' });
  });

  it('review mode: an attempt that died after requirements passed, before its gate stopped the run, resumes WITH requirements, so the gate still applies', async () => {
    const user = await registerUser(app, 'gate');
    const project = await createProject(app, user, 'Gate');
    const patched = await app.inject({ method: 'PATCH', url: `/api/v1/projects/${project.id}`, headers: user.headers, payload: { approval_mode: 'review' } });
    expect(patched.statusCode, patched.body).toBe(200);
    const s = (await launch(user, project.id, 'Export CSV')).spec_id;
    const runId = await runIdOf(user, s);
    const one = await claimed(s, runId);
    expect(one.approval_mode).toBe('review');
    const requirements = { requirements: [{ id: 'REQ-001', title: 'Export', description: 'CSV export', priority: 'must', acceptance_criteria: [{ id: 'REQ-001.AC-1', description: 'a CSV file downloads' }] }] };
    const posted = await post(one, [
      event(s, 'spec.execution_started', { title: 'Export CSV', description: 'x', phases: one.phases }),
      event(s, 'spec.phase_started', { phase: 'explore', attempt: 1 }, 'explore'),
      event(s, 'spec.phase_completed', { phase: 'explore', eval_score: 0.9, duration_seconds: 1, retry_count: 0, phase_output: { summary: 'reports live in src/reports' } }, 'explore'),
      event(s, 'spec.phase_started', { phase: 'requirements', attempt: 1 }, 'requirements'),
      event(s, 'spec.phase_completed', { phase: 'requirements', eval_score: 0.9, duration_seconds: 1, retry_count: 0, phase_output: requirements }, 'requirements'),
    ]);
    expect(posted.statusCode, posted.body).toBe(200);
    expect((await spec(user, s)).phase_status['requirements']).toMatchObject({ state: 'passed' });
    // The worker died before the gate's agent.completed: the next attempt runs requirements again (then stops for approval).
    const two = await claimed(s, runId);
    expect(two.attempt).toBe(2);
    expect(two.phases).toEqual(['requirements', 'design', 'tasks', 'sync']);
    expect(two.approval_mode).toBe('review');
    expect(two.phase_data).toHaveProperty('explore');
  });

  it('attempts are capped (SPECLINE_RUN_ATTEMPTS): the run then fails visibly with the cause and one agent.completed', async () => {
    const user = await registerUser(app, 'cap');
    const project = await createProject(app, user, 'Cap');
    const launched = await launch(user, project.id, 'Export CSV');
    const runId = await runIdOf(user, launched.spec_id);
    for (let i = 1; i <= 3; i++) expect((await claimed(launched.spec_id, runId)).attempt).toBe(i);
    const fourth = await claim(launched.spec_id, runId);
    const ended = fourth.json<{ outcome: string; detail: string }>();
    expect(ended.outcome).toBe('ended');
    expect(ended.detail).toMatch(/given up after 3 worker attempt/);
    const failed = await spec(user, launched.spec_id);
    expect(failed.status).toBe('failed');
    expect(failed.last_error).toMatch(/SPECLINE_RUN_ATTEMPTS 3/);
    const events = await eventsOf(db(), launched.spec_id);
    expect(events.filter((e) => e.eventType === 'agent.completed')).toHaveLength(1);
    expect(events.map((e) => e.specSeq)).toEqual(events.map((_, i) => i + 1));
  });

  it('an expired worker lease puts the run back on the queue (token revoked, job re-added); a job lost with Redis comes back on the next pass; a waiting run can be cancelled', async () => {
    const user = await registerUser(app, 'lease');
    const project = await createProject(app, user, 'Lease');
    const launched = await launch(user, project.id, 'Export CSV');
    const runId = await runIdOf(user, launched.spec_id);
    const one = await claimed(launched.spec_id, runId);
    await inspect.remove(runId).catch(() => 0); // the worker held it; as if Redis lost it
    const later = new Date(Date.now() + 31_000 + 60_000);
    const runs = createRunManager({ ...server.deps, runQueue }, { now: () => later });
    await runs.reap();
    // (Every run whose lease this clock expired went back: this one waits in that line, with its place.)
    const requeued = await spec(user, launched.spec_id);
    expect(requeued).toMatchObject({ status: 'queued', sandbox_id: null });
    expect(requeued.queue_position).toBeGreaterThanOrEqual(1);
    expect((await post(one, [event(launched.spec_id, 'spec.progress', { message: 'late' })])).statusCode).toBe(401);
    expect((await inspect.getJob(runId))?.data).toEqual({ spec_id: launched.spec_id, run_id: runId });

    // Redis lost the job: the next pass re-adds every run the database says is waiting for a worker.
    await inspect.remove(runId);
    expect(await inspect.getJob(runId)).toBeUndefined();
    await runs.reap();
    expect((await inspect.getJob(runId))?.data).toEqual({ spec_id: launched.spec_id, run_id: runId });
    await runs.close();

    const cancel = await app.inject({ method: 'POST', url: `/api/v1/specs/${launched.spec_id}/cancel`, headers: user.headers });
    expect(cancel.statusCode, cancel.body).toBe(200);
    expect(await spec(user, launched.spec_id)).toMatchObject({ status: 'cancelled', queue_position: null });
    expect(await inspect.getJob(runId)).toBeUndefined();
    expect((await claim(launched.spec_id, runId)).json()).toMatchObject({ outcome: 'ended' });
    const events = await eventsOf(db(), launched.spec_id);
    expect(events.filter((e) => e.eventType === 'agent.completed')).toHaveLength(1);
  });

  it('a 4th concurrent launch by one user is queued over the quota and is put on the worker queue when one of the three ends', async () => {
    const user = await registerUser(app, 'quota');
    const project = await createProject(app, user, 'Quota');
    const three = [await launch(user, project.id, 'One'), await launch(user, project.id, 'Two'), await launch(user, project.id, 'Three')];
    const fourth = await launch(user, project.id, 'Four');
    expect(fourth.status).toBe('queued');
    expect(fourth.message).toMatch(/you have 3 runs executing \(at most 3 at a time\)/);
    expect(await spec(user, fourth.spec_id)).toMatchObject({ status: 'queued', run_id: null });
    const attempts = [];
    for (const l of three) attempts.push(await claimed(l.spec_id, await runIdOf(user, l.spec_id)));
    expect((await spec(user, fourth.spec_id)).status).toBe('queued');
    const done = attempts[0]!;
    const s = three[0]!.spec_id;
    expect((await post(done, [event(s, 'agent.completed', { spec_id: s, success: true, phase_data: {} })])).statusCode).toBe(200);
    const admitted = await waitFor('the 4th run to be put on the worker queue', async () => {
      const row = await spec(user, fourth.spec_id);
      return row.run_id ? row : undefined;
    }, 30_000, 100);
    expect(admitted).toMatchObject({ status: 'queued' });
    await waitFor('its job', async () => ((await inspect.getJob(admitted.run_id!)) ? true : undefined), 30_000, 100);
    await claimed(fourth.spec_id, admitted.run_id!);
    expect((await spec(user, fourth.spec_id)).status).toBe('executing');
  });
});
