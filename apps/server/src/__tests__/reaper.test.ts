/**
 * The reaper on both backends: deadlines counted from the latest heartbeat (or the start), driven by
 * an injected clock; a hung real child is failed and stopped; and the interval started by `main`
 * actually reaps.
 */
import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalProvider } from '../launcher/localProvider';
import { createNoopProvider } from '../launcher/provider';
import { startReaper } from '../launcher/reaper';
import { createRunManager } from '../launcher/runManager';
import { sandboxes, specs } from '../store/schema';
import { BACKENDS, createTestServer, type TestServer } from './harness';
import { eventsOf, sandboxRow, sandboxSettings, seedSpec, specRow, tempDataDir, waitFor, writeFakeSandbox } from './launcherFixtures';

const logger = pino({ level: 'silent' });
const INTERVAL = 10; // seconds
const t0 = new Date('2030-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

describe.each(BACKENDS)('reaper on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer(backend, { config: { sandbox: sandboxSettings({ heartbeatIntervalSeconds: INTERVAL, missedHeartbeats: 3 }) } });
  });
  afterAll(async () => {
    await server.close();
  });
  const db = () => server.context.db;

  it('counts from the start until the first heartbeat, then from the latest heartbeat', async () => {
    let now = t0;
    const runs = createRunManager({ ...server.deps, provider: createNoopProvider() }, { now: () => now });
    const { specId, userId } = await seedSpec(db());
    const { sandbox_id } = await runs.start(specId, { userId });

    now = at(3 * INTERVAL - 1);
    expect(await runs.reap()).toBe(0);
    // a heartbeat arrives (ingestion records it on the spec)
    await db().update(specs).set({ lastHeartbeatAt: at(2 * INTERVAL) }).where(eq(specs.id, specId));
    now = at(4 * INTERVAL);
    expect(await runs.reap()).toBe(0);
    // a later one recorded on the sandbox row counts too
    await db().update(sandboxes).set({ lastHeartbeatAt: at(4 * INTERVAL) }).where(eq(sandboxes.id, sandbox_id!));
    now = at(6 * INTERVAL);
    expect(await runs.reap()).toBe(0);
    now = at(7 * INTERVAL + 1);
    expect(await runs.reap()).toBe(1);

    const spec = await specRow(db(), specId);
    expect(spec.status).toBe('failed');
    expect(spec.lastError).toBe(`sandbox stopped sending heartbeats (last at ${at(4 * INTERVAL).toISOString()}; expected one every ${INTERVAL}s, gave up after 3 missed)`);
    const sandbox = await sandboxRow(db(), sandbox_id!);
    expect(sandbox.status).toBe('lost');
    expect(sandbox.revokedAt).toBeInstanceOf(Date);
    const events = await eventsOf(db(), specId);
    expect(events.map((e) => e.eventType)).toEqual(['spec.phase_failed', 'spec.execution_failed', 'agent.completed']);
    expect(events[0]!.data).toMatchObject({ phase: 'explore', reason: 'timeout' });
    expect(await runs.reap()).toBe(0); // already failed: nothing more
    await runs.close();
  });

  it('leaves runs that are not executing alone', async () => {
    const now = at(1000 * INTERVAL);
    const runs = createRunManager({ ...server.deps, provider: createNoopProvider() }, { now: () => now });
    const { specId } = await seedSpec(db(), { status: 'completed' });
    await runs.reap();
    expect((await specRow(db(), specId)).status).toBe('completed');
    await runs.close();
  });

  it('fails a hung child (SIGSTOP) and stops it', async () => {
    let now = new Date();
    const provider = createLocalProvider({ dataDir: tempDataDir(), entry: writeFakeSandbox(), env: { FAKE_MODE: 'idle' }, logger, stopGraceMs: 2000 });
    const runs = createRunManager({ ...server.deps, provider }, { now: () => now });
    const { specId, userId } = await seedSpec(db());
    const started = now;
    const { sandbox_id } = await runs.start(specId, { userId });
    const pid = provider.pidOf(sandbox_id!)!;
    process.kill(pid, 'SIGSTOP');

    now = new Date(started.getTime() + 3 * INTERVAL * 1000 + 1);
    expect(await runs.reap()).toBe(1);
    expect(provider.isAlive(sandbox_id!)).toBe(false);
    await runs.drain();
    const spec = await specRow(db(), specId);
    expect(spec.status).toBe('failed');
    expect(spec.lastError).toBe(`sandbox stopped sending heartbeats (last at none since the start at ${started.toISOString()}; expected one every ${INTERVAL}s, gave up after 3 missed)`);
    await runs.close();
  });
});

describe.each(BACKENDS)('reaper interval on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer(backend, { config: { sandbox: sandboxSettings({ heartbeatIntervalSeconds: 1, missedHeartbeats: 2 }) } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('startReaper fails a silent run once missed × interval has passed', async () => {
    const { specId, userId } = await seedSpec(server.context.db);
    await server.context.runs.start(specId, { userId });
    const stop = startReaper(server.context.runs, 100, logger);
    try {
      // the allowance is 2 s; give the reaper three more intervals, then give up
      const spec = await waitFor(
        'the reaper to fail the run',
        async () => {
          const row = await specRow(server.context.db, specId);
          return row.status === 'failed' ? row : undefined;
        },
        2000 + 3000,
      );
      expect(spec.lastError).toMatch(/^sandbox stopped sending heartbeats/);
    } finally {
      stop();
    }
  });
});
