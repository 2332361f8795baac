/**
 * The one-statement insert of a new batch (services/ingestInsert.ts) and its fallback: a batch that
 * holds a stored event rolls that attempt back and is stored the checked way. Either way the answer,
 * the rows, `last_spec_seq`, the run id and the live sandbox's heartbeat are what they always were.
 */
import type { IngestResponse } from '@specline/protocol';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxEvents, sandboxes, specRuns } from '../store/schema';
import { AppError } from '../http/errors';
import { ingestEvents } from '../services/ingest';
import { BACKENDS, createTestServer, type TestServer } from './harness';
import { eventFactory, postEvents, progress, range, seedSandbox, seedSpec, specSeqs, storeSnapshot } from './ingestHarness';

describe.each(BACKENDS)('one-statement ingest on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer(backend, { listen: true });
  });
  afterAll(async () => {
    await server.close();
  });

  const heartbeatOf = async (sandboxId: string) => (await server.context.db.select().from(sandboxes).where(eq(sandboxes.id, sandboxId)))[0];

  it('a new batch: ids in body order, spec_seq last+1…, last_spec_seq advanced, the live sandbox marked alive', async () => {
    const s = await seedSpec(server);
    expect((await heartbeatOf(s.sandbox.sandboxId))?.lastHeartbeatAt).toBeNull();
    const event = eventFactory(s.specId);
    const body = { events: range(1, 7).map((i) => event('spec.progress', progress(`step ${i}`))) };
    const res = (await postEvents(server, s.sandbox, body)).json<IngestResponse>();
    expect(res).toMatchObject({ stored: 7, duplicates: 0, first_spec_seq: 1, last_spec_seq: 7 });
    const rows = await server.context.db
      .select({ id: sandboxEvents.id, eventId: sandboxEvents.eventId, specSeq: sandboxEvents.specSeq })
      .from(sandboxEvents)
      .where(eq(sandboxEvents.specId, s.specId))
      .orderBy(asc(sandboxEvents.specSeq));
    expect(rows.map((r) => r.eventId)).toEqual(body.events.map((e) => e.event_id));
    expect(res.event_ids).toEqual(rows.map((r) => String(r.id)));
    expect((await storeSnapshot(server, s.specId)).spec?.lastSpecSeq).toBe(7);
    const sandbox = await heartbeatOf(s.sandbox.sandboxId);
    expect(sandbox?.lastHeartbeatAt).toBeInstanceOf(Date);
    expect(sandbox?.status).toBe('running');
  });

  it('a stored event in the middle of a batch: the attempt is rolled back, the new events are stored gap-free once', async () => {
    const s = await seedSpec(server);
    const event = eventFactory(s.specId);
    const [a, b, c, d] = [event('spec.progress', progress('a')), event('spec.progress', progress('b')), event('spec.progress', progress('c')), event('spec.progress', progress('d'))];
    const first = (await postEvents(server, s.sandbox, { events: [c] })).json<IngestResponse>();
    const res = (await postEvents(server, s.sandbox, { events: [a, b, c, d] })).json<IngestResponse>();
    expect(res).toMatchObject({ stored: 3, duplicates: 1, first_spec_seq: 2, last_spec_seq: 4 });
    expect(res.event_ids[2]).toBe(first.event_ids[0]);
    expect(await specSeqs(server, s.specId)).toEqual([1, 2, 3, 4]);
    const snapshot = await storeSnapshot(server, s.specId);
    expect(snapshot.events).toBe(4);
    expect(snapshot.spec?.lastSpecSeq).toBe(4);
    // The next new batch goes the one-statement way again, right after.
    const next = (await postEvents(server, s.sandbox, { events: [event('spec.progress', progress('e'))] })).json<IngestResponse>();
    expect(next).toMatchObject({ stored: 1, first_spec_seq: 5, last_spec_seq: 5 });
  });

  it('a batch whose token was revoked after the auth check (a superseded attempt) is refused under the spec lock and stores nothing', async () => {
    const s = await seedSpec(server);
    const event = eventFactory(s.specId);
    await postEvents(server, s.sandbox, { events: [event('spec.progress', progress('before'))] });
    // The request passed requireSandbox; then a later claim revoked the token. Call the service as the route would.
    await server.context.db.update(sandboxes).set({ revokedAt: new Date() }).where(eq(sandboxes.id, s.sandbox.sandboxId));
    const late = { events: [event('spec.progress', progress('late'))] };
    const error = await ingestEvents(server.context, { sandboxId: s.sandbox.sandboxId, specId: s.specId }, late).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error instanceof AppError && error.code).toBe('token_revoked');
    expect(await specSeqs(server, s.specId)).toEqual([1]);
    expect((await storeSnapshot(server, s.specId)).spec?.lastSpecSeq).toBe(1);
  });

  it("an earlier sandbox's batch is stored, never applied: its heartbeat stays untouched", async () => {
    const s = await seedSpec(server);
    const old = await seedSandbox(server, s.specId, { current: false });
    const res = (await postEvents(server, old, { events: [eventFactory(s.specId)('spec.progress', progress('late'))] })).json<IngestResponse>();
    expect(res).toMatchObject({ stored: 1, first_spec_seq: 1 });
    expect((await heartbeatOf(old.sandboxId))?.lastHeartbeatAt).toBeNull();
  });

  it("an external sandbox's first batch claims the spec, and its events carry the run it started", async () => {
    const s = await seedSpec(server);
    // The seeded sandbox made the spec executing: end that run, then register an external producer.
    await server.app.inject({ method: 'POST', url: `/api/v1/specs/${s.specId}/cancel`, headers: s.owner.headers });
    const registered = await server.app.inject({ method: 'POST', url: `/api/v1/specs/${s.specId}/sandboxes`, headers: s.owner.headers, payload: {} });
    expect(registered.statusCode).toBe(201);
    const { sandbox_id: sandboxId, token } = registered.json<{ sandbox_id: string; token: string }>();
    const external = { sandboxId, token, headers: { authorization: `Bearer ${token}` } };
    const event = eventFactory(s.specId);
    const res = (await postEvents(server, external, { events: [event('spec.progress', progress('x')), event('spec.progress', progress('y'))] })).json<IngestResponse>();
    expect(res.stored).toBe(2);
    const [run] = await server.context.db.select().from(specRuns).where(eq(specRuns.sandboxId, sandboxId));
    expect(run?.id).toBeTruthy();
    const stored = await server.context.db.select({ runId: sandboxEvents.runId }).from(sandboxEvents).where(eq(sandboxEvents.sandboxId, sandboxId));
    expect(stored.map((r) => r.runId)).toEqual([run!.id, run!.id]);
    // A second batch: the run id now comes with the lock.
    await postEvents(server, external, { events: [event('spec.progress', progress('z'))] });
    const again = await server.context.db.select({ runId: sandboxEvents.runId }).from(sandboxEvents).where(eq(sandboxEvents.sandboxId, sandboxId));
    expect(again.map((r) => r.runId)).toEqual([run!.id, run!.id, run!.id]);
    expect((await heartbeatOf(sandboxId))?.status).toBe('running');
  });
});
