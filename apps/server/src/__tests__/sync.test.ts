import type { SyncBody, SyncResponse } from '@specline/protocol';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tasks, tickets } from '../store/schema';
import { BACKENDS, createTestServer, type TestServer } from './harness';
import { seedSpec, type SeededSandbox } from './ingestHarness';

const body: SyncBody = {
  tickets: [
    { local_id: 'TKT-001', title: 'API', description: 'the api', priority: 'HIGH', requirements: ['REQ-001'] },
    { local_id: 'TKT-002', title: 'UI' },
  ],
  tasks: [
    { local_id: 'TSK-001', ticket_local_id: 'TKT-001', title: 'Routes', estimated_hours: 3 },
    { local_id: 'TSK-002', ticket_local_id: 'TKT-001', title: 'Tests', depends_on: ['TSK-001'] },
    { local_id: 'TSK-003', ticket_local_id: 'TKT-002', title: 'Page', depends_on: ['TSK-001', 'TSK-002'] },
  ],
};

describe.each(BACKENDS)('ticket sink (POST /specs/{id}/sync) on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer(backend);
  });
  afterAll(async () => {
    await server.close();
  });

  const sync = (specId: string, sandbox: Pick<SeededSandbox, 'headers'>, payload: unknown = body) =>
    server.app.inject({ method: 'POST', url: `/api/v1/specs/${specId}/sync`, headers: sandbox.headers, payload: payload as Record<string, unknown> });

  it('creates tickets and tasks once, linked to the spec, with dependencies as server ids; a repeat creates nothing', async () => {
    const s = await seedSpec(server);
    const first = await sync(s.specId, s.sandbox);
    expect(first.statusCode, first.body).toBe(200);
    const created = first.json<SyncResponse>();
    expect(created.errors).toEqual([]);
    expect(created.tickets.map((t) => [t.local_id, t.title, t.created])).toEqual([
      ['TKT-001', 'API', true],
      ['TKT-002', 'UI', true],
    ]);
    expect(created.tasks.map((t) => [t.local_id, t.created])).toEqual([
      ['TSK-001', true],
      ['TSK-002', true],
      ['TSK-003', true],
    ]);
    const ticketRows = await server.context.db.select().from(tickets).where(eq(tickets.specId, s.specId));
    expect(ticketRows).toHaveLength(2);
    expect(ticketRows.find((t) => t.localId === 'TKT-001')).toMatchObject({ projectId: s.projectId, priority: 'high', status: 'backlog', createdBy: s.owner.id });
    const taskRows = await server.context.db.select().from(tasks).where(eq(tasks.specId, s.specId));
    const id = (local: string) => created.tasks.find((t) => t.local_id === local)!.id;
    const ticketId = (local: string) => created.tickets.find((t) => t.local_id === local)!.id;
    expect(taskRows.find((t) => t.localId === 'TSK-003')).toMatchObject({ ticketId: ticketId('TKT-002'), dependencies: [id('TSK-001'), id('TSK-002')] });
    expect(taskRows.find((t) => t.localId === 'TSK-001')).toMatchObject({ ticketId: ticketId('TKT-001'), estimatedHours: 3, dependencies: [] });

    const again = await sync(s.specId, s.sandbox);
    expect(again.statusCode).toBe(200);
    const repeat = again.json<SyncResponse>();
    expect(repeat.tickets).toEqual(created.tickets.map((t) => ({ ...t, created: false })));
    expect(repeat.tasks).toEqual(created.tasks.map((t) => ({ ...t, created: false })));
    expect(await server.context.db.select().from(tickets).where(eq(tickets.specId, s.specId))).toHaveLength(2);
    expect(await server.context.db.select().from(tasks).where(eq(tasks.specId, s.specId))).toHaveLength(3);
  });

  it('creates exactly once under concurrent identical calls', async () => {
    const s = await seedSpec(server);
    const results = await Promise.all([sync(s.specId, s.sandbox), sync(s.specId, s.sandbox), sync(s.specId, s.sandbox)]);
    expect(results.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    const createdCount = results.flatMap((r) => r.json<SyncResponse>().tickets.filter((t) => t.created)).length;
    expect(createdCount).toBe(2);
    expect(await server.context.db.select().from(tickets).where(eq(tickets.specId, s.specId))).toHaveLength(2);
  });

  it('reports a task whose ticket is unknown and a dangling dependency, creating the rest; later calls may reference earlier tickets', async () => {
    const s = await seedSpec(server);
    const res = await sync(s.specId, s.sandbox, {
      tickets: [{ local_id: 'TKT-001', title: 'A' }],
      tasks: [
        { local_id: 'TSK-001', ticket_local_id: 'TKT-009', title: 'orphan' },
        { local_id: 'TSK-002', ticket_local_id: 'TKT-001', title: 'ok', depends_on: ['TSK-404'] },
      ],
    });
    const out = res.json<SyncResponse>();
    expect(out.tasks.map((t) => t.local_id)).toEqual(['TSK-002']);
    expect(out.errors).toEqual([expect.stringContaining('TSK-001: ticket TKT-009'), expect.stringContaining('TSK-002: depends on unknown task TSK-404')]);
    const later = await sync(s.specId, s.sandbox, { tickets: [], tasks: [{ local_id: 'TSK-003', ticket_local_id: 'TKT-001', title: 'more', depends_on: ['TSK-002'] }] });
    const more = later.json<SyncResponse>();
    expect(more.errors).toEqual([]);
    const [row] = await server.context.db.select().from(tasks).where(eq(tasks.id, more.tasks[0]!.id));
    expect(row?.dependencies).toEqual([out.tasks[0]!.id]);
  });

  it('takes only the sandbox token of that spec (403 otherwise, 401 without one) and validates the body (422), changing nothing', async () => {
    const s = await seedSpec(server);
    const other = await seedSpec(server);
    const codeOf = (res: Awaited<ReturnType<typeof sync>>) => [res.statusCode, res.json<{ code: string }>().code];
    expect(codeOf(await sync(s.specId, other.sandbox))).toEqual([403, 'forbidden']);
    expect(codeOf(await sync(s.specId, { headers: { authorization: '' } }))).toEqual([401, 'unauthorized']);
    expect(codeOf(await sync(s.specId, { headers: s.owner.headers }))).toEqual([401, 'unauthorized']);
    expect(codeOf(await sync(s.specId, s.sandbox, { tickets: [{ local_id: '', title: 'x' }], tasks: [] }))).toEqual([422, 'validation_failed']);
    expect(await server.context.db.select().from(tickets).where(eq(tickets.specId, s.specId))).toEqual([]);
  });
});
