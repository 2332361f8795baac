/**
 * The one-statement path for a batch without side effects (services/ingestInsert.ts `insertLiveBatch`)
 * is taken only for event types the run-state reducer ignores: every protocol event type outside
 * `EFFECT_EVENT_TYPES` must leave the state exactly as it was, whatever its payload. And the statement
 * is atomic: one that fails part-way through its rows stores none of them.
 */
import { EventPayloads, type IngestResponse } from '@specline/protocol';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EFFECT_EVENT_TYPES, reduceRunEffects, type RunState } from '../services/runEffects';
import { rowsOf } from '../store/db';
import { sandboxEvents, sandboxes, specs } from '../store/schema';
import { BACKENDS, createTestServer, type TestServer } from './harness';
import { eventFactory, postEvents, progress, seedSpec, specSeqs, storeSnapshot } from './ingestHarness';

const initial: RunState = {
  status: 'executing',
  currentPhase: 'explore',
  phases: ['explore', 'requirements'],
  phaseStatus: { explore: { state: 'running', attempt: 1, max_attempts: null, eval_score: null, reason: null, error: null, started_at: null, completed_at: null } },
  progress: 10,
  lastError: null,
  usage: null,
  lastHeartbeatAt: null,
};

describe('event types without side effects', () => {
  const inert = [...Object.keys(EventPayloads).filter((t) => !EFFECT_EVENT_TYPES.has(t)), 'spec.progress', 'custom.anything'];

  it.each(inert)('%s changes no run state, patches no phase data and ends nothing', (type) => {
    const payloads = [{}, { phase: 'requirements', message: 'x', current_phase: 'design', success: true, phase_data: { design: { a: 1 } } }];
    for (const data of payloads) {
      const out = reduceRunEffects(initial, [{ spec_seq: 1, event_type: type, data, emitted_at: new Date(0) }], { now: new Date(1), runStartedBefore: true });
      expect(out.changed).toBe(false);
      expect(out.phaseDataPatch).toEqual({});
      expect(out.completed).toEqual([]);
      expect(out.terminal).toBeNull();
    }
  });

  it('every type the reducer acts on is in EFFECT_EVENT_TYPES', () => {
    for (const type of EFFECT_EVENT_TYPES) expect(Object.keys(EventPayloads)).toContain(type);
    expect(EFFECT_EVENT_TYPES.has('spec.progress')).toBe(false);
    expect(EFFECT_EVENT_TYPES.has('spec.heartbeat')).toBe(true);
    expect(EFFECT_EVENT_TYPES.has('agent.completed')).toBe(true);
  });
});

describe.each(BACKENDS)('the one-statement batch on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer(backend);
  });
  afterAll(async () => {
    await server.close();
  });

  it('a batch that fails at its third row stores nothing, and the next batch is gap-free', async () => {
    const s = await seedSpec(server);
    const event = eventFactory(s.specId);
    const first = (await postEvents(server, s.sandbox, { events: [event('spec.progress', progress('one'))] })).json<IngestResponse>();
    expect(first).toMatchObject({ stored: 1, first_spec_seq: 1 });
    // A row squatting on spec_seq 4 (last_spec_seq stays 1): the batch's third event would get it.
    await server.context.db.insert(sandboxEvents).values({ specId: s.specId, specSeq: 4, sandboxId: 'sbx-other', eventId: 'squatter', eventType: 'spec.progress', data: {}, emittedAt: new Date() });
    const batch = { events: [1, 2, 3, 4].map((i) => event('spec.progress', progress(`batch ${i}`))) };
    const refused = await postEvents(server, s.sandbox, batch);
    expect(refused.statusCode).toBe(409);
    expect(await specSeqs(server, s.specId)).toEqual([1, 4]);
    expect((await storeSnapshot(server, s.specId)).spec?.lastSpecSeq).toBe(1);
    // With the squatter gone the same batch (same event ids) is stored once, 2..5.
    await server.context.db.delete(sandboxEvents).where(eq(sandboxEvents.eventId, 'squatter'));
    const stored = (await postEvents(server, s.sandbox, batch)).json<IngestResponse>();
    expect(stored).toMatchObject({ stored: 4, duplicates: 0, first_spec_seq: 2, last_spec_seq: 5 });
    expect(await specSeqs(server, s.specId)).toEqual([1, 2, 3, 4, 5]);
  });

  it('a repeat inside the batch and a stored event in the middle: stored once each, acked as duplicates, gap-free', async () => {
    const s = await seedSpec(server);
    const event = eventFactory(s.specId);
    const [a, b, c] = [event('spec.progress', progress('a')), event('spec.progress', progress('b')), event('spec.progress', progress('c'))];
    const stored = (await postEvents(server, s.sandbox, { events: [b] })).json<IngestResponse>();
    const res = (await postEvents(server, s.sandbox, { events: [a, b, a, c] })).json<IngestResponse>();
    expect(res).toMatchObject({ stored: 2, duplicates: 2, first_spec_seq: 2, last_spec_seq: 3 });
    expect(res.event_ids[1]).toBe(stored.event_ids[0]);
    expect(res.event_ids[0]).toBe(res.event_ids[2]);
    expect(await specSeqs(server, s.specId)).toEqual([1, 2, 3]);
  });

  // Only PostgreSQL runs statements concurrently (PGlite runs one at a time, so the statement cannot wait).
  it.runIf(backend === 'postgres')('a batch waiting for the spec lock while its token is revoked stores nothing and is refused token_revoked', async () => {
    const s = await seedSpec(server);
    const event = eventFactory(s.specId);
    const db = server.context.db;
    await postEvents(server, s.sandbox, { events: [event('spec.progress', progress('before'))] });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    // A claim / a run's end: the spec row locked, the sandbox revoked, committed only once the batch waits.
    const revoker = db.transaction(async (tx) => {
      await tx.select({ id: specs.id }).from(specs).where(eq(specs.id, s.specId)).for('update');
      await tx.update(sandboxes).set({ revokedAt: new Date() }).where(eq(sandboxes.id, s.sandbox.sandboxId));
      locked();
      await held;
    });
    await isLocked;
    // The token check passes (the revocation is not committed yet); the batch's statement then waits for the spec row.
    const post = postEvents(server, s.sandbox, { events: [event('spec.progress', progress('racing'))] });
    for (;;) {
      const [row] = rowsOf<{ n: number }>(
        await db.execute(sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like '%jsonb_to_recordset%'`),
      );
      if (row && row.n > 0) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    release();
    await revoker;
    const res = await post;
    expect(res.statusCode).toBe(401);
    expect(res.json<{ code: string }>().code).toBe('token_revoked');
    expect(await specSeqs(server, s.specId)).toEqual([1]);
    expect((await storeSnapshot(server, s.specId)).spec?.lastSpecSeq).toBe(1);
  });
});
