import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNoopProvider, type SandboxProvider } from '../launcher/provider';
import { newId } from '../services/ids';
import { specs, tasks, tickets } from '../store/schema';
import { BACKENDS, createProject, createTestServer, registerUser, type TestServer, type TestUser } from './harness';

interface TicketBody {
  id: string;
  title: string;
  status: string;
  priority: string;
  project_id: string;
  workflow_mode: string;
  spec_id: string | null;
  phase_id: string;
}

/** A provider whose launches fail, as a broken sandbox host would. */
function failingProvider(): SandboxProvider {
  return { ...createNoopProvider(), name: 'failing', launch: () => Promise.reject(new Error('no sandbox host reachable')) };
}

describe.each(BACKENDS)('ticket routes on %s', (backend) => {
  let server: TestServer;
  const provider = createNoopProvider();
  let alice: TestUser;
  let bob: TestUser;
  let project: { id: string };
  let bobProject: { id: string };
  beforeAll(async () => {
    server = await createTestServer(backend, { provider });
    alice = await registerUser(server.app, 'alice');
    bob = await registerUser(server.app, 'bob');
    project = await createProject(server.app, alice, 'Alice project');
    bobProject = await createProject(server.app, bob, 'Bob project');
  });
  afterAll(async () => {
    await server.close();
  });

  const postTicket = (user: TestUser | undefined, payload: object, key?: string) =>
    server.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      payload,
      headers: { ...(user?.headers ?? {}), ...(key ? { 'idempotency-key': key } : {}) },
    });
  const get = (user: TestUser | undefined, url: string) => server.app.inject({ method: 'GET', url, ...(user ? { headers: user.headers } : {}) });
  const counts = async () => ({
    tickets: (await server.context.db.select().from(tickets)).length,
    specs: (await server.context.db.select().from(specs)).length,
  });

  it('creates a quick ticket (priority any case) and reads it back', async () => {
    const res = await postTicket(alice, { title: 'Fix login', project_id: project.id, priority: 'HIGH' });
    expect(res.statusCode).toBe(201);
    const t = res.json<TicketBody>();
    expect(t).toMatchObject({ title: 'Fix login', status: 'backlog', priority: 'high', project_id: project.id, workflow_mode: 'quick', spec_id: null, phase_id: 'PHASE_REQUIREMENTS' });
    const got = await get(alice, `/api/v1/tickets/${t.id}`);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(t);
  });

  it('spec_driven: creates the ticket and its spec in one go, sets spec_id, and starts the run', async () => {
    const launchedBefore = provider.launched.length;
    const res = await postTicket(alice, { title: 'Rate limiter', description: 'Limit per key', project_id: project.id, workflow_mode: 'spec_driven' });
    expect(res.statusCode).toBe(201);
    const t = res.json<TicketBody>();
    expect(t.workflow_mode).toBe('spec_driven');
    expect(t.spec_id).toMatch(/^spec-/);
    const [spec] = await server.context.db.select().from(specs).where(eq(specs.id, t.spec_id!));
    expect(spec).toMatchObject({ title: 'Rate limiter', description: 'Limit per key', projectId: project.id, status: 'executing', currentPhase: 'explore' });
    expect(spec?.specContext).toEqual({ source_ticket_id: t.id, workflow_mode: 'spec_driven' });
    expect(provider.launched.length).toBe(launchedBefore + 1);
    expect(provider.launched.at(-1)?.specId).toBe(t.spec_id);
    const linked = await get(alice, `/api/v1/specs/${t.spec_id}/linked-tickets`);
    expect(linked.json<{ tickets: { id: string }[] }>().tickets.map((x) => x.id)).toEqual([t.id]);
  });

  it('spec_driven with a failing launch: still 201 with spec_id; the spec is failed with last_error, not executing', async () => {
    const broken = await createTestServer(backend, { provider: failingProvider() });
    try {
      const u = await registerUser(broken.app, 'broken');
      const p = await createProject(broken.app, u, 'P');
      const res = await broken.app.inject({ method: 'POST', url: '/api/v1/tickets', headers: u.headers, payload: { title: 'T', project_id: p.id, workflow_mode: 'spec_driven' } });
      expect(res.statusCode).toBe(201);
      const t = res.json<TicketBody>();
      expect(t.spec_id).toBeTruthy();
      const [spec] = await broken.context.db.select().from(specs).where(eq(specs.id, t.spec_id!));
      expect(spec?.status).toBe('failed');
      expect(spec?.lastError).toContain('no sandbox host reachable');
      const [row] = await broken.context.db.select().from(tickets).where(eq(tickets.id, t.id));
      expect(row?.specId).toBe(t.spec_id);
    } finally {
      await broken.close();
    }
  });

  it('Idempotency-Key: a retry answers the first result and creates (and launches) nothing', async () => {
    const before = await counts();
    const launchedBefore = provider.launched.length;
    const body = { title: 'Once', project_id: project.id, workflow_mode: 'spec_driven' };
    const first = await postTicket(alice, body, 'key-once');
    const second = await postTicket(alice, body, 'key-once');
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await counts()).toEqual({ tickets: before.tickets + 1, specs: before.specs + 1 });
    expect(provider.launched.length).toBe(launchedBefore + 1);

    const conflict = await postTicket(alice, { ...body, title: 'Other' }, 'key-once');
    expect(conflict.statusCode).toBe(422);
    expect(conflict.json()).toMatchObject({ code: 'idempotency_conflict' });
    // The key is per user: bob's use of the same key is his own request.
    const bobs = await postTicket(bob, { title: 'Bob', project_id: bobProject.id }, 'key-once');
    expect(bobs.statusCode).toBe(201);
    expect(bobs.json<TicketBody>().id).not.toBe(first.json<TicketBody>().id);
    expect(await counts()).toEqual({ tickets: before.tickets + 2, specs: before.specs + 1 });
  });

  it('Idempotency-Key under concurrency: duplicates racing each other create one ticket and all get the same answer', async () => {
    const before = await counts();
    const body = { title: 'Raced', project_id: project.id };
    const answers = await Promise.all(Array.from({ length: 6 }, () => postTicket(alice, body, 'key-race')));
    expect(answers.map((a) => a.statusCode)).toEqual(Array.from({ length: 6 }, () => 201));
    const ids = new Set(answers.map((a) => a.json<TicketBody>().id));
    expect(ids.size).toBe(1);
    expect((await counts()).tickets).toBe(before.tickets + 1);
  });

  it('validation errors: 422 with paths and nothing stored; a project I am not in is 404', async () => {
    const before = await counts();
    const bad = await postTicket(alice, { title: '', project_id: project.id, priority: 'urgent', workflow_mode: 'magic' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json<{ errors: { path: string }[] }>().errors.map((e) => e.path).sort()).toEqual(['body.priority', 'body.title', 'body.workflow_mode']);
    const notMine = await postTicket(alice, { title: 'Sneaky', project_id: bobProject.id, workflow_mode: 'spec_driven' });
    expect(notMine.statusCode).toBe(404);
    expect(notMine.json()).toMatchObject({ code: 'not_found' });
    const badKey = await postTicket(alice, { title: 'K', project_id: project.id }, 'x'.repeat(201));
    expect(badKey.statusCode).toBe(422);
    expect(await counts()).toEqual(before);
  });

  it('lists only tickets of my projects, filtered and paginated', async () => {
    const p2 = await createProject(server.app, alice, 'Second');
    for (const title of ['a', 'b', 'c']) await postTicket(alice, { title, project_id: p2.id });
    const page = (await get(alice, `/api/v1/tickets?project_id=${p2.id}&limit=2`)).json<{ tickets: TicketBody[]; total: number; has_more: boolean }>();
    expect(page.total).toBe(3);
    expect(page.has_more).toBe(true);
    expect(page.tickets).toHaveLength(2);
    const rest = (await get(alice, `/api/v1/tickets?project_id=${p2.id}&limit=2&offset=2`)).json<{ tickets: TicketBody[]; has_more: boolean }>();
    expect(rest.has_more).toBe(false);
    expect([...page.tickets, ...rest.tickets].map((t) => t.title).sort()).toEqual(['a', 'b', 'c']);

    const all = (await get(alice, '/api/v1/tickets?limit=500')).json<{ tickets: TicketBody[]; total: number }>();
    expect(all.tickets.every((t) => t.project_id !== bobProject.id)).toBe(true);
    expect(all.total).toBe(all.tickets.length);
    const bobsView = (await get(bob, `/api/v1/tickets?project_id=${project.id}`)).json<{ tickets: TicketBody[]; total: number }>();
    expect(bobsView).toMatchObject({ tickets: [], total: 0 });

    const driven = all.tickets.find((t) => t.spec_id);
    const bySpec = (await get(alice, `/api/v1/tickets?spec_id=${driven?.spec_id}`)).json<{ tickets: TicketBody[] }>();
    expect(bySpec.tickets.map((t) => t.id)).toEqual([driven?.id]);
    const byStatus = (await get(alice, '/api/v1/tickets?status=done')).json<{ total: number }>();
    expect(byStatus.total).toBe(0);
    expect((await get(alice, '/api/v1/tickets?status=nope')).statusCode).toBe(422);
  });

  it('lists the tasks of a ticket, and hides tickets from strangers (404) and anonymous callers (401)', async () => {
    const t = (await postTicket(alice, { title: 'With tasks', project_id: project.id })).json<TicketBody>();
    const other = (await postTicket(alice, { title: 'Other', project_id: project.id })).json<TicketBody>();
    await server.context.db.insert(tasks).values([
      { id: newId.task(), ticketId: t.id, localId: 'TSK-001', title: 'first', estimatedHours: 2 },
      { id: newId.task(), ticketId: other.id, localId: 'TSK-002', title: 'not this one' },
    ]);
    const res = await get(alice, `/api/v1/tickets/${t.id}/tasks`);
    expect(res.statusCode).toBe(200);
    expect(res.json<{ tasks: { title: string; ticket_id: string; estimated_hours: number | null }[] }>().tasks).toMatchObject([{ title: 'first', ticket_id: t.id, estimated_hours: 2 }]);

    for (const url of [`/api/v1/tickets/${t.id}`, `/api/v1/tickets/${t.id}/tasks`]) {
      const asBob = await get(bob, url);
      expect(asBob.statusCode).toBe(404);
      expect(asBob.body).not.toContain('With tasks');
      expect((await get(undefined, url)).statusCode).toBe(401);
    }
    expect((await get(undefined, '/api/v1/tickets')).statusCode).toBe(401);
    expect((await postTicket(undefined, { title: 'anon', project_id: project.id })).statusCode).toBe(401);
  });

  it('lists newest first, one SYNC’s tickets by local id; filters by type (quick, spec_driven, generated)', async () => {
    const own = await createProject(server.app, alice, 'Order project');
    const spec = (await server.app.inject({ method: 'POST', url: '/api/v1/specs', headers: alice.headers, payload: { title: 'Synced', project_id: own.id } })).json<{ id: string }>();
    const quick = (await postTicket(alice, { title: 'By hand', project_id: own.id })).json<TicketBody>();
    // One SYNC writes its tickets in one statement: the same instant, ids in random order.
    const at = new Date(Date.now() + 60_000);
    await server.context.db.insert(tickets).values(
      ['TKT-002', 'TKT-003', 'TKT-001'].map((localId) => ({ id: newId.ticket(), projectId: own.id, specId: spec.id, localId, title: `Generated ${localId}`, status: 'backlog', createdAt: at, updatedAt: at })),
    );
    const list = (await get(alice, `/api/v1/tickets?project_id=${own.id}`)).json<{ tickets: (TicketBody & { local_id: string | null })[] }>();
    expect(list.tickets.map((t) => t.local_id ?? t.title)).toEqual(['TKT-001', 'TKT-002', 'TKT-003', 'By hand']);
    const generated = (await get(alice, `/api/v1/tickets?project_id=${own.id}&type=generated`)).json<{ tickets: { local_id: string }[]; total: number }>();
    expect(generated.total).toBe(3);
    expect(generated.tickets.map((t) => t.local_id)).toEqual(['TKT-001', 'TKT-002', 'TKT-003']);
    const quickOnes = (await get(alice, `/api/v1/tickets?project_id=${own.id}&type=quick`)).json<{ tickets: TicketBody[] }>();
    expect(quickOnes.tickets.map((t) => t.id)).toEqual([quick.id]);
    expect((await get(alice, `/api/v1/tickets?project_id=${own.id}&type=spec_driven`)).json<{ total: number }>().total).toBe(0);
    const bad = await get(alice, '/api/v1/tickets?type=robot');
    expect(bad.statusCode).toBe(422);
    expect(bad.json<{ code: string; errors: { path: string }[] }>()).toMatchObject({ code: 'validation_failed', errors: [{ path: 'querystring.type' }] });
  });

  it('history: creation (by whom), review and block, oldest first; strangers 404, anonymous 401', async () => {
    const t = (await postTicket(alice, { title: 'With a history', project_id: project.id })).json<TicketBody>();
    const first = (await get(alice, `/api/v1/tickets/${t.id}/history`)).json<{ ticket_id: string; entries: { at: string; kind: string; summary: string; by: string | null }[] }>();
    expect(first.ticket_id).toBe(t.id);
    expect(first.entries).toMatchObject([{ kind: 'created', summary: 'Created', by: 'alice' }]);
    expect(Number.isNaN(Date.parse(first.entries[0]!.at))).toBe(false);
    const later = new Date(Date.now() + 120_000);
    await server.context.db
      .update(tickets)
      .set({ approvalStatus: 'rejected', rejectionReason: 'too vague', reviewedBy: bob.id, reviewedAt: later, blockedAt: new Date(later.getTime() + 1000), blockedReason: 'waiting_on_api', updatedAt: new Date(later.getTime() + 1000) })
      .where(eq(tickets.id, t.id));
    const after = (await get(alice, `/api/v1/tickets/${t.id}/history`)).json<{ entries: { kind: string; summary: string; by: string | null }[] }>();
    expect(after.entries.map(({ kind, summary, by }) => ({ kind, summary, by }))).toEqual([
      { kind: 'created', summary: 'Created', by: 'alice' },
      { kind: 'rejected', summary: 'Rejected: too vague', by: 'bob' },
      { kind: 'blocked', summary: 'Blocked (waiting on api)', by: null },
    ]);
    const driven = (await postTicket(alice, { title: 'Driven history', project_id: project.id, workflow_mode: 'spec_driven' })).json<TicketBody>();
    expect((await get(alice, `/api/v1/tickets/${driven.id}/history`)).json<{ entries: { summary: string }[] }>().entries[0]?.summary).toBe('Created with a spec run');
    const asBob = await get(bob, `/api/v1/tickets/${t.id}/history`);
    expect(asBob.statusCode).toBe(404);
    expect(asBob.body).not.toContain('too vague');
    expect((await get(undefined, `/api/v1/tickets/${t.id}/history`)).statusCode).toBe(401);
    expect((await get(alice, '/api/v1/tickets/nope/history')).statusCode).toBe(404);
  });
});
