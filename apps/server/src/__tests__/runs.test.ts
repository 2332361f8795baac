/**
 * RunManager against the real store and bus on both backends, with the no-op provider (nothing is
 * spawned; `launcher.test.ts` covers real children): atomic start, launch failure, cancel, finished,
 * reconcile. Rows are read back from the database; events from `sandbox_events`.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../http/errors';
import { createLocalProvider } from '../launcher/localProvider';
import { createNoopProvider, type LaunchRequest } from '../launcher/provider';
import { createRunManager } from '../launcher/runManager';
import { hashSandboxToken } from '../services/tokens';
import { sandboxes, specVersions } from '../store/schema';
import { BACKENDS, createTestServer, type TestServer } from './harness';
import { eventsOf, sandboxRow, sandboxSettings, seedSpec, specRow, tempDataDir } from './launcherFixtures';

describe.each(BACKENDS)('run manager on %s', (backend) => {
  let server: TestServer;
  let launched: LaunchRequest[];
  beforeAll(async () => {
    const provider = createNoopProvider();
    launched = provider.launched;
    server = await createTestServer(backend, { provider, config: { publicUrl: 'http://callback.test:1234', sandbox: sandboxSettings({ heartbeatIntervalSeconds: 7 }) } });
  });
  afterAll(async () => {
    await server.close();
  });
  const db = () => server.context.db;

  it('start claims the spec, resets the run state, creates the sandbox and launches it with its token', async () => {
    const { specId, userId } = await seedSpec(db(), {
      status: 'completed',
      progress: 100,
      currentPhase: 'sync',
      lastError: 'old',
      requirementsApproved: true,
      designApproved: true,
      phaseData: { explore: { old: true } },
    });
    const answer = await server.context.runs.start(specId, { userId, prd: true });
    expect(answer).toMatchObject({ spec_id: specId, status: 'started', current_phase: 'explore' });
    const sandboxId = answer.sandbox_id!;

    const spec = await specRow(db(), specId);
    expect(spec).toMatchObject({
      status: 'executing',
      phases: ['explore', 'prd', 'requirements', 'design', 'tasks', 'sync'],
      phaseStatus: {},
      phaseData: {},
      progress: 0,
      currentPhase: 'explore',
      lastError: null,
      requirementsApproved: false,
      designApproved: false,
      sandboxId,
    });
    const sandbox = await sandboxRow(db(), sandboxId);
    expect(sandbox).toMatchObject({ specId, status: 'running', provider: 'none', heartbeatIntervalSeconds: 7, revokedAt: null });

    const request = launched.find((l) => l.sandboxId === sandboxId)!;
    expect(request).toMatchObject({ specId, callbackUrl: 'http://callback.test:1234', title: 'Export CSV', heartbeatIntervalSeconds: 7 });
    expect(hashSandboxToken(request.token)).toBe(sandbox.tokenHash);
    const versions = await db().select().from(specVersions).where(eq(specVersions.specId, specId));
    expect(versions.map((v) => v.changeType)).toEqual(['run_started']);
  });

  it('two concurrent starts: exactly one run starts, the others answer already_running', async () => {
    const { specId, userId } = await seedSpec(db());
    const answers = await Promise.all(Array.from({ length: 5 }, () => server.context.runs.start(specId, { userId })));
    const started = answers.filter((a) => a.status === 'started');
    expect(started).toHaveLength(1);
    expect(answers.filter((a) => a.status === 'already_running')).toHaveLength(4);
    for (const a of answers.filter((x) => x.status === 'already_running')) expect(a.sandbox_id).toBe(started[0]!.sandbox_id);
    const rows = await db().select().from(sandboxes).where(eq(sandboxes.specId, specId));
    expect(rows).toHaveLength(1);
  });

  it('starts a spec created executing but not launched yet (a spec_driven ticket), and not twice', async () => {
    const { specId, userId } = await seedSpec(db(), { status: 'executing', currentPhase: 'explore' });
    const first = await server.context.runs.start(specId, { userId });
    expect(first.status).toBe('started');
    const second = await server.context.runs.start(specId, { userId });
    expect(second).toMatchObject({ status: 'already_running', sandbox_id: first.sandbox_id });
  });

  it('an unknown spec is not_found', async () => {
    await expect(server.context.runs.start('spec-nope', { userId: null })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('a launch failure fails the spec with last_error, revokes the sandbox and tells the caller', async () => {
    const provider = createLocalProvider({ dataDir: tempDataDir(), entry: '/nonexistent/specline-sandbox.js', logger: server.deps.logger });
    const runs = createRunManager({ ...server.deps, provider });
    const { specId, userId } = await seedSpec(db());
    const error = await runs.start(specId, { userId }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'sandbox_launch_failed', message: 'could not start sandbox: the sandbox CLI was not found at /nonexistent/specline-sandbox.js' });

    const spec = await specRow(db(), specId);
    expect(spec.status).toBe('failed');
    expect(spec.lastError).toBe('could not start sandbox: the sandbox CLI was not found at /nonexistent/specline-sandbox.js');
    const sandbox = await sandboxRow(db(), spec.sandboxId!);
    expect(sandbox.status).toBe('failed');
    expect(sandbox.revokedAt).toBeInstanceOf(Date);
    expect(sandbox.endedAt).toBeInstanceOf(Date);

    const events = await eventsOf(db(), specId);
    expect(events.map((e) => [e.specSeq, e.eventType, e.source])).toEqual([
      [1, 'spec.phase_failed', 'system'],
      [2, 'spec.execution_failed', 'system'],
      [3, 'agent.completed', 'system'],
    ]);
    expect(events[2]!.data).toMatchObject({ spec_id: specId, success: false, failed_phase: 'explore', error: spec.lastError });
    expect(spec.lastSpecSeq).toBe(3);
    expect(spec.phaseStatus['explore']).toMatchObject({ state: 'failed', reason: 'execution_error' });
    await runs.close();
  });

  it('cancel stops the run: spec cancelled with who did it, token revoked, events appended and published', async () => {
    const { specId, userId } = await seedSpec(db());
    const { sandbox_id } = await server.context.runs.start(specId, { userId });
    const heard: number[] = [];
    const unsubscribe = await server.deps.bus.subscribe(specId, (m) => heard.push(m.spec_seq));

    await server.context.runs.cancel(specId, userId);
    const spec = await specRow(db(), specId);
    expect(spec.status).toBe('cancelled');
    expect(spec.lastError).toMatch(/^cancelled by Ada <user-.*@example\.test>$/);
    const sandbox = await sandboxRow(db(), sandbox_id!);
    expect(sandbox.status).toBe('cancelled');
    expect(sandbox.revokedAt).toBeInstanceOf(Date);
    const events = await eventsOf(db(), specId);
    expect(events.map((e) => e.eventType)).toEqual(['spec.phase_failed', 'spec.execution_failed', 'agent.completed']);
    expect(events[0]!.data).toMatchObject({ phase: 'explore', reason: 'cancelled' });
    const wake = Date.now() + 5000;
    while (heard.length === 0 && Date.now() < wake) await new Promise((r) => setTimeout(r, 20));
    expect(heard).toEqual([3]);
    await unsubscribe();

    await expect(server.context.runs.cancel(specId, userId)).rejects.toMatchObject({ code: 'not_running' });
    await expect(server.context.runs.cancel('spec-nope', userId)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('finished revokes the token and closes the sandbox without touching the spec', async () => {
    const { specId, userId } = await seedSpec(db());
    const { sandbox_id } = await server.context.runs.start(specId, { userId });
    await server.context.runs.finished(sandbox_id!, 'completed');
    const sandbox = await sandboxRow(db(), sandbox_id!);
    expect(sandbox).toMatchObject({ status: 'completed' });
    expect(sandbox.revokedAt).toBeInstanceOf(Date);
    expect(sandbox.endedAt).toBeInstanceOf(Date);
    expect((await specRow(db(), specId)).status).toBe('executing'); // ingestion owns the spec's end
  });

  it('reconcile leaves a run with a live lease alone (issue 11), and the reaper fails it once the lease expired', async () => {
    const before = await seedSpec(db());
    const { sandbox_id } = await server.context.runs.start(before.specId, { userId: before.userId });
    const done = await seedSpec(db(), { status: 'completed' });
    // A new process: a new run manager whose provider knows no live sandbox. The run's lease is live.
    let now = new Date();
    const runs = createRunManager({ ...server.deps, provider: createNoopProvider() }, { now: () => now });
    await runs.reconcile();
    expect((await specRow(db(), before.specId)).status).toBe('executing');
    expect((await sandboxRow(db(), sandbox_id!)).revokedAt).toBeNull();
    // No batch arrives: once the lease granted at start-up expires, the run is failed and its token revoked.
    const lease = (await sandboxRow(db(), sandbox_id!)).leaseSeconds!;
    now = new Date(now.getTime() + lease * 1000 + 1000);
    expect(await runs.reap()).toBeGreaterThanOrEqual(1);
    const spec = await specRow(db(), before.specId);
    expect(spec.status).toBe('failed');
    expect(spec.lastError).toMatch(/^sandbox stopped sending heartbeats/);
    expect((await sandboxRow(db(), sandbox_id!)).status).toBe('lost');
    expect((await sandboxRow(db(), sandbox_id!)).revokedAt).toBeInstanceOf(Date);
    expect((await specRow(db(), done.specId)).status).toBe('completed');
    expect(await runs.reconcile()).toBe(0);
    await runs.close();
  });
});
