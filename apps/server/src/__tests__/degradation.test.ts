/**
 * Honest degradation (issue 11) with a REAL stopped database: a private PostgreSQL this test starts and
 * stops (never the shared one). While it is down, ingestion and reads answer 503 `unavailable` with
 * `Retry-After` (never 500), `/health` and `/health/ready` answer 503 and `/health/live` 200; the batch
 * refused meanwhile is stored once when resent. A database outage fails no healthy run: the first
 * reaper pass after it grants every open run a fresh lease; a run that then stays silent is failed one
 * lease later, visibly.
 */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App, type AppContext } from '../app';
import { createMemoryBus } from '../bus/memoryBus';
import { loadConfig } from '../config';
import { createNoopProvider } from '../launcher/provider';
import { createRunManager } from '../launcher/runManager';
import { createMemoryLimitStore } from '../limits/limitStore';
import { createTokenService } from '../services/tokens';
import { openDatabase, type Database } from '../store/db';
import { registerUser, type TestUser } from './harness';
import { eventsOf, sandboxRow, sandboxSettings, seedSpec, specRow } from './launcherFixtures';
import { createDatabaseOn, startPrivatePostgres, type PrivatePostgres } from './privateServices';

const logger = pino({ level: 'silent' });

describe('with the database stopped', { timeout: 120_000 }, () => {
  let pgServer: PrivatePostgres;
  let database: Database;
  let app: App;
  let context: AppContext;
  let user: TestUser;

  beforeAll(async () => {
    pgServer = await startPrivatePostgres();
    const url = await createDatabaseOn(pgServer.url, 'specline_degraded');
    database = await openDatabase({ url, poolSize: 4 });
    await database.migrate();
    const base = loadConfig({ NODE_ENV: 'test', SPECLINE_DATA_DIR: '/tmp/specline-test', DEMO_USER: 'false', SANDBOX_PROVIDER: 'none' });
    const config = { ...base, sandbox: sandboxSettings({ heartbeatIntervalSeconds: 10, missedHeartbeats: 3 }) };
    ({ app, context } = await buildApp({
      config,
      database,
      bus: createMemoryBus(),
      provider: createNoopProvider(),
      tokens: createTokenService(`test-secret-${randomUUID()}-${randomUUID()}`),
      logger,
      limits: createMemoryLimitStore(),
    }));
    await app.ready();
    user = await registerUser(app, 'degraded');
  });
  afterAll(async () => {
    await app?.close();
    await database?.close().catch(() => undefined);
    await pgServer?.close();
  });

  it('ingest and reads answer 503 unavailable with Retry-After, health says so, and the refused batch is stored once when resent', async () => {
    const provider = createNoopProvider();
    const runs = createRunManager({ ...context, provider });
    const { specId, userId } = await seedSpec(context.db);
    await runs.start(specId, { userId });
    const launch = provider.launched.at(-1)!;
    const batch = { events: [{ event_id: randomUUID(), seq: 1, event_type: 'spec.progress', timestamp: new Date().toISOString(), spec_id: specId, phase: null, data: { message: 'exploring' } }] };
    const ingest = () => app.inject({ method: 'POST', url: `/api/v1/sandboxes/${launch.sandboxId}/events`, headers: { authorization: `Bearer ${launch.token}` }, payload: batch });

    expect((await app.inject({ method: 'GET', url: '/api/v1/health' })).statusCode).toBe(200);
    await pgServer.stop();
    try {
      const refused = await ingest();
      expect(refused.statusCode, refused.body).toBe(503);
      expect(refused.json()).toMatchObject({ code: 'unavailable' });
      expect(refused.headers['retry-after']).toBe('5');

      const read = await app.inject({ method: 'GET', url: `/api/v1/specs/${specId}`, headers: user.headers });
      expect(read.statusCode, read.body).toBe(503);
      expect(read.json()).toMatchObject({ code: 'unavailable' });
      expect(read.headers['retry-after']).toBe('5');

      const health = await app.inject({ method: 'GET', url: '/api/v1/health' });
      expect(health.statusCode).toBe(503);
      expect(health.json()).toMatchObject({ status: 'degraded', database: false, bus: true });
      expect(health.headers['retry-after']).toBe('5');
      expect((await app.inject({ method: 'GET', url: '/api/v1/health/live' })).statusCode).toBe(200);
      const ready = await app.inject({ method: 'GET', url: '/api/v1/health/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({ status: 'not_ready', database: false });
    } finally {
      await pgServer.start();
    }

    const accepted = await ingest();
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json()).toMatchObject({ stored: 1, duplicates: 0 });
    expect((await ingest()).json()).toMatchObject({ stored: 0, duplicates: 1 });
    expect((await eventsOf(context.db, specId)).filter((e) => e.eventType === 'spec.progress')).toHaveLength(1);
    expect((await app.inject({ method: 'GET', url: '/api/v1/health' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/v1/health/ready' })).json()).toMatchObject({ status: 'ready', database: true, bus: true });
    await runs.cancel(specId, null);
    await runs.close();
  });

  it('an outage longer than the lease fails no healthy run: the next reaper pass grants fresh leases; a run silent after that fails one lease later', async () => {
    let now = new Date();
    const t0 = now;
    const runs = createRunManager({ ...context, provider: createNoopProvider() }, { now: () => now });
    const { specId, userId } = await seedSpec(context.db);
    const { sandbox_id } = await runs.start(specId, { userId });
    const lease = (await sandboxRow(context.db, sandbox_id!)).leaseSeconds!;

    await pgServer.stop();
    try {
      now = new Date(t0.getTime() + (lease / 2) * 1000);
      await expect(runs.reap()).rejects.toBeDefined();
    } finally {
      await pgServer.start();
    }
    // Back after longer than the lease: nobody could renew, so nobody is failed.
    now = new Date(t0.getTime() + (lease + 5) * 1000);
    expect(await runs.reap()).toBe(0);
    expect((await specRow(context.db, specId)).status).toBe('executing');
    expect((await sandboxRow(context.db, sandbox_id!)).leaseRenewedAt).toEqual(now);
    // Still silent one whole lease after the grant: failed, with its cause on the timeline.
    now = new Date(now.getTime() + (lease + 1) * 1000);
    expect(await runs.reap()).toBe(1);
    const spec = await specRow(context.db, specId);
    expect(spec.status).toBe('failed');
    expect(spec.lastError).toMatch(/^sandbox stopped sending heartbeats/);
    const events = await eventsOf(context.db, specId);
    expect(events.at(-1)).toMatchObject({ eventType: 'agent.completed', source: 'system' });
    await runs.close();
  });
});
