/**
 * The acceptance flow, on both backends, with a listening server and the REAL local provider running
 * the real sandbox CLI (`specline-sandbox run`, deterministic planner, HTTP reporter and ticket sink):
 * a `spec_driven` ticket → the child runs → events arrive → the spec ends `completed` with its
 * requirements, criteria, design, tasks, tickets and task rows; the event log is gap-free and ends
 * with `agent.completed`; the sandbox token is revoked. Then a killed child and a hung child: each
 * run ends `failed` with a `last_error` within three heartbeat intervals (1 s here).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { EventsPage, Spec, Ticket } from '@specline/protocol';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalProvider, REPO_ROOT, type LocalProvider } from '../launcher/localProvider';
import { startReaper } from '../launcher/reaper';
import type { LocalRunManager } from '../launcher/runManager';
import { tasks, tickets } from '../store/schema';
import { BACKENDS, createProject, createTestServer, registerUser, type TestServer, type TestUser } from './harness';
import { recording, sandboxRow, sandboxSettings, tempDataDir, waitFor } from './launcherFixtures';

const HEARTBEAT_SECONDS = 1;
const MISSED = 3;

describe.each(BACKENDS)('spec-driven flow with a real sandbox on %s', (backend) => {
  let server: TestServer;
  let local: LocalProvider;
  let provider: ReturnType<typeof recording>;
  let user: TestUser;
  let projectId: string;

  beforeAll(async () => {
    local = createLocalProvider({
      dataDir: tempDataDir(),
      // A small, stable code base for EXPLORE to look at.
      workdir: path.join(REPO_ROOT, 'packages/protocol'),
      logger: (await import('pino')).pino({ level: 'silent' }),
      stopGraceMs: 3000,
    });
    provider = recording(local);
    server = await createTestServer(backend, {
      listen: true,
      provider,
      config: { sandbox: sandboxSettings({ provider: 'local', heartbeatIntervalSeconds: HEARTBEAT_SECONDS, missedHeartbeats: MISSED }) },
    });
    user = await registerUser(server.app, 'e2e');
    projectId = (await createProject(server.app, user, 'E2E')).id;
  });
  afterAll(async () => {
    await server.close();
  });

  async function postTicket(title: string): Promise<Ticket> {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/tickets',
      headers: user.headers,
      payload: { title, description: 'Users can export any report as a CSV file, with the filters they applied, from the report page.', project_id: projectId, priority: 'high', workflow_mode: 'spec_driven' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const ticket = res.json<Ticket>();
    expect(ticket.spec_id).toEqual(expect.any(String));
    return ticket;
  }

  async function getSpec(specId: string): Promise<Spec> {
    const res = await server.app.inject({ method: 'GET', url: `/api/v1/specs/${specId}`, headers: user.headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Spec>();
  }

  const settled = (specId: string, timeoutMs: number) =>
    waitFor(`spec ${specId} to leave executing`, async () => {
      const spec = await getSpec(specId);
      return spec.status === 'executing' ? undefined : spec;
    }, timeoutMs);

  it('a spec_driven ticket runs to completed, with every artifact stored and a gap-free event log', { timeout: 90_000 }, async () => {
    const ticket = await postTicket('Export reports as CSV');
    const specId = ticket.spec_id!;
    const spec = await settled(specId, 60_000);
    const launch = provider.launched.find((l) => l.specId === specId)!;
    expect(spec.status, `last_error: ${spec.last_error}; log: ${local.logPathOf(launch.sandboxId)}`).toBe('completed');
    expect(spec.last_error).toBeNull();
    expect(spec.progress).toBe(100);
    expect(spec.sandbox_id).toBe(launch.sandboxId);

    expect(spec.requirements.length).toBeGreaterThan(0);
    for (const r of spec.requirements) {
      expect(r.local_id).toMatch(/^REQ-\d{3}$/);
      expect(r.criteria.length).toBeGreaterThan(0);
    }
    expect(spec.design).not.toBeNull();
    expect(spec.tasks.length).toBeGreaterThan(0);

    const ticketRows = await server.context.db.select().from(tickets).where(eq(tickets.specId, specId));
    const createdTickets = ticketRows.filter((t) => t.id !== ticket.id);
    expect(createdTickets.length).toBeGreaterThan(0);
    for (const t of createdTickets) expect(t.localId).toMatch(/^TKT-\d{3}$/);
    const taskRows = await server.context.db.select().from(tasks).where(eq(tasks.specId, specId));
    expect(taskRows.length).toBeGreaterThan(0);
    for (const t of taskRows) expect(createdTickets.map((c) => c.id)).toContain(t.ticketId);

    const res = await server.app.inject({ method: 'GET', url: `/api/v1/specs/${specId}/events?order=asc&limit=1000`, headers: user.headers });
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json<EventsPage>();
    const seqs = page.events.map((e) => e.spec_seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(page.total_count).toBe(seqs.length);
    expect(page.events[0]!.event_type).toBe('spec.execution_started');
    const last = page.events.at(-1)!;
    expect(last.event_type).toBe('agent.completed');
    expect(last.event_data).toMatchObject({ spec_id: specId, success: true });
    expect(page.events.filter((e) => e.event_type === 'agent.completed')).toHaveLength(1);
    const created = page.events.filter((e) => e.event_type === 'spec.ticket_created').map((e) => e.event_data['ticket_id']);
    expect(new Set(created)).toEqual(new Set(createdTickets.map((t) => t.id)));

    // The run is over: the sandbox row is closed and its token no longer works.
    await waitFor('the sandbox process to exit', () => Promise.resolve(local.isAlive(launch.sandboxId) ? undefined : true));
    await (server.context.runs as LocalRunManager).drain();
    const sandbox = await sandboxRow(server.context.db, launch.sandboxId);
    expect(sandbox).toMatchObject({ status: 'completed', exitCode: 0 });
    expect(sandbox.revokedAt).toBeInstanceOf(Date);
    const again = await fetch(`${server.baseUrl}/api/v1/sandboxes/${launch.sandboxId}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${launch.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ event_id: randomUUID(), seq: 999, event_type: 'spec.progress', timestamp: new Date().toISOString(), spec_id: specId, phase: null, data: { message: 'late' } }),
    });
    expect(again.status).toBe(401);
    expect(((await again.json()) as { code: string }).code).toBe('token_revoked');
    expect((await getSpec(specId)).status).toBe('completed');
  });

  it('killing the sandbox child mid-run leaves the spec failed with last_error within three heartbeat intervals', { timeout: 60_000 }, async () => {
    const ticket = await postTicket('Export reports as PDF');
    const specId = ticket.spec_id!;
    const launch = provider.launched.find((l) => l.specId === specId)!;
    const pid = local.pidOf(launch.sandboxId);
    expect(pid, 'the sandbox is running').toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');

    const spec = await settled(specId, 3 * HEARTBEAT_SECONDS * 1000);
    expect(spec.status).toBe('failed');
    expect(spec.last_error).toBe(`sandbox was killed by SIGKILL before reporting the end of the run; see its log at ${local.logPathOf(launch.sandboxId)}`);
    const res = await server.app.inject({ method: 'GET', url: `/api/v1/specs/${specId}/events?order=asc&limit=1000`, headers: user.headers });
    const events = res.json<EventsPage>().events;
    expect(events.map((e) => e.spec_seq)).toEqual(Array.from({ length: events.length }, (_, i) => i + 1));
    expect(events.at(-1)).toMatchObject({ event_type: 'agent.completed', source: 'system' });
  });

  it('a hung sandbox (stopped, no heartbeats) is failed by the reaper and stopped', { timeout: 60_000 }, async () => {
    const stopReaper = startReaper(server.context.runs, 200, server.deps.logger);
    try {
      const ticket = await postTicket('Export reports as XLSX');
      const specId = ticket.spec_id!;
      const launch = provider.launched.find((l) => l.specId === specId)!;
      const pid = local.pidOf(launch.sandboxId)!;
      process.kill(-pid, 'SIGSTOP'); // the whole group: the CLI runs in a grandchild

      // allowance (missed × interval) plus three intervals
      const spec = await settled(specId, (MISSED + 3) * HEARTBEAT_SECONDS * 1000);
      expect(spec.status).toBe('failed');
      expect(spec.last_error).toMatch(/^sandbox stopped sending heartbeats \(last at /);
      await waitFor('the hung sandbox to be stopped', () => Promise.resolve(local.isAlive(launch.sandboxId) ? undefined : true));
      expect((await sandboxRow(server.context.db, launch.sandboxId)).status).toBe('lost');
    } finally {
      stopReaper();
    }
  });
});
