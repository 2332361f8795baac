/**
 * The batched lookups of a reconnect storm (issue 14): the session+user lookup (`userOfAccess`) and the
 * streams' access check (`StreamHub.checkAccess`) answer many concurrent requests with one query per
 * batch, with exactly the answers of one query per request: in one batch a revoked session is refused
 * and a live one accepted, a member is let in and a non-member (or a removed member) is not, and a spec
 * that does not exist is `not_found`. Nothing is cached: a logout or a removal before a lookup is seen.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeSession, sessionLookupStats, userOfAccess } from '../services/sessions';
import { projectMembers } from '../store/schema';
import type { StreamHub } from '../streams/hub';
import { getStreamHub } from '../streams/hubFor';
import { BACKENDS, createTestServer, type TestServer } from './harness';
import { seedSpec, seedUser, type SeededUser } from './ingestHarness';

describe.each(BACKENDS)('batched stream lookups on %s', (backend) => {
  let server: TestServer;
  let hub: StreamHub;

  beforeAll(async () => {
    server = await createTestServer(backend);
    // The stream routes create the hub; any stream request does (here: one for a spec that does not exist).
    const probe = await seedUser(server, 'probe');
    await server.app.inject({ method: 'GET', url: '/api/v1/specs/spec-none/events/stream', headers: probe.headers });
    hub = getStreamHub(server.context)!;
  }, 180_000);
  afterAll(async () => {
    await server?.close();
  });

  const claimsOf = async (user: SeededUser) => (await server.context.tokens.verifyAccess(user.token))!;

  it('two sessions in one batch, one revoked: the revoked one is refused, the live one gets its user', async () => {
    const live = await seedUser(server, 'live');
    const revoked = await seedUser(server, 'revoked');
    const [liveClaims, revokedClaims] = [await claimsOf(live), await claimsOf(revoked)];
    expect(await revokeSession(server.context.db, revokedClaims.sessionId)).toBe(true);
    const before = sessionLookupStats(server.context.db)?.batches ?? 0;
    const answers = await Promise.all([
      userOfAccess(server.context.db, liveClaims),
      userOfAccess(server.context.db, revokedClaims),
      userOfAccess(server.context.db, liveClaims),
      userOfAccess(server.context.db, { ...liveClaims, userId: revoked.id }), // a session with another user's id
    ]);
    expect(answers.map((a) => a?.id)).toEqual([live.id, undefined, live.id, undefined]);
    expect(answers[0]).toMatchObject({ sessionId: liveClaims.sessionId });
    const stats = sessionLookupStats(server.context.db)!;
    expect(stats.batches - before).toBe(1);
    // Not cached: the live session revoked now is refused by the next lookup.
    await revokeSession(server.context.db, liveClaims.sessionId);
    expect(await userOfAccess(server.context.db, liveClaims)).toBeUndefined();
  });

  it('over HTTP: concurrent stream requests with a live and a revoked token get 200 and 401', async () => {
    const s = await seedSpec(server);
    const gone = await seedUser(server, 'gone');
    await server.context.db.insert(projectMembers).values({ projectId: s.projectId, userId: gone.id, role: 'member' });
    await revokeSession(server.context.db, (await claimsOf(gone)).sessionId);
    const url = `/api/v1/specs/${s.specId}/events`;
    const [ok, refused] = await Promise.all([
      server.app.inject({ method: 'GET', url, headers: s.owner.headers }),
      server.app.inject({ method: 'GET', url, headers: gone.headers }),
    ]);
    expect(ok.statusCode).toBe(200);
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ code: 'unauthorized' });
  });

  it('a member, a non-member, a removed member and a missing spec in one batch: one cursor, three not_found', async () => {
    const s = await seedSpec(server);
    const other = await seedSpec(server);
    const outsider = await seedUser(server, 'outsider');
    const removed = await seedUser(server, 'removed');
    await server.context.db.insert(projectMembers).values({ projectId: s.projectId, userId: removed.id, role: 'member' });
    await server.context.db.delete(projectMembers).where(and(eq(projectMembers.projectId, s.projectId), eq(projectMembers.userId, removed.id)));
    const before = hub.checks.stats().batches;
    const answers = await Promise.allSettled([
      hub.checkAccess(s.specId, s.owner.id),
      hub.checkAccess(s.specId, outsider.id),
      hub.checkAccess(s.specId, removed.id),
      hub.checkAccess('spec-does-not-exist', s.owner.id),
      // The owner of the other spec is a member there, not here (the batch crosses specs and users).
      hub.checkAccess(s.specId, other.owner.id),
      hub.checkAccess(other.specId, other.owner.id),
    ]);
    expect(hub.checks.stats().batches - before).toBe(1);
    expect(answers[0]).toEqual({ status: 'fulfilled', value: { id: s.specId, lastSpecSeq: 0 } });
    expect(answers[5]).toEqual({ status: 'fulfilled', value: { id: other.specId, lastSpecSeq: 0 } });
    for (const i of [1, 2, 3, 4]) {
      const answer = answers[i]!;
      expect(answer.status).toBe('rejected');
      expect((answer as PromiseRejectedResult).reason).toMatchObject({ code: 'not_found' });
    }
    // Not cached: the member removed now is refused by the next check.
    await server.context.db.delete(projectMembers).where(and(eq(projectMembers.projectId, s.projectId), eq(projectMembers.userId, s.owner.id)));
    await expect(hub.checkAccess(s.specId, s.owner.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('over HTTP: concurrent stream opens by a member and a non-member get the stream and 404 not_found', async () => {
    const s = await seedSpec(server);
    const outsider = await seedUser(server, 'outsider');
    const url = `/api/v1/specs/${s.specId}/events/stream`;
    const [refused, missing] = await Promise.all([
      server.app.inject({ method: 'GET', url, headers: outsider.headers }),
      server.app.inject({ method: 'GET', url: '/api/v1/specs/spec-missing/events/stream', headers: s.owner.headers }),
    ]);
    expect(refused.statusCode).toBe(404);
    expect(refused.json()).toMatchObject({ code: 'not_found' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'not_found' });
  });
});
