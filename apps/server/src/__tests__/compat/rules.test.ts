/**
 * The rules behind the compatibility routes (docs/api.md, Compatibility), each refusal a clear 4xx that
 * changes nothing: ticket links, execute-tasks, the ticket workflow, branches without a reachable
 * remote, the events filter and the empty-body rule.
 */
import type { Spec, Ticket } from '@specline/protocol';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../services/ids';
import { specs, tickets } from '../../store/schema';
import { BACKENDS, createProject, createTestServer, registerUser, type TestServer, type TestUser } from '../harness';
import { batches, originalRun, wireBody } from './originalRun';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

describe.each(BACKENDS)('compatibility rules on %s', (backend) => {
  let server: TestServer;
  let owner: TestUser;
  let member: TestUser;
  let stranger: TestUser;
  let project: string;
  let root: string;

  beforeAll(async () => {
    root = realpathSync(mkdtempSync(path.join(tmpdir(), 'specline-rules-')));
    server = await createTestServer(backend, { config: { dataDir: path.join(root, 'data'), repos: { roots: [root], allowRemote: false, gitTimeoutSeconds: 60 } } });
    owner = await registerUser(server.app, 'owner');
    member = await registerUser(server.app, 'member');
    stranger = await registerUser(server.app, 'stranger');
    project = (await createProject(server.app, owner, 'Shop')).id;
    await server.app.inject({ method: 'POST', url: `/api/v1/projects/${project}/members`, headers: owner.headers, payload: { email: member.email } });
  });
  afterAll(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  const call = (method: Method, url: string, payload?: unknown, headers: Record<string, string> = owner.headers) =>
    server.app.inject({ method, url, headers, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const newSpec = async (projectId = project, headers = owner.headers) =>
    (await call('POST', '/api/v1/specs', { title: 'Order webhooks', project_id: projectId }, headers)).json<{ id: string }>().id;
  async function ranSpec(repoCommit?: string): Promise<string> {
    const specId = await newSpec();
    const reg = (await call('POST', `/api/v1/specs/${specId}/sandboxes`)).json<{ sandbox_id: string; token: string }>();
    for (const batch of batches(originalRun(repoCommit ? { repoCommit } : {}).map((e) => wireBody(e, specId)), 10)) {
      const res = await server.app.inject({ method: 'POST', url: `/api/v1/sandboxes/${reg.sandbox_id}/events`, headers: { authorization: `Bearer ${reg.token}` }, payload: { events: batch } });
      expect(res.statusCode).toBe(200);
    }
    return specId;
  }
  const newTicket = async (projectId = project) => (await call('POST', '/api/v1/tickets', { title: 'A ticket', project_id: projectId })).json<Ticket>().id;
  const snapshot = async (specId: string) => ({
    spec: (await server.context.db.select().from(specs).where(eq(specs.id, specId)))[0],
    tickets: await server.context.db.select().from(tickets).where(eq(tickets.projectId, project)).orderBy(tickets.id),
  });

  it('link-tickets: unknown and foreign ids are a 422 naming each, a ticket of another spec a 409; nothing changes', async () => {
    const specId = await newSpec();
    const other = await newSpec();
    const mine = await newTicket();
    const elsewhere = await newTicket();
    expect((await call('POST', `/api/v1/specs/${other}/link-tickets`, { ticket_ids: [elsewhere] })).json()).toMatchObject({ linked_count: 1 });
    const strangerProject = (await createProject(server.app, stranger, 'Theirs')).id;
    const foreign = (await call('POST', '/api/v1/tickets', { title: 'Theirs', project_id: strangerProject }, stranger.headers)).json<Ticket>().id;
    const before = await snapshot(specId);

    const bad = await call('POST', `/api/v1/specs/${specId}/link-tickets`, { ticket_ids: [mine, foreign, 'no-such-ticket'] });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ code: 'validation_failed', errors: [{ path: 'body.ticket_ids.1' }, { path: 'body.ticket_ids.2' }] });
    expect(bad.body).not.toContain('Theirs');
    const taken = await call('POST', `/api/v1/specs/${specId}/link-tickets`, { ticket_ids: [mine, elsewhere] });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ code: 'conflict', errors: [{ path: 'body.ticket_ids.1' }] });
    expect(await snapshot(specId)).toEqual(before);
    expect((await call('POST', `/api/v1/specs/${specId}/link-tickets`, { ticket_ids: [] })).statusCode).toBe(422);

    // Linking twice: counted once; the spec's linked_tickets is counted, not overwritten by the last request.
    expect((await call('POST', `/api/v1/specs/${specId}/link-tickets`, { ticket_ids: [mine] })).json()).toMatchObject({ linked_count: 1, already_linked_count: 0 });
    const third = await newTicket();
    expect((await call('POST', `/api/v1/specs/${specId}/link-tickets`, { ticket_ids: [mine, third] })).json()).toMatchObject({ linked_count: 1, already_linked_count: 1 });
    expect((await call('GET', `/api/v1/specs/${specId}`)).json<Spec>().linked_tickets).toBe(2);
    expect((await call('POST', `/api/v1/specs/${specId}/link-tickets`, { ticket_ids: [mine] }, stranger.headers)).statusCode).toBe(404);
  });

  it('execute-tasks: needs an approved design; unknown task ids are a 422; tickets made from the spec’s tasks cannot be unlinked', async () => {
    const specId = await ranSpec();
    const early = await call('POST', `/api/v1/specs/${specId}/execute-tasks`);
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ code: 'precondition_failed' });
    expect((await call('POST', `/api/v1/specs/${specId}/approve-requirements`)).statusCode).toBe(200);
    expect((await call('POST', `/api/v1/specs/${specId}/approve-design`)).statusCode).toBe(200);
    const before = await snapshot(specId);
    const unknown = await call('POST', `/api/v1/specs/${specId}/execute-tasks`, { task_ids: ['spec-task-nope'] });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ errors: [{ path: 'body.task_ids.0' }] });
    expect(await snapshot(specId)).toEqual(before);

    const spec = (await call('GET', `/api/v1/specs/${specId}`)).json<Spec>();
    const first = spec.tasks.find((t) => t.local_id === 'TSK-002')!;
    const one = await call('POST', `/api/v1/specs/${specId}/execute-tasks`, { task_ids: [first.id] });
    expect(one.json()).toMatchObject({ success: true, tasks_created: 1, tickets_created: 1, errors: ['task TSK-002: depends on unknown task TSK-001; dependency dropped'] });
    const rest = (await call('POST', `/api/v1/specs/${specId}/execute-tasks`, {})).json<{ tasks_created: number; tasks_skipped: number; ticket_ids: string[] }>();
    expect(rest).toMatchObject({ tasks_created: 2, tasks_skipped: 1 });
    // The tickets are the TASKS output's, with its titles; they are the spec's linked tickets.
    const linked = (await call('GET', `/api/v1/specs/${specId}/linked-tickets`)).json<{ tickets: Ticket[] }>().tickets;
    expect(linked.map((t) => [t.local_id, t.title, t.priority])).toEqual([
      ['TKT-001', 'Webhook delivery', 'high'],
      ['TKT-002', 'Subscription safety', 'medium'],
    ]);
    const tasks = (await call('GET', `/api/v1/tickets/${linked[0]!.id}/tasks`)).json<{ tasks: { local_id: string }[] }>().tasks;
    expect(tasks.map((t) => t.local_id)).toEqual(['TSK-001', 'TSK-002']);
    const unlink = await call('POST', `/api/v1/specs/${specId}/unlink-tickets`, { ticket_ids: [linked[0]!.id] });
    expect(unlink.statusCode).toBe(409);
    expect(unlink.json()).toMatchObject({ code: 'conflict' });
  });

  it('ticket transitions follow the rules (original names as aliases), blocked and unreviewed tickets stay put, force is for owners', async () => {
    const id = await newTicket();
    const to = (status: string, extra: object = {}, headers = owner.headers) => call('POST', `/api/v1/tickets/${id}/transition`, { to_status: status, ...extra }, headers);
    const refused = await to('done');
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'conflict', errors: [{ path: 'body.to_status' }] });
    expect((await to('sideways')).statusCode).toBe(422);
    expect((await to('analyzing', {}, member.headers)).json()).toMatchObject({ status: 'todo', phase_id: 'PHASE_REQUIREMENTS' });
    expect((await to('BUILDING')).json()).toMatchObject({ status: 'in_progress', phase_id: 'PHASE_IMPLEMENTATION' });
    expect((await to('building_done')).json()).toMatchObject({ status: 'in_progress', phase_id: 'PHASE_DEPLOYMENT' });
    expect((await to('building')).json()).toMatchObject({ status: 'in_progress' }); // back from testing for a fix
    expect((await to('done')).json()).toMatchObject({ status: 'done', phase_id: 'PHASE_DONE' });
    expect((await to('in_progress')).statusCode).toBe(409); // done is final
    expect((await to('backlog', { force: true }, member.headers)).statusCode).toBe(403);
    expect((await to('backlog', { force: true })).json()).toMatchObject({ status: 'backlog' });

    const block = (q: string) => call('POST', `/api/v1/tickets/${id}/block?${q}`);
    expect((await block('')).statusCode).toBe(422);
    expect((await block('blocker_type=dependency')).json()).toMatchObject({ is_blocked: true, blocked_reason: 'dependency' });
    expect((await block('blocker_type=environment')).json()).toMatchObject({ blocked_reason: 'dependency' }); // the first block stands
    expect((await to('todo', { force: true })).statusCode).toBe(409); // not even forced
    expect((await call('POST', `/api/v1/tickets/${id}/unblock`)).json()).toMatchObject({ is_blocked: false, blocked_reason: null });
    expect((await call('POST', `/api/v1/tickets/${id}/unblock`)).statusCode).toBe(200);
    expect((await to('cancelled')).json()).toMatchObject({ status: 'cancelled' });
    expect((await block('blocker_type=dependency')).statusCode).toBe(409);
    expect((await call('GET', `/api/v1/tickets/${id}/context`, undefined, stranger.headers)).statusCode).toBe(404);
  });

  it('review: approve and reject only a pending ticket, recording who; the pending count covers the caller’s projects only', async () => {
    const pending = [newId.ticket(), newId.ticket()];
    await server.context.db.insert(tickets).values(pending.map((id) => ({ id, projectId: project, title: 'Proposed', approvalStatus: 'pending_review' })));
    expect((await call('GET', '/api/v1/tickets/pending-review-count')).json()).toEqual({ pending_count: 2 });
    expect((await call('GET', '/api/v1/tickets/pending-review-count', undefined, stranger.headers)).json()).toEqual({ pending_count: 0 });
    expect((await call('POST', `/api/v1/tickets/${pending[0]}/transition`, { to_status: 'todo' })).statusCode).toBe(409);
    expect((await call('POST', '/api/v1/tickets/approve', { ticket_id: pending[0] }, stranger.headers)).statusCode).toBe(404);
    expect((await call('POST', '/api/v1/tickets/approve', { ticket_id: pending[0] }, member.headers)).json()).toEqual({ ticket_id: pending[0], status: 'approved' });
    expect((await call('POST', '/api/v1/tickets/approve', { ticket_id: pending[0] })).statusCode).toBe(409);
    expect((await call('POST', '/api/v1/tickets/reject', { ticket_id: pending[1] })).statusCode).toBe(422); // a reason is required
    expect((await call('POST', '/api/v1/tickets/reject', { ticket_id: pending[1], rejection_reason: 'duplicate' })).json()).toEqual({ ticket_id: pending[1], status: 'rejected' });
    const context = (await call('GET', `/api/v1/tickets/${pending[0]}/context`)).json<{ full_context: { review: { reviewed_by: string } } }>();
    expect(context.full_context.review.reviewed_by).toBe(member.id);
    expect((await call('GET', '/api/v1/tickets/pending-review-count')).json()).toEqual({ pending_count: 0 });
  });

  it('create-branch / create-pr: no repository, no explored commit or an unreachable remote is a 409 saying why, and changes nothing', async () => {
    const noRepo = await ranSpec();
    const none = await call('POST', `/api/v1/specs/${noRepo}/create-branch`);
    expect(none.statusCode).toBe(409);
    expect(none.json()).toMatchObject({ code: 'no_remote' });
    expect(none.json<{ detail: string }>().detail).toContain('no connected repository');
    const noBranch = await call('POST', `/api/v1/specs/${noRepo}/create-pr`, { force: true });
    expect(noBranch.json()).toMatchObject({ code: 'precondition_failed' });

    // A repository that was reachable once and is gone now: no_remote with git's reason, no branch recorded.
    const remote = path.join(root, 'gone.git');
    const work = path.join(root, 'gone-work');
    const git = (args: string[], cwd?: string) =>
      execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.test', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' }).trim();
    git(['init', '--bare', '--quiet', remote]);
    git(['init', '--quiet', work]);
    writeFileSync(path.join(work, 'a.txt'), 'a\n');
    git(['add', 'a.txt'], work);
    git(['commit', '--quiet', '-m', 'a'], work);
    git(['push', '--quiet', remote, 'HEAD:refs/heads/main'], work);
    const commit = git(['rev-parse', 'HEAD'], work);
    const repoProject = (await call('POST', '/api/v1/projects', { name: 'Gone', repo_url: `file://${remote}` })).json<{ id: string }>().id;
    const specId = await newSpec(repoProject);
    const noCommit = await call('POST', `/api/v1/specs/${specId}/create-branch`);
    expect(noCommit.json()).toMatchObject({ code: 'precondition_failed' });
    await server.context.db.update(specs).set({ repoCommit: commit }).where(eq(specs.id, specId));
    // The mirror is made on the first call; then the remote stops accepting pushes.
    const ok = await call('POST', `/api/v1/specs/${specId}/create-branch`);
    expect(ok.statusCode, ok.body).toBe(200);
    const branch = ok.json<{ branch_name: string }>().branch_name;
    const second = await newSpec(repoProject);
    await server.context.db.update(specs).set({ repoCommit: commit, title: 'Second' }).where(eq(specs.id, second));
    // The repository is replaced by a directory that is no repository: the push fails.
    rmSync(remote, { recursive: true, force: true });
    mkdirSync(remote);
    const before = await server.context.db.select().from(specs).where(eq(specs.id, second));
    const gone = await call('POST', `/api/v1/specs/${second}/create-branch`);
    expect(gone.statusCode).toBe(409);
    expect(gone.json()).toMatchObject({ code: 'no_remote' });
    expect(gone.json<{ detail: string }>().detail).toMatch(/could not push the branch to the repository file:\/\/.*gone\.git/);
    expect(await server.context.db.select().from(specs).where(eq(specs.id, second))).toEqual(before);
    const mirror = path.join(root, 'data', 'repos', `${repoProject}.git`);
    expect(() => git(['--git-dir', mirror, 'rev-parse', '--verify', `refs/heads/spec/second-${second.slice(5, 13)}`])).toThrow();
    // create-pr pushes the recorded branch again: the remote is gone, so no_remote too.
    const pr = await call('POST', `/api/v1/specs/${specId}/create-pr`, { force: true });
    expect(pr.statusCode).toBe(409);
    expect(pr.json()).toMatchObject({ code: 'no_remote' });
    expect((await call('GET', `/api/v1/specs/${specId}`)).json()).toMatchObject({ branch_name: branch, pull_request_url: null, pull_request_number: null });
  });

  it('events: event_type (one) beside event_types; unknown values match nothing', async () => {
    const specId = await ranSpec();
    const list = async (q: string) => (await call('GET', `/api/v1/specs/${specId}/events?limit=500&${q}`)).json<{ events: { event_type: string }[]; total_count: number }>();
    expect((await list('event_type=spec.phase_started')).total_count).toBe(6);
    const both = await list('event_type=spec.phase_started&event_types=spec.phase_completed');
    expect(new Set(both.events.map((e) => e.event_type))).toEqual(new Set(['spec.phase_started', 'spec.phase_completed']));
    expect(both.total_count).toBe(12);
    expect((await list('event_type=spec.nothing')).total_count).toBe(0);
    expect((await call('GET', `/api/v1/specs/${specId}/events?event_type=${'x'.repeat(101)}`)).statusCode).toBe(422);
  });

  it('an empty JSON body is no body: DELETE and body-less POSTs work, PUT design still needs its body', async () => {
    const specId = await newSpec();
    const send = (method: Method, url: string) => server.app.inject({ method, url, headers: { ...owner.headers, 'content-type': 'application/json' }, payload: '' });
    const task = (await call('POST', `/api/v1/specs/${specId}/tasks`, { title: 't' })).json<{ id: string }>().id;
    expect((await send('DELETE', `/api/v1/specs/${specId}/tasks/${task}`)).statusCode).toBe(204);
    const approve = await send('POST', `/api/v1/specs/${specId}/approve-requirements`);
    expect(approve.json()).toMatchObject({ code: 'precondition_failed' }); // no requirements: the rule, not invalid_json
    const put = await send('PUT', `/api/v1/specs/${specId}/design`);
    expect(put.statusCode).toBe(422);
    expect(put.json()).toMatchObject({ code: 'validation_failed' });
    const noPath = await call('PUT', `/api/v1/specs/${specId}/design`, { api_spec: [{ method: 'GET', description: 'neither path nor endpoint' }] });
    expect(noPath.statusCode).toBe(422);
    expect(noPath.json()).toMatchObject({ errors: [{ path: 'body.api_spec.0.path' }] });
    expect((await send('DELETE', `/api/v1/specs/${specId}`)).json()).toMatchObject({ message: expect.any(String) as unknown });
  });
});
