/**
 * The original frontend's API client, replayed (GitHub issue 13). Every call of its `lib/api/*.ts` that
 * the spec pages, the ticket views and the auth flow make is a row of {@link CALLS}: method, path and
 * query, the body it sends or none, and the response fields its TypeScript types read
 * (`reference/original-anchor-frontend.md` §3). The calls go over real HTTP (`fetch`, a listening
 * server) exactly as its `client.ts` sends them: `Content-Type: application/json` on EVERY request, a
 * body only when there is one (never on GET), `Authorization: Bearer`, the cookies a browser would send
 * (`credentials: "include"`), one `POST /auth/refresh {refresh_token}` and a retry on a 401, and a 204
 * read as `{}`. A row passes when the answer is the one docs/api.md documents for it and every field
 * the client reads is there. The spec they work on was made by the original producer's complete run
 * (wire shape) through an external sandbox; its project's repository is a `file://` remote.
 */
import type { RegisterSandboxResponse } from '@specline/protocol';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../services/ids';
import { tickets } from '../../store/schema';
import { BACKENDS, createTestServer, registerUser, type TestServer, type TestUser } from '../harness';
import { batches, originalRun, wireBody } from './originalRun';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Json = Record<string, unknown>;

interface State {
  projectId: string;
  /** The spec the original producer's run made. */
  specId: string;
  /** The spec `createSpec` made (edited, then archived). */
  newSpecId: string;
  reqId: string;
  critId: string;
  taskId: string;
  ticketId: string;
  pending: string[];
  remote: string;
  commit: string;
}

interface ClientCall {
  /** The client function (`lib/api/specs.ts` unless said otherwise). */
  fn: string;
  method: Method;
  path: (s: State) => string;
  /** What it sends; absent → no body (the JSON content type is sent all the same). */
  body?: (s: State) => unknown;
  /** Response fields its types read: `a.b`, `list[].field` (every element), `map{}.field` (every value). */
  reads: string[];
  /** A documented refusal instead of a 2xx (the client shows its `detail`). */
  refused?: { status: number; code: string };
  /** Further checks of the answer; may record ids in the state. */
  then?: (answer: Json, s: State) => void | Promise<void>;
}

const SPEC_FIELDS = [
  'id', 'project_id', 'title', 'description', 'status', 'phase', 'current_phase', 'progress', 'test_coverage', 'active_agents', 'linked_tickets',
  'requirements[].id', 'requirements[].title', 'requirements[].condition', 'requirements[].action', 'requirements[].status', 'requirements[].linked_design',
  'requirements[].criteria[].id', 'requirements[].criteria[].text', 'requirements[].criteria[].completed',
  'design.architecture', 'design.data_model', 'design.api_spec[].method', 'design.api_spec[].endpoint', 'design.api_spec[].description',
  'tasks[].id', 'tasks[].title', 'tasks[].description', 'tasks[].phase', 'tasks[].priority', 'tasks[].status', 'tasks[].assigned_agent', 'tasks[].dependencies', 'tasks[].estimated_hours', 'tasks[].actual_hours',
  'execution', 'created_at', 'updated_at', 'branch_name', 'pull_request_url', 'pull_request_number',
];
const TICKET_FIELDS = ['id', 'title', 'description', 'status', 'priority', 'phase_id', 'approval_status', 'created_at', 'updated_at', 'project_id'];
const SPEC_TASK_FIELDS = ['id', 'title', 'description', 'phase', 'priority', 'status', 'assigned_agent', 'dependencies', 'estimated_hours', 'actual_hours'];
const EVENT_FIELDS = ['spec_id', 'events[].id', 'events[].sandbox_id', 'events[].spec_id', 'events[].event_type', 'events[].event_data', 'events[].source', 'events[].created_at', 'total_count', 'has_more'];

const spec = (s: State) => `/api/v1/specs/${s.specId}`;
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** The client's calls, in the order a session makes them. */
export const CALLS: ClientCall[] = [
  { fn: 'auth.getProject (projects.ts)', method: 'GET', path: (s) => `/api/v1/projects/${s.projectId}`, reads: ['name'] },
  { fn: 'createSpec', method: 'POST', path: () => '/api/v1/specs', body: (s) => ({ title: 'Partner dashboard', description: 'A page for partners', project_id: s.projectId }), reads: ['id', 'project_id'], then: (a, s) => void (s.newSpecId = str(a['id'])) },
  {
    fn: 'listProjectSpecs',
    method: 'GET',
    path: (s) => `/api/v1/specs/project/${s.projectId}`,
    reads: ['specs[].id', 'specs[].title', 'specs[].description', 'specs[].status', 'specs[].phase', 'specs[].progress', 'specs[].updated_at', 'total'],
    then: (a) => expect((a['specs'] as unknown[]).length).toBe(2),
  },
  { fn: 'listProjectSpecs({status})', method: 'GET', path: (s) => `/api/v1/specs/project/${s.projectId}?status=completed`, reads: ['specs[].id', 'specs[].status', 'total'], then: (a) => expect(a['total']).toBe(1) },
  { fn: 'getSpec', method: 'GET', path: spec, reads: SPEC_FIELDS, then: (a) => expect(a).toMatchObject({ status: 'completed', test_coverage: 0, active_agents: 0, execution: null, branch_name: null }) },
  { fn: 'updateSpec', method: 'PATCH', path: (s) => `/api/v1/specs/${s.newSpecId}`, body: () => ({ title: 'Partner dashboard v2', description: 'A page for partners' }), reads: ['project_id', 'title'] },
  { fn: 'addRequirement', method: 'POST', path: (s) => `${spec(s)}/requirements`, body: () => ({ title: 'Audit log', condition: 'WHEN a webhook is sent', action: 'THE SYSTEM SHALL record it' }), reads: ['id', 'title', 'condition', 'action', 'criteria', 'linked_design', 'status'], then: (a, s) => void (s.reqId = str(a['id'])) },
  { fn: 'updateRequirement', method: 'PATCH', path: (s) => `${spec(s)}/requirements/${s.reqId}`, body: () => ({ title: 'Audit log', condition: 'WHEN a webhook is sent', action: 'THE SYSTEM SHALL record it with its status', status: 'in_progress' }), reads: ['id', 'title', 'condition', 'action', 'status'] },
  { fn: 'addCriterion', method: 'POST', path: (s) => `${spec(s)}/requirements/${s.reqId}/criteria`, body: () => ({ text: 'Each delivery has a row' }), reads: ['id', 'text', 'completed'], then: (a, s) => void (s.critId = str(a['id'])) },
  { fn: 'updateCriterion', method: 'PATCH', path: (s) => `${spec(s)}/requirements/${s.reqId}/criteria/${s.critId}`, body: () => ({ text: 'Each delivery has one row', completed: true }), reads: ['id', 'text', 'completed'] },
  { fn: 'deleteCriterion', method: 'DELETE', path: (s) => `${spec(s)}/requirements/${s.reqId}/criteria/${s.critId}`, reads: [] },
  { fn: 'deleteRequirement', method: 'DELETE', path: (s) => `${spec(s)}/requirements/${s.reqId}`, reads: [] },
  {
    fn: 'updateDesign',
    method: 'PUT',
    path: (s) => `${spec(s)}/design`,
    body: () => ({ architecture: 'Dispatcher and store', data_model: null, api_spec: [{ method: 'POST', endpoint: '/api/webhooks', description: 'Subscribe' }] }),
    reads: ['architecture', 'data_model', 'api_spec[].method', 'api_spec[].endpoint', 'api_spec[].description'],
    then: (a) => expect(a['api_spec']).toEqual([{ method: 'POST', path: '/api/webhooks', endpoint: '/api/webhooks', description: 'Subscribe' }]),
  },
  { fn: 'addTask', method: 'POST', path: (s) => `${spec(s)}/tasks`, body: () => ({ title: 'Docs page', description: 'Document webhooks', phase: 'Documentation', priority: 'high' }), reads: SPEC_TASK_FIELDS, then: (a, s) => void (s.taskId = str(a['id'])) },
  { fn: 'updateTask', method: 'PATCH', path: (s) => `${spec(s)}/tasks/${s.taskId}`, body: () => ({ title: 'Docs page', description: 'Document webhooks', phase: 'Documentation', priority: 'medium', status: 'in_progress' }), reads: SPEC_TASK_FIELDS },
  { fn: 'deleteTask', method: 'DELETE', path: (s) => `${spec(s)}/tasks/${s.taskId}`, reads: [] },
  { fn: 'approveRequirements', method: 'POST', path: (s) => `${spec(s)}/approve-requirements`, reads: ['message'], then: (a) => expect(a['requirements_approved']).toBe(true) },
  { fn: 'approveDesign', method: 'POST', path: (s) => `${spec(s)}/approve-design`, reads: ['message'], then: (a) => expect(a['design_approved']).toBe(true) },
  {
    fn: 'listSpecVersions(10)',
    method: 'GET',
    path: (s) => `${spec(s)}/versions?limit=10`,
    reads: ['versions[].id', 'versions[].spec_id', 'versions[].version_number', 'versions[].change_type', 'versions[].change_summary', 'versions[].change_details', 'versions[].created_by', 'versions[].created_at', 'total'],
    then: (a) => expect((a['versions'] as unknown[]).length).toBe(10),
  },
  { fn: 'executeSpecTasks', method: 'POST', path: (s) => `${spec(s)}/execute-tasks`, body: () => ({}), reads: ['success', 'message', 'tasks_created', 'tasks_skipped', 'ticket_id', 'errors'], then: (a) => expect(a).toMatchObject({ success: true, tasks_created: 3, tasks_skipped: 0, ticket_id: null }) },
  { fn: 'executeSpecTasks (again: idempotent)', method: 'POST', path: (s) => `${spec(s)}/execute-tasks`, body: () => ({}), reads: ['success', 'message', 'tasks_created', 'tasks_skipped'], then: (a) => expect(a).toMatchObject({ success: true, tasks_created: 0, tasks_skipped: 3 }) },
  { fn: 'getExecutionStatus', method: 'GET', path: (s) => `${spec(s)}/execution-status`, reads: ['spec_id', 'total_tasks', 'status_counts', 'progress', 'is_complete'] },
  {
    fn: 'getCriteriaStatus',
    method: 'GET',
    path: (s) => `${spec(s)}/criteria-status`,
    reads: ['spec_id', 'total_criteria', 'completed_criteria', 'completion_percentage', 'all_complete', 'by_requirement{}.requirement_title', 'by_requirement{}.total', 'by_requirement{}.completed', 'by_requirement{}.criteria'],
  },
  {
    fn: 'createSpecBranch',
    method: 'POST',
    path: (s) => `${spec(s)}/create-branch`,
    reads: ['success', 'branch_name'],
    then: (a, s) => {
      expect(a['branch_name']).toMatch(/^spec\/order-webhooks-[0-9a-f]{8}$/);
      // The branch is on the remote, at the explored commit.
      expect(execFileSync('git', ['--git-dir', s.remote, 'rev-parse', `refs/heads/${str(a['branch_name'])}`], { encoding: 'utf8' }).trim()).toBe(s.commit);
    },
  },
  { fn: 'createSpecBranch (again: idempotent)', method: 'POST', path: (s) => `${spec(s)}/create-branch`, reads: ['success', 'branch_name'], then: (a) => expect(a['already_exists']).toBe(true) },
  { fn: 'createSpecPR({force: false})', method: 'POST', path: (s) => `${spec(s)}/create-pr`, body: () => ({ force: false }), reads: [], refused: { status: 409, code: 'precondition_failed' } },
  { fn: 'createSpecPR({force: true})', method: 'POST', path: (s) => `${spec(s)}/create-pr`, body: () => ({ force: true }), reads: [], refused: { status: 409, code: 'no_pull_request_api' } },
  {
    fn: 'getSpecEvents({limit: 100})',
    method: 'GET',
    path: (s) => `${spec(s)}/events?limit=100`,
    reads: EVENT_FIELDS,
    then: (a) => {
      const seqs = (a['events'] as { spec_seq: number }[]).map((e) => e.spec_seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => y - x)); // newest first
    },
  },
  { fn: 'getSpecEvents({limit, offset})', method: 'GET', path: (s) => `${spec(s)}/events?limit=10&offset=10`, reads: EVENT_FIELDS, then: (a) => expect((a['events'] as unknown[]).length).toBe(10) },
  {
    fn: 'getSpecEvents({event_type})',
    method: 'GET',
    path: (s) => `${spec(s)}/events?limit=100&event_type=spec.phase_completed`,
    reads: EVENT_FIELDS,
    then: (a) => {
      const types = (a['events'] as { event_type: string }[]).map((e) => e.event_type);
      expect(types).toEqual(Array(6).fill('spec.phase_completed'));
      expect(a['total_count']).toBe(6);
    },
  },
  { fn: 'listTickets({project_id}) (tickets.ts)', method: 'GET', path: (s) => `/api/v1/tickets?project_id=${s.projectId}`, reads: ['tickets[].id', 'tickets[].title', 'tickets[].status', 'tickets[].description', 'total'] },
  {
    fn: 'createTicket (command page, quick mode)',
    method: 'POST',
    path: () => '/api/v1/tickets',
    body: (s) => ({ title: 'Fix the partner login', description: 'It loops', priority: 'MEDIUM', check_duplicates: false, force_create: true, project_id: s.projectId, phase_id: 'PHASE_IMPLEMENTATION', workflow_mode: 'quick', auto_spawn_sandbox: true }),
    reads: ['id', 'project_id'],
    then: (a, s) => void (s.ticketId = str(a['id'])),
  },
  { fn: 'getTicket', method: 'GET', path: (s) => `/api/v1/tickets/${s.ticketId}`, reads: TICKET_FIELDS },
  { fn: 'linkTickets', method: 'POST', path: (s) => `${spec(s)}/link-tickets`, body: (s) => ({ ticket_ids: [s.ticketId] }), reads: ['linked_count', 'already_linked_count'], then: (a) => expect(a).toMatchObject({ linked_count: 1, already_linked_count: 0 }) },
  { fn: 'getLinkedTickets', method: 'GET', path: (s) => `${spec(s)}/linked-tickets`, reads: ['tickets[].id'], then: (a, s) => expect((a['tickets'] as { id: string }[]).map((t) => t.id)).toContain(s.ticketId) },
  { fn: 'unlinkTickets', method: 'POST', path: (s) => `${spec(s)}/unlink-tickets`, body: (s) => ({ ticket_ids: [s.ticketId] }), reads: ['unlinked_count'], then: (a) => expect(a['unlinked_count']).toBe(1) },
  { fn: 'transitionTicket', method: 'POST', path: (s) => `/api/v1/tickets/${s.ticketId}/transition`, body: () => ({ to_status: 'analyzing', reason: 'picked up' }), reads: TICKET_FIELDS, then: (a) => expect(a).toMatchObject({ status: 'todo', phase_id: 'PHASE_REQUIREMENTS' }) },
  { fn: 'blockTicket', method: 'POST', path: (s) => `/api/v1/tickets/${s.ticketId}/block?blocker_type=dependency&suggested_remediation=${encodeURIComponent('wait for the API')}`, reads: TICKET_FIELDS, then: (a) => expect(a).toMatchObject({ is_blocked: true, blocked_reason: 'dependency' }) },
  { fn: 'transitionTicket (while blocked)', method: 'POST', path: (s) => `/api/v1/tickets/${s.ticketId}/transition`, body: () => ({ to_status: 'building' }), reads: [], refused: { status: 409, code: 'conflict' } },
  { fn: 'unblockTicket', method: 'POST', path: (s) => `/api/v1/tickets/${s.ticketId}/unblock`, reads: TICKET_FIELDS, then: (a) => expect(a['is_blocked']).toBe(false) },
  { fn: 'transitionTicket (building, then testing)', method: 'POST', path: (s) => `/api/v1/tickets/${s.ticketId}/transition`, body: () => ({ to_status: 'building' }), reads: TICKET_FIELDS, then: (a) => expect(a).toMatchObject({ status: 'in_progress', phase_id: 'PHASE_IMPLEMENTATION' }) },
  { fn: 'transitionTicket (testing)', method: 'POST', path: (s) => `/api/v1/tickets/${s.ticketId}/transition`, body: () => ({ to_status: 'testing' }), reads: TICKET_FIELDS, then: (a) => expect(a).toMatchObject({ status: 'in_progress', phase_id: 'PHASE_TESTING' }) },
  { fn: 'getPendingReviewCount', method: 'GET', path: () => '/api/v1/tickets/pending-review-count', reads: ['pending_count'], then: (a) => expect(a['pending_count']).toBe(2) },
  { fn: 'approveTicket', method: 'POST', path: () => '/api/v1/tickets/approve', body: (s) => ({ ticket_id: s.pending[0] }), reads: ['ticket_id', 'status'], then: (a) => expect(a['status']).toBe('approved') },
  { fn: 'rejectTicket', method: 'POST', path: () => '/api/v1/tickets/reject', body: (s) => ({ ticket_id: s.pending[1], rejection_reason: 'duplicate of the login ticket' }), reads: ['ticket_id', 'status'], then: (a) => expect(a['status']).toBe('rejected') },
  { fn: 'getTicketContext', method: 'GET', path: (s) => `/api/v1/tickets/${s.pending[1]}/context`, reads: ['ticket_id', 'full_context', 'summary'], then: (a) => expect(a['full_context']).toMatchObject({ review: { rejection_reason: 'duplicate of the login ticket' } }) },
  { fn: 'exportSpec(json)', method: 'GET', path: (s) => `${spec(s)}/export?format=json`, reads: ['format_version', 'spec.id', 'spec.requirements'] },
  { fn: 'launchSpec (command page)', method: 'POST', path: () => '/api/v1/specs/launch', body: (s) => ({ title: 'Partner onboarding...', description: 'Onboard partners', project_id: s.projectId, auto_execute: true }), reads: ['spec_id', 'sandbox_id', 'status', 'message'] },
  { fn: 'deleteSpec (archive)', method: 'DELETE', path: (s) => `/api/v1/specs/${s.newSpecId}`, reads: [] },
];

/** Fields of `answer` named by `reads` that are missing (`undefined`), as paths. */
export function missingFields(answer: unknown, reads: readonly string[]): string[] {
  const missing: string[] = [];
  const walk = (value: unknown, parts: string[], at: string) => {
    if (parts.length === 0) return;
    const [head, ...rest] = parts as [string, ...string[]];
    const list = head.endsWith('[]');
    const map = head.endsWith('{}');
    const key = list || map ? head.slice(0, -2) : head;
    const child = value !== null && typeof value === 'object' ? (value as Json)[key] : undefined;
    const where = at ? `${at}.${key}` : key;
    if (child === undefined) return void missing.push(where);
    if (list || map) {
      const items = list ? (Array.isArray(child) ? child : []) : child !== null && typeof child === 'object' ? Object.values(child) : [];
      if (items.length === 0) return void missing.push(`${where} (empty: nothing to read)`);
      items.forEach((item, i) => walk(item, rest, `${where}[${i}]`));
    } else if (rest.length) walk(child, rest, where);
  };
  for (const read of reads) walk(answer, read.split('.'), '');
  return missing;
}

/** The original `apiRequest`: JSON content type always, body only when there is one, Bearer, cookies, refresh once on 401. */
function originalClient(baseUrl: string) {
  const jar = new Map<string, { value: string; path: string }>();
  let access: string | null = null;
  let refresh: string | null = null;
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const [name, value] = pair!.split('=') as [string, string];
      const cookiePath = attrs.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      if (value === '' || attrs.some((a) => /max-age=0|expires=thu, 01 jan 1970/i.test(a))) jar.delete(name);
      else jar.set(name, { value, path: cookiePath });
    }
  };
  const cookieFor = (endpoint: string) =>
    [...jar.entries()]
      .filter(([, c]) => endpoint.startsWith(c.path))
      .map(([n, c]) => `${n}=${c.value}`)
      .join('; ');
  const send = (method: Method, endpoint: string, body: unknown, auth: boolean) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (auth && access) headers['Authorization'] = `Bearer ${access}`;
    const cookie = cookieFor(endpoint.split('?')[0]!);
    if (cookie) headers['cookie'] = cookie;
    const init: RequestInit = { method, headers };
    if (body && method !== 'GET') init.body = JSON.stringify(body);
    return fetch(`${baseUrl}${endpoint}`, init).then((res) => (remember(res), res));
  };
  return {
    get token() {
      return access;
    },
    set token(value: string | null) {
      access = value;
    },
    refreshes: 0,
    async login(email: string, password: string): Promise<Json> {
      const res = await send('POST', '/api/v1/auth/login', { email, password }, false);
      const data = (await res.json()) as Json;
      // setTokens(data.access_token, data.refresh_token): Specline keeps the refresh token in its httpOnly cookie.
      access = str(data['access_token']);
      refresh = typeof data['refresh_token'] === 'string' ? data['refresh_token'] : null;
      return data;
    },
    async request(method: Method, endpoint: string, body?: unknown): Promise<{ status: number; json: Json; contentType: string }> {
      let res = await send(method, endpoint, body, true);
      if (res.status === 401) {
        this.refreshes += 1;
        const r = await send('POST', '/api/v1/auth/refresh', { refresh_token: refresh ?? undefined }, false);
        if (r.ok) {
          const data = (await r.json()) as Json;
          access = str(data['access_token']);
          res = await send(method, endpoint, body, true);
        }
      }
      const contentType = res.headers.get('content-type') ?? '';
      if (res.status === 204) return { status: 204, json: {}, contentType };
      const text = await res.text();
      return { status: res.status, json: contentType.includes('json') && text ? (JSON.parse(text) as Json) : { text }, contentType };
    },
  };
}

function git(args: string[], cwd?: string): string {
  return execFileSync('git', ['-c', 'user.name=Compat', '-c', 'user.email=compat@example.test', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' }).trim();
}

describe.each(BACKENDS)('the original frontend API client against %s', (backend) => {
  let server: TestServer;
  let user: TestUser;
  let root: string;
  let client: ReturnType<typeof originalClient>;
  const state = {} as State;

  beforeAll(async () => {
    root = realpathSync(mkdtempSync(path.join(tmpdir(), 'specline-compat-')));
    // The project's repository: a bare `file://` remote with one commit on main.
    state.remote = path.join(root, 'shop.git');
    git(['init', '--bare', '--quiet', state.remote]);
    const work = path.join(root, 'work');
    git(['init', '--quiet', work]);
    writeFileSync(path.join(work, 'app.py'), 'print("shop")\n');
    git(['add', 'app.py'], work);
    git(['commit', '--quiet', '-m', 'shop'], work);
    git(['push', '--quiet', state.remote, 'HEAD:refs/heads/main'], work);
    state.commit = git(['rev-parse', 'HEAD'], work);

    server = await createTestServer(backend, { listen: true, config: { dataDir: path.join(root, 'data'), repos: { roots: [root], allowRemote: false, gitTimeoutSeconds: 60 } } });
    user = await registerUser(server.app, 'partner-dev');
    const project = await server.app.inject({ method: 'POST', url: '/api/v1/projects', headers: user.headers, payload: { name: 'Shop', repo_url: `file://${state.remote}` } });
    expect(project.statusCode, project.body).toBe(201);
    state.projectId = project.json<{ id: string }>().id;

    // The spec of the session: made by the original producer's complete run through an external sandbox.
    const created = await server.app.inject({ method: 'POST', url: '/api/v1/specs', headers: user.headers, payload: { title: 'Order webhooks', project_id: state.projectId } });
    state.specId = created.json<{ id: string }>().id;
    const reg = (await server.app.inject({ method: 'POST', url: `/api/v1/specs/${state.specId}/sandboxes`, headers: user.headers })).json<RegisterSandboxResponse>();
    for (const batch of batches(originalRun({ repoCommit: state.commit }).map((e) => wireBody(e, state.specId)), 10)) {
      const res = await fetch(reg.events_url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${reg.token}` }, body: JSON.stringify({ events: batch }) });
      expect(res.status).toBe(200);
    }
    // Two tickets waiting for review (Specline creates every ticket approved; the original's approval gate would make these).
    state.pending = [newId.ticket(), newId.ticket()];
    await server.context.db.insert(tickets).values(state.pending.map((id, i) => ({ id, projectId: state.projectId, title: `Agent-proposed ticket ${i + 1}`, approvalStatus: 'pending_review' })));

    client = originalClient(server.baseUrl);
    const login = await client.login(user.email, 'correct horse battery');
    expect(missingFields(login, ['access_token', 'token_type', 'expires_in'])).toEqual([]);
  });
  afterAll(async () => {
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  CALLS.forEach((call, i) => {
    it(`#${i + 1} ${call.fn}: ${call.method} ${call.path({ projectId: ':pid', specId: ':id', newSpecId: ':id', reqId: ':rid', critId: ':cid', taskId: ':tid', ticketId: ':ticket', pending: [':t1', ':t2'], remote: '', commit: '' })}${call.body ? ' (body)' : ' (no body)'}`, async () => {
      const answer = await client.request(call.method, call.path(state), call.body?.(state));
      if (call.refused) {
        expect(answer.status, JSON.stringify(answer.json)).toBe(call.refused.status);
        expect(answer.json).toMatchObject({ code: call.refused.code });
        expect(typeof answer.json['detail']).toBe('string'); // what the client shows
        return;
      }
      expect(answer.status, JSON.stringify(answer.json)).toBeGreaterThanOrEqual(200);
      expect(answer.status, JSON.stringify(answer.json)).toBeLessThan(300);
      expect(missingFields(answer.json, call.reads), `fields ${call.fn} reads`).toEqual([]);
      await call.then?.(answer.json, state);
    });
  });

  it('exportSpec(markdown): the raw fetch with the session cookie gets the Markdown attachment', async () => {
    const answer = await client.request('GET', `/api/v1/specs/${state.specId}/export?format=markdown`);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toContain('text/markdown');
    expect(str(answer.json['text'])).toContain('Order webhooks');
  });

  it('POST /auth/refresh: an expired access token is renewed once by the client and the call retried', async () => {
    client.token = 'eyJhbGciOiJIUzI1NiJ9.e30.expired';
    const before = client.refreshes;
    const answer = await client.request('GET', `/api/v1/specs/${state.specId}`);
    expect(client.refreshes).toBe(before + 1);
    expect(answer.status).toBe(200);
    expect(client.token).not.toBe('eyJhbGciOiJIUzI1NiJ9.e30.expired');
  });

  it('an empty body with the JSON content type is no body on every route; a body a route needs is still a clear 422', async () => {
    const needsBody = await client.request('POST', `/api/v1/specs/${state.specId}/requirements`);
    expect(needsBody.status).toBe(422);
    expect(needsBody.json).toMatchObject({ code: 'validation_failed', errors: [{ path: 'body' }] });
    const broken = await fetch(`${server.baseUrl}/api/v1/specs/${state.specId}/approve-requirements`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${client.token ?? ''}` }, body: '{"x": ' });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ code: 'invalid_json' });
  });
});
