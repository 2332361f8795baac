/**
 * The original spec-sandbox as a producer, through the external-sandbox route: a complete run in both
 * of its shapes (the HTTP wire body in batches of 10, and the plain `Event`), its phase outputs made
 * into rows by the adapter, what cannot be mapped on the timeline as `spec.ingest_warning`, the token
 * revoked at the end; and the rules around it (first event claims, 409s, DELETE, reaper, restart).
 */
import type { IngestResponse, RegisterSandboxResponse, Spec, StoredEvent } from '@specline/protocol';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSandboxToken } from '../../services/tokens';
import { sandboxEvents, sandboxes, specs } from '../../store/schema';
import { BACKENDS, createProject, createTestServer, registerUser, type TestServer, type TestUser } from '../harness';
import { batches, originalRun, plainEvent, wireBody } from './originalRun';

describe.each(BACKENDS)('the original spec-sandbox as an external producer on %s', (backend) => {
  let server: TestServer;
  let owner: TestUser;
  let project: string;

  beforeAll(async () => {
    server = await createTestServer(backend);
    owner = await registerUser(server.app, 'owner');
    project = (await createProject(server.app, owner, 'Shop')).id;
  });
  afterAll(async () => {
    await server.close();
  });

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object, headers: Record<string, string> = owner.headers) =>
    server.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  async function newSpec(title = 'Order webhooks'): Promise<string> {
    const res = await call('POST', '/api/v1/specs', { title, description: 'Tell partners when orders are paid', project_id: project });
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string }>().id;
  }
  async function register(specId: string): Promise<RegisterSandboxResponse> {
    const res = await call('POST', `/api/v1/specs/${specId}/sandboxes`);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<RegisterSandboxResponse>();
  }
  const post = (reg: RegisterSandboxResponse, body: unknown) =>
    server.app.inject({ method: 'POST', url: `/api/v1/sandboxes/${reg.sandbox_id}/events`, headers: { authorization: `Bearer ${reg.token}` }, payload: body as object });
  const getSpec = async (specId: string) => (await call('GET', `/api/v1/specs/${specId}`)).json<Spec>();
  const events = async (specId: string) =>
    (await call('GET', `/api/v1/specs/${specId}/events?order=asc&limit=1000`)).json<{ events: StoredEvent[] }>().events;

  /** What a person sees of a spec, without ids and times that differ from run to run. */
  function comparable(spec: Spec) {
    const localOf = new Map(spec.tasks.map((t) => [t.id, t.local_id]));
    return {
      status: spec.status,
      progress: spec.progress,
      current_phase: spec.current_phase,
      phases: spec.phases,
      last_error: spec.last_error,
      phase_states: Object.fromEntries(Object.entries(spec.phase_status).map(([p, s]) => [p, s.state])),
      requirements: spec.requirements.map((r) => ({ local_id: r.local_id, title: r.title, condition: r.condition, action: r.action, type: r.type, priority: r.priority, criteria: r.criteria.map((c) => [c.local_id, c.text]) })),
      design: spec.design ? { ...spec.design, edited_at: null } : null,
      tasks: spec.tasks.map((t) => ({ local_id: t.local_id, ticket: t.ticket_local_id, title: t.title, priority: t.priority, hours: t.estimated_hours, deps: t.dependencies.map((d) => localOf.get(d)), requirements: t.requirements })),
    };
  }
  const warningsOf = (list: StoredEvent[]) =>
    list.filter((e) => e.event_type === 'spec.ingest_warning').map((e) => ({ phase: e.event_data['phase'], path: e.event_data['path'], source: e.source }));

  async function playWire(specId: string, reg: RegisterSandboxResponse): Promise<IngestResponse[]> {
    const answers: IngestResponse[] = [];
    for (const batch of batches(originalRun().map((e) => wireBody(e, specId)), 10)) {
      const res = await post(reg, { events: batch });
      expect(res.statusCode, res.body).toBe(200);
      answers.push(res.json<IngestResponse>());
    }
    return answers;
  }

  it('registers a sandbox: 201 with the token once (only its hash stored); the spec stays as it was until the first event', async () => {
    const specId = await newSpec();
    const reg = await register(specId);
    expect(reg.callback_url).toMatch(/^http/);
    expect(reg).toMatchObject({ spec_id: specId, events_url: `${reg.callback_url}/api/v1/sandboxes/${reg.sandbox_id}/events`, heartbeat_interval_seconds: 30, heartbeat_timeout_seconds: 90 });
    expect(reg.token).toMatch(/^sbx_/);
    const [row] = await server.context.db.select().from(sandboxes).where(eq(sandboxes.id, reg.sandbox_id));
    expect(row).toMatchObject({ provider: 'external', status: 'starting', tokenHash: hashSandboxToken(reg.token), registeredBy: owner.id });
    expect(JSON.stringify(row)).not.toContain(reg.token);
    expect(await getSpec(specId)).toMatchObject({ status: 'draft', sandbox_id: null });
    // A second registration revokes the first, which never reported.
    const second = await register(specId);
    const old = await post(reg, wireBody({ event_type: 'spec.progress', phase: null, data: { message: 'late' } }, specId));
    expect(old.statusCode).toBe(401);
    expect(old.json()).toMatchObject({ code: 'token_revoked' });
    expect((await post(second, wireBody({ event_type: 'spec.progress', phase: null, data: { message: 'first' } }, specId))).statusCode).toBe(200);
    expect(await getSpec(specId)).toMatchObject({ status: 'executing', sandbox_id: second.sandbox_id, active_agents: 1 });
  });

  it('plays a complete run in the wire shape in batches of 10: the spec completes with rows mapped from the original shapes, warnings on the timeline, the token revoked', async () => {
    const specId = await newSpec();
    const reg = await register(specId);
    const answers = await playWire(specId, reg);
    expect(answers.reduce((n, a) => n + a.stored, 0)).toBe(originalRun().length);

    const spec = await getSpec(specId);
    expect(spec).toMatchObject({ status: 'completed', progress: 100, current_phase: 'sync', last_error: null, sandbox_id: reg.sandbox_id, active_agents: 0, test_coverage: 0, execution: null });
    expect(spec.phases).toEqual(['explore', 'prd', 'requirements', 'design', 'tasks', 'sync']);
    expect(Object.values(spec.phase_status).every((s) => s.state === 'passed')).toBe(true);

    // Requirements: titles derived from the text, MoSCoW and upper-case priorities mapped, criteria from plain strings.
    expect(spec.requirements.map((r) => [r.local_id, r.title, r.priority])).toEqual([
      ['REQ-WEBHOOK-FUNC-001', 'POST a signed webhook to each subscribed URL within 5 seconds', 'critical'],
      ['REQ-WEBHOOK-SEC-002', 'Refuse webhook URLs that are not https', 'high'],
      ['REQ-WEBHOOK-REL-003', 'Retry it with exponential backoff up to 5 times', 'medium'],
    ]);
    expect(spec.requirements[0]).toMatchObject({ condition: 'WHEN an order is paid', action: 'THE SYSTEM SHALL POST a signed webhook to each subscribed URL within 5 seconds.' });
    expect(spec.requirements.map((r) => r.criteria.map((c) => c.local_id))).toEqual([
      ['REQ-WEBHOOK-FUNC-001.AC-1', 'REQ-WEBHOOK-FUNC-001.AC-2'],
      ['REQ-WEBHOOK-SEC-002.AC-1', 'REQ-WEBHOOK-SEC-002.AC-2'],
      ['REQ-WEBHOOK-REL-003.AC-1'],
    ]);
    // Design: components get ids, endpoint becomes path, column objects become fields, sections become text.
    expect(spec.design?.components.map((c) => [c.id, c.name])).toEqual([
      ['DES-001', 'WebhookDispatcher'],
      ['DES-002', 'SubscriptionStore'],
    ]);
    expect(spec.design?.components[1]?.responsibility).toBe('Keeps subscriptions');
    expect(spec.design?.api_spec).toEqual([
      { method: 'POST', path: '/api/webhooks', endpoint: '/api/webhooks', description: 'Subscribe a URL' },
      { method: 'DELETE', path: '/api/webhooks/{id}', endpoint: '/api/webhooks/{id}', description: 'Unsubscribe' },
    ]);
    expect(spec.design?.data_model).toContain('`url`: TEXT NOT NULL');
    expect(spec.design?.error_handling).toContain('Exponential backoff');
    expect(spec.design?.testing_strategy).toContain('- backoff');
    // Tasks: parent_ticket → ticket, HIGH → high (from the ticket), {depends_on} → server ids, T-shirt → hours.
    const byLocal = new Map(spec.tasks.map((t) => [t.local_id, t]));
    expect(spec.tasks.map((t) => [t.local_id, t.ticket_local_id, t.priority, t.estimated_hours])).toEqual([
      ['TSK-001', 'TKT-001', 'high', 2],
      ['TSK-002', 'TKT-001', 'high', 3],
      ['TSK-003', 'TKT-002', 'medium', 1],
    ]);
    expect(byLocal.get('TSK-002')?.dependencies).toEqual([byLocal.get('TSK-001')?.id]);
    expect(byLocal.get('TSK-003')?.dependencies).toEqual([byLocal.get('TSK-001')?.id]);
    expect(byLocal.get('TSK-001')?.requirements).toEqual(['REQ-WEBHOOK-FUNC-001']);

    // What could not be mapped is on the timeline, right after the batch that carried it, as system events.
    const timeline = await events(specId);
    expect(timeline.map((e) => e.spec_seq)).toEqual(timeline.map((_, i) => i + 1));
    expect(warningsOf(timeline)).toEqual([
      { phase: 'requirements', path: 'requirements[2].priority', source: 'system' },
      { phase: 'requirements', path: 'requirements[2].acceptance_criteria[1]', source: 'system' },
      { phase: 'design', path: 'components[2].name', source: 'system' },
      { phase: 'tasks', path: 'tasks[3].ticket_id', source: 'system' },
      { phase: 'tasks', path: 'tasks[2].depends_on[1]', source: 'system' },
    ]);
    const warning = timeline.find((e) => e.event_type === 'spec.ingest_warning' && e.event_data['path'] === 'tasks[2].depends_on[1]')!;
    expect(warning.event_data['message']).toContain('TSK-404');
    const skipped = timeline.find((e) => e.event_type === 'spec.ingest_warning' && e.event_data['path'] === 'components[2].name')!;
    expect(skipped.event_data['message']).toBe('is missing; the component cannot be shown by name; component skipped: name is missing');
    const source = timeline.find((e) => e.spec_seq === warning.event_data['source_spec_seq']);
    expect(source).toMatchObject({ event_type: 'spec.phase_completed', phase: 'tasks' });
    expect(answers.reduce((n, a) => n + (a.warnings ?? 0), 0)).toBe(5);
    // The sync summary is stored as its own type: only the final agent.completed completed the run.
    expect(timeline.filter((e) => e.event_type === 'agent.completed')).toHaveLength(1);
    expect(timeline.filter((e) => e.event_type === 'spec.sync_summary')).toHaveLength(1);

    // phase_data holds the mapped outputs (the events keep what the producer sent).
    const phaseData = (await call('GET', `/api/v1/specs/${specId}/phase-data`)).json<{ phase_data: Record<string, { requirements?: { title: string }[] }> }>().phase_data;
    expect(Object.keys(phaseData).sort()).toEqual(['design', 'explore', 'prd', 'requirements', 'sync', 'tasks']);
    expect(phaseData['requirements']?.requirements?.[0]?.title).toBe('POST a signed webhook to each subscribed URL within 5 seconds');
    const completed = timeline.find((e) => e.event_type === 'spec.phase_completed' && e.phase === 'requirements')!;
    expect((completed.event_data['phase_output'] as { requirements: { title?: string }[] }).requirements[0]?.title).toBeUndefined();

    // The run's end revoked the token; a retried batch of the same bodies is answered 401 token_revoked.
    const after = await post(reg, { events: originalRun().slice(0, 10).map((e) => wireBody(e, specId)) });
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ code: 'token_revoked' });
    const [row] = await server.context.db.select().from(sandboxes).where(eq(sandboxes.id, reg.sandbox_id));
    expect(row).toMatchObject({ status: 'completed' });
    expect(row?.revokedAt).not.toBeNull();
  });

  it('a retried batch while the run is live is deduplicated (deterministic ids of legacy events)', async () => {
    const specId = await newSpec();
    const reg = await register(specId);
    const first = originalRun().slice(0, 10).map((e) => wireBody(e, specId));
    expect((await post(reg, { events: first })).json<IngestResponse>()).toMatchObject({ stored: 10, duplicates: 0 });
    // The heartbeat and the five progress lines get fresh ids (the original repeats both word for word); the other four are duplicates.
    expect((await post(reg, { events: first })).json<IngestResponse>()).toMatchObject({ stored: 6, duplicates: 4 });
  });

  it('the same run in the plain Event shape gives the same spec as the wire shape', async () => {
    const wireSpec = await newSpec();
    await playWire(wireSpec, await register(wireSpec));
    const plainSpec = await newSpec();
    const reg = await register(plainSpec);
    const run = originalRun().map((e, i) => plainEvent(e, plainSpec, i));
    for (const batch of batches(run, 10)) expect((await post(reg, { events: batch })).statusCode).toBe(200);
    const [a, b] = [await getSpec(wireSpec), await getSpec(plainSpec)];
    expect(comparable(b)).toEqual(comparable(a));
    expect(warningsOf(await events(plainSpec))).toEqual(warningsOf(await events(wireSpec)));
    const first = (await events(plainSpec))[0]!;
    expect(first.emitted_at).toBe('2026-03-01T10:00:00.000Z');
  });

  it('a run whose phase_completed events carry no phase_output makes its rows from the final agent.completed, and never blanks a stored output', async () => {
    const specId = await newSpec();
    const reg = await register(specId);
    const run = originalRun({ withoutPhaseOutputs: true }).map((e) => wireBody(e, specId));
    // Up to the last phase_completed: phases pass, but nothing is stored for them yet.
    const lastCompleted = run.findLastIndex((e) => e['event_type'] === 'spec.phase_completed');
    for (const batch of batches(run.slice(0, lastCompleted + 1), 10)) expect((await post(reg, { events: batch })).statusCode).toBe(200);
    let spec = await getSpec(specId);
    expect(spec.requirements).toEqual([]);
    expect(spec.progress).toBe(100);
    const midway = (await call('GET', `/api/v1/specs/${specId}/phase-data`)).json<{ phase_data: Record<string, unknown> }>();
    expect(midway.phase_data).toEqual({});
    for (const batch of batches(run.slice(lastCompleted + 1), 10)) expect((await post(reg, { events: batch })).statusCode).toBe(200);
    spec = await getSpec(specId);
    expect(spec.status).toBe('completed');
    expect(spec.requirements.map((r) => r.local_id)).toEqual(['REQ-WEBHOOK-FUNC-001', 'REQ-WEBHOOK-SEC-002', 'REQ-WEBHOOK-REL-003']);
    expect(spec.tasks.map((t) => t.local_id)).toEqual(['TSK-001', 'TSK-002', 'TSK-003']);
    expect(spec.design?.components).toHaveLength(2);
    // Only the final agent.completed made rows (the sync summary is stored as spec.sync_summary): one set of warnings.
    expect(warningsOf(await events(specId))).toHaveLength(5);
  });

  it('refuses what would break a run, clearly, storing nothing: registration while executing, a sandbox racing a live run, a deleted registration; DELETE cancels a live run', async () => {
    const specId = await newSpec();
    const a = await register(specId);
    const b = await register(specId);
    expect((await post(b, wireBody({ event_type: 'spec.execution_started', phase: null, data: { title: 't', description: '', phases: ['explore'] } }, specId))).statusCode).toBe(200);
    // Executing now: no new registration.
    const busy = await call('POST', `/api/v1/specs/${specId}/sandboxes`);
    expect(busy.statusCode).toBe(409);
    expect(busy.json()).toMatchObject({ code: 'already_running' });
    expect((await post(a, wireBody({ event_type: 'spec.progress', phase: null, data: { message: 'x' } }, specId))).json()).toMatchObject({ code: 'token_revoked' });
    const before = (await events(specId)).length;

    // DELETE of the live run's sandbox: the run is cancelled and says why; the token stops working.
    const del = await call('DELETE', `/api/v1/specs/${specId}/sandboxes/${b.sandbox_id}`);
    expect(del.statusCode).toBe(204);
    const spec = await getSpec(specId);
    expect(spec.status).toBe('cancelled');
    expect(spec.last_error).toContain('cancelled by');
    const tail = (await events(specId)).slice(before).map((e) => e.event_type);
    // No phase had started: the run fails as a whole (no phase_failed), still ending with agent.completed.
    expect(tail).toEqual(['spec.execution_failed', 'agent.completed']);
    expect((await post(b, wireBody({ event_type: 'spec.progress', phase: null, data: { message: 'y' } }, specId))).json()).toMatchObject({ code: 'token_revoked' });
    expect((await call('DELETE', `/api/v1/specs/${specId}/sandboxes/${b.sandbox_id}`)).statusCode).toBe(204);

    // A sandbox the server launched is not an external one; an unknown one is 404; a stranger's is 404.
    const launched = await call('POST', `/api/v1/specs/${specId}/execute`, {});
    expect(launched.statusCode, launched.body).toBe(200);
    const launchedId = launched.json<{ sandbox_id: string }>().sandbox_id;
    const refused = await call('DELETE', `/api/v1/specs/${specId}/sandboxes/${launchedId}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'conflict' });
    expect((await call('DELETE', `/api/v1/specs/${specId}/sandboxes/sbx-unknown`)).statusCode).toBe(404);
    const stranger = await registerUser(server.app, 'stranger');
    expect((await call('POST', `/api/v1/specs/${specId}/sandboxes`, {}, stranger.headers)).statusCode).toBe(404);

    // A registration made before a launched run took the spec cannot join it: 409, nothing stored.
    await call('POST', `/api/v1/specs/${specId}/cancel`);
    const c = await register(specId);
    expect((await call('POST', `/api/v1/specs/${specId}/execute`, {})).statusCode).toBe(200);
    const count = (await events(specId)).length;
    const racing = await post(c, { events: [wireBody({ event_type: 'spec.progress', phase: null, data: { message: 'z' } }, specId)] });
    expect(racing.statusCode).toBe(409);
    expect(racing.json()).toMatchObject({ code: 'already_running' });
    expect(await events(specId)).toHaveLength(count);

    // Bad input: a body that is not an object, an unknown field type.
    expect((await call('POST', `/api/v1/specs/${specId}/sandboxes`, { heartbeat_interval_seconds: 0 })).statusCode).toBe(422);
  });

  it('the reaper fails an external run whose batches stopped; a restart leaves a live external run to the reaper', async () => {
    const specId = await newSpec();
    const reg = await register(specId);
    expect((await post(reg, { events: originalRun().slice(0, 4).map((e) => wireBody(e, specId)) })).statusCode).toBe(200);
    // A server restart: reconcile() fails runs of sandboxes it launched that are gone, not external ones.
    await server.context.runs.reconcile();
    expect(await getSpec(specId)).toMatchObject({ status: 'executing' });
    expect((await post(reg, wireBody({ event_type: 'spec.progress', phase: null, data: { message: 'still here' } }, specId))).statusCode).toBe(200);
    // Silence longer than missed × interval (moved back in the store instead of waiting).
    const long = new Date(Date.now() - 3600_000);
    await server.context.db.update(sandboxes).set({ lastHeartbeatAt: long }).where(eq(sandboxes.id, reg.sandbox_id));
    await server.context.db.update(specs).set({ lastHeartbeatAt: long }).where(eq(specs.id, specId));
    expect(await server.context.runs.reap()).toBeGreaterThanOrEqual(1);
    const spec = await getSpec(specId);
    expect(spec.status).toBe('failed');
    expect(spec.last_error).toMatch(/sandbox stopped sending heartbeats/);
    const [row] = await server.context.db.select().from(sandboxes).where(eq(sandboxes.id, reg.sandbox_id));
    expect(row).toMatchObject({ status: 'lost' });
    expect((await post(reg, wireBody({ event_type: 'spec.progress', phase: null, data: { message: 'too late' } }, specId))).json()).toMatchObject({ code: 'token_revoked' });
    const stored = await server.context.db.select().from(sandboxEvents).where(eq(sandboxEvents.specId, specId)).orderBy(sandboxEvents.specSeq);
    expect(stored.at(-1)?.eventType).toBe('agent.completed');
  });
});
