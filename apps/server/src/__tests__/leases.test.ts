/**
 * Run ownership by lease (issue 11), on both backends: two servers (two apps, two run managers) on one
 * database and bus. A restart of server B never fails server A's live run, nor revokes its token; the
 * sandbox's batches to either server renew the lease; only an expired lease fails a run (injected
 * clock); a run with no open sandbox behind it is failed at start-up; the launcher hands the lease to
 * the sandbox, and the sandbox's retry budget derived from it always fits inside it.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { reporterBudget, toleratedOutageMs, worstCaseSilenceMs } from '@specline/protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../app';
import { ConfigError, leaseSecondsOf, loadConfig } from '../config';
import { createLocalProvider } from '../launcher/localProvider';
import { createNoopProvider } from '../launcher/provider';
import { createRunManager } from '../launcher/runManager';
import { BACKENDS, createTestServer, type TestServer } from './harness';
import { eventsOf, sandboxRow, sandboxSettings, seedSpec, specRow, tempDataDir, waitFor, writeFakeSandbox } from './launcherFixtures';

const logger = pino({ level: 'silent' });
const INTERVAL = 10;
const MISSED = 3;

let seq = 0;
function event(specId: string, type: string, data: Record<string, unknown>) {
  return { event_id: randomUUID(), seq: ++seq, event_type: type, timestamp: new Date().toISOString(), spec_id: specId, phase: null, data };
}

async function post(app: App, sandboxId: string, token: string, events: unknown[]) {
  return app.inject({ method: 'POST', url: `/api/v1/sandboxes/${sandboxId}/events`, headers: { authorization: `Bearer ${token}` }, payload: { events } });
}

describe.each(BACKENDS)('run leases on %s', (backend) => {
  let a: TestServer;
  beforeAll(async () => {
    a = await createTestServer(backend, { config: { sandbox: sandboxSettings({ heartbeatIntervalSeconds: INTERVAL, missedHeartbeats: MISSED }) } });
  });
  afterAll(async () => {
    await a.close();
  });
  const db = () => a.context.db;

  it("restarting server B neither fails server A's live run nor revokes its token; the sandbox reports to B, then to A, and completes", async () => {
    const provider = createNoopProvider();
    const runsA = createRunManager({ ...a.deps, provider });
    const { specId, userId } = await seedSpec(db());
    const started = await runsA.start(specId, { userId });
    const launch = provider.launched.at(-1)!;
    expect(launch.leaseSeconds).toBe(INTERVAL * MISSED);
    const row = await sandboxRow(db(), started.sandbox_id!);
    expect(row).toMatchObject({ leaseOwner: runsA.owner, leaseSeconds: INTERVAL * MISSED });
    expect(row.leaseOwner).toMatch(/^server:/);

    // Server B starts (reconcile) beside A: A's run is none of its children, yet it is left alone.
    const b = await buildApp({ ...a.deps, provider: createNoopProvider() });
    expect(await b.context.runs.reconcile()).toBe(0);
    expect((await specRow(db(), specId)).status).toBe('executing');
    expect((await sandboxRow(db(), started.sandbox_id!)).revokedAt).toBeNull();
    // The sandbox reports to B (its callback now points there): accepted, and the lease renewed.
    const toB = await post(b.app, launch.sandboxId, launch.token, [event(specId, 'spec.execution_started', { title: 'Export CSV', description: 'Users can export reports as CSV', phases: launch.phases })]);
    expect(toB.statusCode, toB.body).toBe(200);
    // B shuts down (its own runs only: it has none) and starts again.
    await b.app.close();
    expect((await specRow(db(), specId)).status).toBe('executing');
    const b2 = await buildApp({ ...a.deps, provider: createNoopProvider() });
    expect(await b2.context.runs.reconcile()).toBe(0);
    const again = await post(b2.app, launch.sandboxId, launch.token, [event(specId, 'spec.heartbeat', { phases_completed: [], current_phase: 'explore' })]);
    expect(again.statusCode, again.body).toBe(200);
    await b2.app.close();

    const done = await post(a.app, launch.sandboxId, launch.token, [
      event(specId, 'agent.completed', { spec_id: specId, success: true, phase_data: {}, phases_completed: ['explore', 'requirements', 'design', 'tasks', 'sync'] }),
    ]);
    expect(done.statusCode, done.body).toBe(200);
    const spec = await specRow(db(), specId);
    expect(spec.status).toBe('completed');
    const events = await eventsOf(db(), specId);
    expect(events.map((e) => e.specSeq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.eventType === 'agent.completed')).toHaveLength(1);
    expect(events.every((e) => e.source !== 'system')).toBe(true);
    await runsA.close();
  });

  it('only an expired lease fails a run: every batch renews it, whichever server it reaches', async () => {
    const t0 = new Date();
    let now = t0;
    const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
    const provider = createNoopProvider();
    const runsA = createRunManager({ ...a.deps, provider }, { now: () => now });
    const runsB = createRunManager({ ...a.deps, provider: createNoopProvider() }, { now: () => now });
    const { specId, userId } = await seedSpec(db());
    const { sandbox_id } = await runsA.start(specId, { userId });
    const lease = INTERVAL * MISSED;

    now = at(lease - 1);
    expect(await runsB.reap()).toBe(0);
    expect(await runsA.reap()).toBe(0);
    // A batch renews the lease (ingestion stamps the sandbox row with its own clock: the real one).
    const launch = provider.launched.at(-1)!;
    expect((await post(a.app, launch.sandboxId, launch.token, [event(specId, 'spec.progress', { message: 'exploring' })])).statusCode).toBe(200);
    const renewed = (await sandboxRow(db(), sandbox_id!)).lastHeartbeatAt!;
    now = new Date(renewed.getTime() + lease * 1000 - 1000);
    expect(await runsB.reap()).toBe(0);
    now = new Date(renewed.getTime() + lease * 1000 + 1000);
    expect(await runsB.reap()).toBe(1);
    const spec = await specRow(db(), specId);
    expect(spec.status).toBe('failed');
    expect(spec.lastError).toMatch(/^sandbox stopped sending heartbeats \(last at /);
    expect((await sandboxRow(db(), sandbox_id!)).revokedAt).toBeInstanceOf(Date);
    const events = await eventsOf(db(), specId);
    expect(events.at(-1)).toMatchObject({ eventType: 'agent.completed', source: 'system' });
    await runsA.close();
    await runsB.close();
  });

  it('start-up fails only runs with no open sandbox behind them, and closes sandboxes whose run ended', async () => {
    const orphan = await seedSpec(db(), { status: 'executing', currentPhase: 'design', sandboxId: 'sbx-gone' });
    const runs = createRunManager({ ...a.deps, provider: createNoopProvider() });
    const live = await seedSpec(db());
    const started = await runs.start(live.specId, { userId: live.userId });
    const restarted = createRunManager({ ...a.deps, provider: createNoopProvider() });
    expect(await restarted.reconcile()).toBeGreaterThanOrEqual(1);
    const failed = await specRow(db(), orphan.specId);
    expect(failed.status).toBe('failed');
    expect(failed.lastError).toBe('the server restarted while this run was executing; its sandbox sbx-gone is no longer running');
    expect((await specRow(db(), live.specId)).status).toBe('executing');
    expect((await sandboxRow(db(), started.sandbox_id!)).leaseRenewedAt).toBeInstanceOf(Date);
    await runs.cancel(live.specId, null);
    await runs.close();
    await restarted.close();
  });

  it('a run ended by another server (its reaper, a cancel) has its child stopped by the server that runs it', async () => {
    const provider = createLocalProvider({ dataDir: tempDataDir(), entry: writeFakeSandbox(), env: { FAKE_MODE: 'idle', PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, logger, stopGraceMs: 2000 });
    const runsA = createRunManager({ ...a.deps, provider });
    const runsB = createRunManager({ ...a.deps, provider: createNoopProvider() });
    const { specId, userId } = await seedSpec(db());
    const { sandbox_id } = await runsA.start(specId, { userId });
    const envFile = path.join(provider.logPathOf(sandbox_id!).replace(/\.log$/, ''), 'env.json');
    await waitFor('the child to record its environment', () => Promise.resolve(existsSync(envFile) ? true : undefined));
    const seen = JSON.parse(readFileSync(envFile, 'utf8')) as { env: Record<string, string> };
    expect(seen.env['SANDBOX_LEASE_SECONDS']).toBe(String(INTERVAL * MISSED));
    await runsB.cancel(specId, null);
    expect(provider.isAlive(sandbox_id!)).toBe(true);
    await runsA.reap();
    await waitFor('the child of the cancelled run to stop', () => Promise.resolve(provider.isAlive(sandbox_id!) ? undefined : true));
    await runsA.drain();
    expect((await specRow(db(), specId)).status).toBe('cancelled');
    await runsA.close();
    await runsB.close();
  });
});

describe('the lease and the reporter budget come from one setting', () => {
  it('every accepted configuration leaves the sandbox time to retry inside its lease', () => {
    for (const interval of [0.5, 1, 2, 5, 10, 30, 60]) {
      for (const missed of [2, 3, 6, 10]) {
        const config = loadConfig({ SANDBOX_HEARTBEAT_INTERVAL: String(interval), SANDBOX_MISSED_HEARTBEATS: String(missed) });
        const lease = leaseSecondsOf(config.sandbox);
        const budget = reporterBudget(lease);
        expect(worstCaseSilenceMs(lease, interval)).toBeLessThan(lease * 1000);
        expect(toleratedOutageMs(lease, interval)).toBeGreaterThan(0);
        expect(budget.maxDelayMs + budget.requestTimeoutMs).toBeLessThan(lease * 1000);
      }
    }
    // The 5 s heartbeat of the fault report: a sandbox retries at most every 2.5 s, so it is back within 10 s of the server.
    expect(reporterBudget(15)).toMatchObject({ maxDelayMs: 2500, probeIntervalMs: 2500, requestTimeoutMs: 2500 });
  });

  it('refuses settings that leave no room (one missed heartbeat), naming the setting', () => {
    expect(() => loadConfig({ SANDBOX_MISSED_HEARTBEATS: '1' })).toThrow(ConfigError);
    expect(() => loadConfig({ SANDBOX_MISSED_HEARTBEATS: '1' })).toThrow(/SANDBOX_MISSED_HEARTBEATS: must be at least 2/);
  });
});
