/**
 * The authorization table of `authz.test.ts`: one row per route of the app (HEAD aside), saying who may
 * call it. A route registered without a row fails the test, so every new route must declare its rule.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { App } from '../app';
import { newId } from '../services/ids';
import { newSandboxToken } from '../services/tokens';
import type { Db } from '../store/db';
import {
  projectMembers,
  projects,
  sandboxEvents,
  sandboxes,
  specAcceptanceCriteria,
  specRequirements,
  specTasks,
  specVersions,
  specs,
  tasks,
  tickets,
} from '../store/schema';
import { createProject, registerUser, type TestUser } from './harness';

/**
 * - `public`: no login (auth forms, health, docs, the web UI's files);
 * - `user`: any logged-in user, answering only their own data;
 * - `member`: a resource of a project: strangers get 404;
 * - `owner`: owner-only action on a project: strangers 404, plain members 403;
 * - `sandbox`: the sandbox token of the path's sandbox/spec; user sessions are 401, another sandbox's token 403;
 * - `websocket`: authenticated after the upgrade (close 4401), access per subscribed spec;
 * - `worker`: the worker token (`SPECLINE_WORKER_TOKEN`) only: user sessions and sandbox tokens are 401.
 */
export type Access = 'public' | 'user' | 'member' | 'owner' | 'sandbox' | 'websocket' | 'worker';

export interface Fixtures {
  alice: TestUser;
  mallory: TestUser;
  bob: TestUser;
  project: string;
  spec: string;
  requirement: string;
  criterion: string;
  task: string;
  ticket: string;
  sandboxA: { id: string; token: string };
  bobSpec: string;
  sandboxB: { id: string; token: string };
  /** Strings only alice's tenant holds: no answer to anyone else may contain them. */
  markers: string[];
}

export interface Row {
  access: Access;
  url?: (f: Fixtures) => string;
  body?: (f: Fixtures) => object;
}

const s = (f: Fixtures) => `/api/v1/specs/${f.spec}`;
const req = (f: Fixtures) => `${s(f)}/requirements/${f.requirement}`;

export const TABLE: Record<string, Row> = {
  'GET /api/v1/health': { access: 'public' },
  'GET /api/v1/health/live': { access: 'public' },
  'GET /api/v1/health/ready': { access: 'public' },
  'GET /api/v1/openapi.json': { access: 'public' },
  'POST /api/v1/auth/register': { access: 'public' },
  'POST /api/v1/auth/login': { access: 'public' },
  'POST /api/v1/auth/refresh': { access: 'public' },
  'GET /api/v1/auth/me': { access: 'user', url: () => '/api/v1/auth/me' },

  'GET /api/v1/projects': { access: 'user', url: () => '/api/v1/projects' },
  'POST /api/v1/projects': { access: 'user', url: () => '/api/v1/projects', body: () => ({ name: 'mine' }) },
  'GET /api/v1/projects/:id': { access: 'member', url: (f) => `/api/v1/projects/${f.project}` },
  'PATCH /api/v1/projects/:id': { access: 'owner', url: (f) => `/api/v1/projects/${f.project}`, body: () => ({ name: 'hijacked', model_settings: { api_key: 'sk-hijacked' } }) },
  'GET /api/v1/projects/:id/members': { access: 'member', url: (f) => `/api/v1/projects/${f.project}/members` },
  'POST /api/v1/projects/:id/members': { access: 'owner', url: (f) => `/api/v1/projects/${f.project}/members`, body: (f) => ({ email: f.bob.email }) },
  'PATCH /api/v1/projects/:id/members/:user_id': { access: 'owner', url: (f) => `/api/v1/projects/${f.project}/members/${f.mallory.id}`, body: () => ({ role: 'owner' }) },
  'DELETE /api/v1/projects/:id/members/:user_id': { access: 'owner', url: (f) => `/api/v1/projects/${f.project}/members/${f.alice.id}` },

  'POST /api/v1/tickets': { access: 'member', url: () => '/api/v1/tickets', body: (f) => ({ title: 'x', project_id: f.project, workflow_mode: 'spec_driven' }) },
  'GET /api/v1/tickets': { access: 'user', url: (f) => `/api/v1/tickets?project_id=${f.project}` },
  'GET /api/v1/tickets/:id': { access: 'member', url: (f) => `/api/v1/tickets/${f.ticket}` },
  'GET /api/v1/tickets/:id/tasks': { access: 'member', url: (f) => `/api/v1/tickets/${f.ticket}/tasks` },
  'GET /api/v1/tickets/:id/history': { access: 'member', url: (f) => `/api/v1/tickets/${f.ticket}/history` },
  'GET /api/v1/search': { access: 'user', url: () => '/api/v1/search?q=ALPHA-SECRET' },
  'GET /api/v1/tickets/pending-review-count': { access: 'user', url: () => '/api/v1/tickets/pending-review-count' },
  'POST /api/v1/tickets/approve': { access: 'member', url: () => '/api/v1/tickets/approve', body: (f) => ({ ticket_id: f.ticket }) },
  'POST /api/v1/tickets/reject': { access: 'member', url: () => '/api/v1/tickets/reject', body: (f) => ({ ticket_id: f.ticket, rejection_reason: 'hijacked' }) },
  'POST /api/v1/tickets/:id/transition': { access: 'member', url: (f) => `/api/v1/tickets/${f.ticket}/transition`, body: () => ({ to_status: 'cancelled' }) },
  'POST /api/v1/tickets/:id/block': { access: 'member', url: (f) => `/api/v1/tickets/${f.ticket}/block?blocker_type=hijacked` },
  'POST /api/v1/tickets/:id/unblock': { access: 'member', url: (f) => `/api/v1/tickets/${f.ticket}/unblock` },
  'GET /api/v1/tickets/:id/context': { access: 'member', url: (f) => `/api/v1/tickets/${f.ticket}/context` },

  'GET /api/v1/specs/project/:project_id': { access: 'member', url: (f) => `/api/v1/specs/project/${f.project}?include_archived=true` },
  'POST /api/v1/specs': { access: 'member', url: () => '/api/v1/specs', body: (f) => ({ title: 'x', project_id: f.project }) },
  'POST /api/v1/specs/launch': { access: 'member', url: () => '/api/v1/specs/launch', body: (f) => ({ title: 'x', description: 'y', project_id: f.project }) },
  'GET /api/v1/specs/:id': { access: 'member', url: s },
  'PATCH /api/v1/specs/:id': { access: 'member', url: s, body: () => ({ title: 'hijacked' }) },
  'DELETE /api/v1/specs/:id': { access: 'member', url: s },
  'POST /api/v1/specs/:id/approve-requirements': { access: 'member', url: (f) => `${s(f)}/approve-requirements` },
  'POST /api/v1/specs/:id/approve-design': { access: 'member', url: (f) => `${s(f)}/approve-design` },
  'POST /api/v1/specs/:id/reject-requirements': { access: 'member', url: (f) => `${s(f)}/reject-requirements`, body: () => ({ comment: 'hijacked' }) },
  'POST /api/v1/specs/:id/reject-design': { access: 'member', url: (f) => `${s(f)}/reject-design`, body: () => ({ comment: 'hijacked' }) },
  'POST /api/v1/specs/:id/rerun': { access: 'member', url: (f) => `${s(f)}/rerun`, body: () => ({ from_phase: 'design' }) },
  'GET /api/v1/specs/:id/runs': { access: 'member', url: (f) => `${s(f)}/runs` },
  'GET /api/v1/specs/:id/runs/:run_id/diff': { access: 'member', url: (f) => `${s(f)}/runs/run-unknown/diff` },
  'GET /api/v1/specs/:id/proposals': { access: 'member', url: (f) => `${s(f)}/proposals` },
  'POST /api/v1/specs/:id/proposals/:proposal_id/accept': { access: 'member', url: (f) => `${s(f)}/proposals/prop-unknown/accept` },
  'POST /api/v1/specs/:id/proposals/:proposal_id/dismiss': { access: 'member', url: (f) => `${s(f)}/proposals/prop-unknown/dismiss` },
  'GET /api/v1/specs/:id/versions': { access: 'member', url: (f) => `${s(f)}/versions` },
  'POST /api/v1/specs/:id/execute': { access: 'member', url: (f) => `${s(f)}/execute`, body: () => ({}) },
  'POST /api/v1/specs/:id/cancel': { access: 'member', url: (f) => `${s(f)}/cancel` },
  'GET /api/v1/specs/:id/phase-data': { access: 'member', url: (f) => `${s(f)}/phase-data` },
  'GET /api/v1/specs/:id/execution-status': { access: 'member', url: (f) => `${s(f)}/execution-status` },
  'GET /api/v1/specs/:id/criteria-status': { access: 'member', url: (f) => `${s(f)}/criteria-status` },
  'GET /api/v1/specs/:id/export': { access: 'member', url: (f) => `${s(f)}/export?format=markdown` },
  'GET /api/v1/specs/:id/linked-tickets': { access: 'member', url: (f) => `${s(f)}/linked-tickets` },
  'GET /api/v1/specs/:id/events': { access: 'member', url: (f) => `${s(f)}/events` },
  'GET /api/v1/specs/:id/events/stream': { access: 'member', url: (f) => `${s(f)}/events/stream?after=0` },
  'POST /api/v1/specs/:id/requirements': { access: 'member', url: (f) => `${s(f)}/requirements`, body: () => ({ title: 't', action: 'THE SYSTEM SHALL x' }) },
  'PATCH /api/v1/specs/:id/requirements/:req_id': { access: 'member', url: req, body: () => ({ title: 'hijacked' }) },
  'DELETE /api/v1/specs/:id/requirements/:req_id': { access: 'member', url: req },
  'POST /api/v1/specs/:id/requirements/:req_id/criteria': { access: 'member', url: (f) => `${req(f)}/criteria`, body: () => ({ text: 't' }) },
  'PATCH /api/v1/specs/:id/requirements/:req_id/criteria/:criterion_id': { access: 'member', url: (f) => `${req(f)}/criteria/${f.criterion}`, body: () => ({ completed: true }) },
  'DELETE /api/v1/specs/:id/requirements/:req_id/criteria/:criterion_id': { access: 'member', url: (f) => `${req(f)}/criteria/${f.criterion}` },
  'PUT /api/v1/specs/:id/design': { access: 'member', url: (f) => `${s(f)}/design`, body: () => ({ architecture: 'hijacked' }) },
  'GET /api/v1/specs/:id/tasks': { access: 'member', url: (f) => `${s(f)}/tasks` },
  'POST /api/v1/specs/:id/tasks': { access: 'member', url: (f) => `${s(f)}/tasks`, body: () => ({ title: 't' }) },
  'PATCH /api/v1/specs/:id/tasks/:task_id': { access: 'member', url: (f) => `${s(f)}/tasks/${f.task}`, body: () => ({ title: 'hijacked' }) },
  'DELETE /api/v1/specs/:id/tasks/:task_id': { access: 'member', url: (f) => `${s(f)}/tasks/${f.task}` },
  'POST /api/v1/specs/:id/link-tickets': { access: 'member', url: (f) => `${s(f)}/link-tickets`, body: (f) => ({ ticket_ids: [f.ticket] }) },
  'POST /api/v1/specs/:id/unlink-tickets': { access: 'member', url: (f) => `${s(f)}/unlink-tickets`, body: (f) => ({ ticket_ids: [f.ticket] }) },
  'POST /api/v1/specs/:id/execute-tasks': { access: 'member', url: (f) => `${s(f)}/execute-tasks`, body: () => ({}) },
  'POST /api/v1/specs/:id/create-branch': { access: 'member', url: (f) => `${s(f)}/create-branch` },
  'POST /api/v1/specs/:id/create-pr': { access: 'member', url: (f) => `${s(f)}/create-pr`, body: () => ({ force: true }) },
  'POST /api/v1/specs/:id/sandboxes': { access: 'member', url: (f) => `${s(f)}/sandboxes`, body: () => ({}) },
  'DELETE /api/v1/specs/:id/sandboxes/:sandbox_id': { access: 'member', url: (f) => `${s(f)}/sandboxes/${f.sandboxA.id}` },

  'POST /api/v1/workers/claims': { access: 'worker', url: () => '/api/v1/workers/claims', body: (f) => ({ spec_id: f.spec, run_id: 'run-none', worker: 'worker:test' }) },
  'POST /api/v1/workers/runs/:sandbox_id/status': { access: 'worker', url: (f) => `/api/v1/workers/runs/${f.sandboxA.id}/status`, body: () => ({}) },
  'POST /api/v1/workers/runs/:sandbox_id/exit': { access: 'worker', url: (f) => `/api/v1/workers/runs/${f.sandboxA.id}/exit`, body: () => ({ exit_code: 0 }) },
  'GET /api/v1/workers/runs/:sandbox_id/bundle': { access: 'worker', url: (f) => `/api/v1/workers/runs/${f.sandboxA.id}/bundle` },
  'POST /api/v1/sandboxes/:sandbox_id/events': { access: 'sandbox', url: (f) => `/api/v1/sandboxes/${f.sandboxA.id}/events`, body: (f) => progressEvent(f.spec) },
  'POST /api/v1/specs/:id/sync': {
    access: 'sandbox',
    url: (f) => `${s(f)}/sync`,
    body: () => ({ tickets: [{ local_id: 'TKT-001', title: 'hijacked' }], tasks: [] }),
  },
  'GET /api/v1/ws/events': { access: 'websocket' },
  // Last: it ends the caller's session (authz.test.ts logs the stranger in again after it).
  'POST /api/v1/auth/logout': { access: 'user', url: () => '/api/v1/auth/logout' },
};

/** Routes outside the table by rule: the docs page and the built web UI (static files, SPA fallback). */
export function publicByRule(path: string): boolean {
  return path.startsWith('/api/v1/docs') || !path.startsWith('/api/');
}

export function progressEvent(specId: string, message = 'working') {
  return { event_id: randomUUID(), seq: 1, event_type: 'spec.progress', timestamp: new Date().toISOString(), spec_id: specId, phase: 'explore', data: { message } };
}

/**
 * Every route of the app as `METHOD /path`, from `printRoutes` (Fastify has no public route list and
 * `onRoute` would have to be added before `buildApp` registers them). HEAD is left out.
 */
export function registeredRoutes(app: App): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([\s│]*)[└├]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    const path = stack.join('');
    for (const method of (m[3] ?? '').split(',').map((x) => x.trim()).filter(Boolean)) {
      if (method !== 'HEAD') out.push(`${method} ${path}`);
    }
  }
  return [...new Set(out)].sort();
}

async function sandboxFor(db: Db, specId: string) {
  const { token, hash } = newSandboxToken();
  const id = newId.sandbox();
  await db.insert(sandboxes).values({ id, specId, tokenHash: hash, status: 'running', provider: 'test' });
  await db.update(specs).set({ sandboxId: id }).where(eq(specs.id, specId));
  return { id, token };
}

/** Alice's tenant (with a member, mallory) holding one of everything; bob's tenant next to it. */
export async function buildFixtures(app: App, db: Db): Promise<Fixtures> {
  const marker = `ALPHA-SECRET-${randomUUID().slice(0, 8)}`;
  const alice = await registerUser(app, 'alice');
  const mallory = await registerUser(app, 'mallory');
  const bob = await registerUser(app, 'bob');
  const as = (user: TestUser, method: 'POST' | 'PUT', url: string, payload: object) => app.inject({ method, url, headers: user.headers, payload }).then((r) => r.json<{ id: string }>());
  const project = (await createProject(app, alice, `${marker} project`)).id;
  await as(alice, 'POST', `/api/v1/projects/${project}/members`, { email: mallory.email });
  const spec = (await as(alice, 'POST', '/api/v1/specs', { title: `${marker} spec`, description: `${marker} description`, project_id: project })).id;
  const requirement = await as(alice, 'POST', `/api/v1/specs/${spec}/requirements`, { title: `${marker} requirement`, action: 'THE SYSTEM SHALL keep secrets', acceptance_criteria: [`${marker} criterion`] });
  const [criterion] = await db.select().from(specAcceptanceCriteria).where(eq(specAcceptanceCriteria.requirementId, requirement.id));
  const task = (await as(alice, 'POST', `/api/v1/specs/${spec}/tasks`, { title: `${marker} task` })).id;
  await as(alice, 'PUT', `/api/v1/specs/${spec}/design`, { architecture: `${marker} architecture` });
  const ticket = (await as(alice, 'POST', '/api/v1/tickets', { title: `${marker} ticket`, project_id: project })).id;
  await db.insert(tasks).values({ id: newId.task(), ticketId: ticket, title: `${marker} ticket task` });
  const sandboxA = await sandboxFor(db, spec);
  const stored = await app.inject({ method: 'POST', url: `/api/v1/sandboxes/${sandboxA.id}/events`, headers: { authorization: `Bearer ${sandboxA.token}` }, payload: progressEvent(spec, `${marker} event`) });
  if (stored.statusCode !== 200) throw new Error(`fixture event not stored: ${stored.statusCode} ${stored.body}`);

  const bobProject = (await createProject(app, bob, 'Bob project')).id;
  const bobSpec = (await as(bob, 'POST', '/api/v1/specs', { title: 'Bob spec', project_id: bobProject })).id;
  const sandboxB = await sandboxFor(db, bobSpec);
  return { alice, mallory, bob, project, spec, requirement: requirement.id, criterion: criterion!.id, task, ticket, sandboxA, bobSpec, sandboxB, markers: [marker, alice.email] };
}

/** Every row of alice's tenant, to prove a refused request changed nothing. */
export async function tenantSnapshot(db: Db, f: Fixtures): Promise<unknown> {
  return {
    project: await db.select().from(projects).where(eq(projects.id, f.project)),
    members: await db.select().from(projectMembers).where(eq(projectMembers.projectId, f.project)).orderBy(projectMembers.userId),
    specs: await db.select().from(specs).where(eq(specs.projectId, f.project)).orderBy(specs.id),
    requirements: await db.select().from(specRequirements).where(eq(specRequirements.specId, f.spec)).orderBy(specRequirements.id),
    criteria: await db.select().from(specAcceptanceCriteria).where(eq(specAcceptanceCriteria.requirementId, f.requirement)).orderBy(specAcceptanceCriteria.id),
    tasks: await db.select().from(specTasks).where(eq(specTasks.specId, f.spec)).orderBy(specTasks.id),
    versions: await db.select().from(specVersions).where(eq(specVersions.specId, f.spec)).orderBy(specVersions.versionNumber),
    tickets: await db.select().from(tickets).where(eq(tickets.projectId, f.project)).orderBy(tickets.id),
    ticketTasks: await db.select().from(tasks).where(eq(tasks.ticketId, f.ticket)).orderBy(tasks.id),
    events: await db.select().from(sandboxEvents).where(eq(sandboxEvents.specId, f.spec)).orderBy(sandboxEvents.specSeq),
    sandboxes: await db.select().from(sandboxes).where(eq(sandboxes.specId, f.spec)).orderBy(sandboxes.id),
  };
}
