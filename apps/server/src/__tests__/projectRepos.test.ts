/**
 * Projects connect a repository (issue 9), on both backends, with a listening server and the REAL
 * local provider running the real sandbox CLI:
 * - a local git repository under SPECLINE_REPO_ROOTS is explored (EXPLORE names its files) and the
 *   spec records the commit it explored; a later run fetches first and explores the ref's new head;
 * - paths outside the roots, other transports and option-like values are 422 `repo_not_allowed`;
 * - an unreachable URL fails the run visibly, naming the URL without its credentials;
 * - a project without a repository still completes, from the request alone, in an empty directory;
 * - the model API key is write-only and sealed at rest.
 * The sandbox's directory and environment are checked with a stand-in sandbox that records them.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EventsPage, Project, SpecVersion } from '@specline/protocol';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalProvider, REPO_ROOT, type LocalProvider } from '../launcher/localProvider';
import type { LocalRunManager } from '../launcher/runManager';
import { keyContext } from '../services/modelSettings';
import { checkRepoUrl, redactCredentials } from '../services/repoUrls';
import { projects } from '../store/schema';
import { BACKENDS, createTestServer, registerUser, type TestServer, type TestUser } from './harness';
import { sandboxSettings, waitFor, writeFakeSandbox } from './launcherFixtures';
import { addCommit, capturingLogger, getSpec, makeRepo, recording, settled, specDrivenTicket, tempDir } from './repoFixtures';

const HEARTBEAT_SECONDS = 1;

describe('repository URL policy (unit)', () => {
  const root = tempDir('specline-roots-');
  const inside = path.join(root, 'repo');
  mkdirSync(inside);
  const policy = { roots: [root], allowRemote: true };
  const refusal = (url: string, p = policy) => {
    try {
      checkRepoUrl(url, p);
    } catch (error) {
      return (error as { code?: string }).code;
    }
    return 'accepted';
  };

  it('accepts local paths and file:// URLs under a root, and remote http(s)/ssh/git/scp-like URLs', () => {
    expect(checkRepoUrl(inside, policy)).toEqual({ kind: 'local', path: inside, url: inside });
    expect(checkRepoUrl(pathToFileURL(inside).href, policy)).toMatchObject({ kind: 'local', path: inside });
    for (const url of ['https://github.com/acme/shop.git', 'http://git.local/x', 'ssh://git@github.com/acme/shop.git', 'git://git.local/x', 'git@github.com:acme/shop.git']) {
      expect(checkRepoUrl(url, policy), url).toMatchObject({ kind: 'remote', url });
    }
  });

  it('refuses the rest with repo_not_allowed (or validation_failed for what cannot be a repository)', () => {
    const outside = tempDir('specline-outside-');
    symlinkSync(outside, path.join(root, 'escape'));
    expect(refusal(outside)).toBe('repo_not_allowed');
    expect(refusal(pathToFileURL(outside).href)).toBe('repo_not_allowed');
    expect(refusal(`${root}/../${path.basename(outside)}`)).toBe('repo_not_allowed');
    expect(refusal(path.join(root, 'escape'))).toBe('repo_not_allowed');
    expect(refusal('relative/path')).toBe('repo_not_allowed');
    expect(refusal('ext::sh -c touch% /tmp/pwned')).toBe('repo_not_allowed');
    expect(refusal('fd::3')).toBe('repo_not_allowed');
    expect(refusal('-uhelp')).toBe('repo_not_allowed');
    expect(refusal('--upload-pack=touch /tmp/pwned')).toBe('repo_not_allowed');
    expect(refusal('ssh://-oProxyCommand=touch%20x/repo')).toBe('repo_not_allowed');
    expect(refusal('-oProxyCommand=x:repo')).toBe('repo_not_allowed');
    expect(refusal('ftp://host/repo.git')).toBe('repo_not_allowed');
    expect(refusal('https://github.com/acme/shop.git', { roots: [root], allowRemote: false })).toBe('repo_not_allowed');
    expect(refusal('git@github.com:acme/shop.git', { roots: [root], allowRemote: false })).toBe('repo_not_allowed');
    expect(refusal(path.join(root, 'missing'))).toBe('validation_failed');
    expect(refusal('https://host/x\nmore')).toBe('validation_failed');
    expect(refusal(inside, { roots: [], allowRemote: true })).toBe('repo_not_allowed');
  });

  it('strips credentials from URLs in any text', () => {
    expect(redactCredentials("fatal: unable to access 'https://user:s3cret@host/x.git/': refused")).toBe("fatal: unable to access 'https://***@host/x.git/': refused");
    expect(redactCredentials('ssh://token@host/x and http://a:b@c/d')).toBe('ssh://***@host/x and http://***@c/d');
  });
});

describe.each(BACKENDS)('project repositories with a real sandbox on %s', (backend) => {
  let server: TestServer;
  let local: LocalProvider;
  let provider: ReturnType<typeof recording>;
  let owner: TestUser;
  let root: string;
  let dataDir: string;
  let repo: ReturnType<typeof makeRepo>;
  const serverLog = capturingLogger();
  const providerLog = capturingLogger();
  const repos = () => ({ roots: [root], allowRemote: true, gitTimeoutSeconds: 30 });

  beforeAll(async () => {
    root = tempDir('specline-repo-root-');
    dataDir = tempDir('specline-repo-data-');
    repo = makeRepo(root);
    local = createLocalProvider({ dataDir, repos: repos(), logger: providerLog.logger, stopGraceMs: 3000 });
    provider = recording(local);
    server = await createTestServer(backend, {
      listen: true,
      provider,
      logger: serverLog.logger,
      config: { dataDir, repos: repos(), sandbox: sandboxSettings({ provider: 'local', heartbeatIntervalSeconds: HEARTBEAT_SECONDS, missedHeartbeats: 5 }) },
    });
    owner = await registerUser(server.app, 'repo-owner');
  });
  afterAll(async () => {
    await server.close();
  });

  const post = (url: string, payload: object, user = owner) => server.app.inject({ method: 'POST', url, headers: user.headers, payload });
  const patch = (url: string, payload: object, user = owner) => server.app.inject({ method: 'PATCH', url, headers: user.headers, payload });
  const get = (url: string, user = owner) => server.app.inject({ method: 'GET', url, headers: user.headers });
  const events = async (specId: string) => (await get(`/api/v1/specs/${specId}/events?order=asc&limit=1000`)).json<EventsPage>().events;
  const exploreOf = async (specId: string) => JSON.stringify((await get(`/api/v1/specs/${specId}/phase-data`)).json<{ phase_data: Record<string, unknown> }>().phase_data['explore'] ?? null);
  const launchOf = (specId: string) => provider.launched.find((l) => l.specId === specId)!;
  const exited = async (sandboxId: string) => {
    await waitFor('the sandbox to exit', () => Promise.resolve(local.isAlive(sandboxId) ? undefined : true));
    await (server.context.runs as LocalRunManager).drain();
  };

  it('explores a checkout of a local repository under the roots and records the commit; the next run fetches and explores the ref', { timeout: 180_000 }, async () => {
    const created = await post('/api/v1/projects', { name: 'Warehouse', repo_url: repo.dir });
    expect(created.statusCode, created.body).toBe(201);
    const project = created.json<Project>();
    expect(project).toMatchObject({ repo_url: repo.dir, repo_ref: null });

    const specId = await specDrivenTicket(server, owner, project.id, {
      title: 'Stock adjustments history',
      description: 'Every stock adjustment is recorded with who made it and when, and GET /api/stock/:sku/history lists them newest first.',
    });
    const spec = await settled(server, owner, specId);
    const launch = launchOf(specId);
    expect(spec.status, `last_error: ${spec.last_error}; log: ${local.logPathOf(launch.sandboxId)}`).toBe('completed');
    expect(spec.repo_commit).toBe(repo.main);
    const explore = await exploreOf(specId);
    expect(explore).toContain('warehouse-ledger');
    expect(explore).toContain('src/server.ts');
    expect(explore).not.toContain('src/inventory/lowStock.ts'); // only on the feature branch
    expect(explore).not.toContain('apps/server');
    // The mirror stays; the run's own checkout is gone once its sandbox exits.
    expect(existsSync(path.join(dataDir, 'repos', `${project.id}.git`, 'HEAD'))).toBe(true);
    await exited(launch.sandboxId);
    expect(existsSync(path.join(dataDir, 'workdirs', launch.sandboxId))).toBe(false);
    const versions = (await get(`/api/v1/specs/${specId}/versions`)).json<{ versions: SpecVersion[] }>().versions;
    expect(versions.find((v) => v.change_type === 'run_started')?.change_details).toMatchObject({ repo_url: repo.dir, repo_ref: null, executor: 'planner' });

    // A commit made after the mirror was cloned: the next run fetches it.
    const head = addCommit(repo.dir, 'feature', { 'src/inventory/restock.ts': 'export const RESTOCK_DAYS = 3;\n' });
    const changed = await patch(`/api/v1/projects/${project.id}`, { repo_ref: 'feature' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json<Project>()).toMatchObject({ repo_url: repo.dir, repo_ref: 'feature' });
    const run2 = await post(`/api/v1/specs/${specId}/execute`, {});
    expect(run2.statusCode, run2.body).toBe(200);
    const again = await settled(server, owner, specId);
    expect(again.status, `last_error: ${again.last_error}`).toBe('completed');
    expect(again.repo_commit).toBe(head);
  });

  it('refuses repositories outside the roots, other transports and option-like values with 422, changing nothing', async () => {
    const outside = makeRepo(tempDir('specline-not-a-root-'));
    const before = (await get('/api/v1/projects')).json<{ total: number }>().total;
    for (const repoUrl of [outside.dir, pathToFileURL(outside.dir).href, `${root}/../${path.basename(path.dirname(outside.dir))}/warehouse`, 'ext::sh -c touch% /tmp/pwned', '--upload-pack=touch /tmp/pwned', 'ftp://example.test/x.git']) {
      const res = await post('/api/v1/projects', { name: 'Nope', repo_url: repoUrl });
      expect(res.statusCode, `${repoUrl}: ${res.body}`).toBe(422);
      expect(res.json(), repoUrl).toMatchObject({ code: 'repo_not_allowed', errors: [{ path: 'body.repo_url' }] });
    }
    const badRef = await post('/api/v1/projects', { name: 'Nope', repo_url: repo.dir, repo_ref: '--output=/tmp/x' });
    expect(badRef.statusCode).toBe(422);
    expect(badRef.json()).toMatchObject({ code: 'validation_failed', errors: [{ path: 'body.repo_ref' }] });
    expect((await get('/api/v1/projects')).json<{ total: number }>().total).toBe(before);

    const project = (await post('/api/v1/projects', { name: 'Kept', repo_url: repo.dir })).json<Project>();
    const refused = await patch(`/api/v1/projects/${project.id}`, { name: 'Renamed', repo_url: outside.dir });
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ code: 'repo_not_allowed' });
    expect((await get(`/api/v1/projects/${project.id}`)).json<Project>()).toMatchObject({ name: 'Kept', repo_url: repo.dir });

    // Only the owner changes a project.
    const member = await registerUser(server.app, 'repo-member');
    expect((await post(`/api/v1/projects/${project.id}/members`, { email: member.email })).statusCode).toBe(201);
    const byMember = await patch(`/api/v1/projects/${project.id}`, { repo_url: null }, member);
    expect(byMember.statusCode).toBe(403);
    expect((await get(`/api/v1/projects/${project.id}`)).json<Project>().repo_url).toBe(repo.dir);
  });

  it('fails the run visibly when the repository cannot be cloned, naming the URL without its credentials', { timeout: 60_000 }, async () => {
    const secretUrl = 'https://user:secret-token-123@127.0.0.1:9/team/app.git';
    const shown = 'https://***@127.0.0.1:9/team/app.git';
    const created = await post('/api/v1/projects', { name: 'Unreachable', repo_url: secretUrl });
    expect(created.statusCode, created.body).toBe(201);
    const project = created.json<Project>();
    expect(project.repo_url).toBe(shown);
    expect((await get(`/api/v1/projects/${project.id}`)).json<Project>().repo_url).toBe(shown);

    const specId = await specDrivenTicket(server, owner, project.id);
    const spec = await getSpec(server, owner, specId);
    expect(spec.status).toBe('failed');
    expect(spec.last_error).toContain(`could not clone the repository ${shown}`);
    const timeline = await events(specId);
    expect(timeline.map((e) => e.event_type)).toEqual(['spec.phase_failed', 'spec.execution_failed', 'agent.completed']);
    expect(timeline[1]!.event_data['error']).toBe(spec.last_error);
    expect(timeline.at(-1)!.event_data).toMatchObject({ success: false });

    const rerun = await post(`/api/v1/specs/${specId}/execute`, {});
    expect(rerun.statusCode).toBe(502);
    expect(rerun.json()).toMatchObject({ code: 'sandbox_launch_failed' });
    expect(rerun.json<{ detail: string }>().detail).toContain(shown);

    const everything = JSON.stringify([spec, await getSpec(server, owner, specId), await events(specId), rerun.body, (await get(`/api/v1/specs/${specId}/versions`)).body, (await get('/api/v1/projects')).body]);
    expect(everything).not.toContain('secret-token-123');
    expect(everything).not.toContain('user:');
    expect(serverLog.lines.join('\n')).not.toContain('secret-token-123');
    expect(providerLog.lines.join('\n')).not.toContain('secret-token-123');
  });

  it('runs a project without a repository from the request alone, in an empty directory (never the server tree)', { timeout: 120_000 }, async () => {
    const project = (await post('/api/v1/projects', { name: 'No code yet' })).json<Project>();
    expect(project).toMatchObject({ repo_url: null, repo_ref: null });
    const specId = await specDrivenTicket(server, owner, project.id);
    const spec = await settled(server, owner, specId);
    const launch = launchOf(specId);
    expect(spec.status, `last_error: ${spec.last_error}; log: ${local.logPathOf(launch.sandboxId)}`).toBe('completed');
    expect(spec.repo_commit).toBeNull();
    const phaseData = (await get(`/api/v1/specs/${specId}/phase-data`)).json<{ phase_data: { explore?: Record<string, unknown> } }>().phase_data;
    expect(phaseData.explore?.['has_codebase']).toBe(false);
    const explore = JSON.stringify(phaseData.explore);
    for (const ours of ['apps/server', 'packages/sandbox', '@specline', 'fastify']) expect(explore, ours).not.toContain(ours);
    await exited(launch.sandboxId);
    expect(existsSync(path.join(dataDir, 'workdirs', launch.sandboxId))).toBe(false);
  });

  it('keeps the model API key write-only: reads show whether one is set and its last four characters; the column is sealed', async () => {
    const key = 'sk-test-write-only-WXYZ';
    const created = await post('/api/v1/projects', { name: 'Keys', model_settings: { executor: 'openai', model: 'gpt-4o-mini', base_url: 'http://127.0.0.1:1/v1', api_key: key } });
    expect(created.statusCode, created.body).toBe(201);
    const project = created.json<Project>();
    expect(project.model_settings).toEqual({ executor: 'openai', model: 'gpt-4o-mini', base_url: 'http://127.0.0.1:1/v1', api_key_set: true, api_key_last4: 'WXYZ' });
    const reads = [created.body, (await get(`/api/v1/projects/${project.id}`)).body, (await get('/api/v1/projects')).body];
    for (const body of reads) expect(body).not.toContain('sk-test-write-only');
    expect((await get(`/api/v1/projects/${project.id}`)).json<Project>().model_settings).toEqual(project.model_settings);

    const [row] = await server.context.db.select().from(projects).where(eq(projects.id, project.id));
    expect(row!.modelApiKeyEnc).toMatch(/^v1\./);
    expect(JSON.stringify(row)).not.toContain('sk-test-write-only');
    expect(server.context.secrets.open(row!.modelApiKeyEnc!, keyContext(project.id))).toBe(key);
    // Sealed for this project only: the value does not open as another project's.
    expect(() => server.context.secrets.open(row!.modelApiKeyEnc!, keyContext('another'))).toThrow();

    const cleared = await patch(`/api/v1/projects/${project.id}`, { model_settings: { api_key: null } });
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(cleared.json<Project>().model_settings).toEqual({ executor: 'openai', model: 'gpt-4o-mini', base_url: 'http://127.0.0.1:1/v1', api_key_set: false, api_key_last4: null });
    const bad = await patch(`/api/v1/projects/${project.id}`, { model_settings: { executor: 'gpt', base_url: 'ftp://x' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ code: 'validation_failed' });
    expect((await get(`/api/v1/projects/${project.id}`)).json<Project>().model_settings.executor).toBe('openai');
  });
});

describe.each(BACKENDS)('what a sandbox is given on %s (stand-in sandbox)', (backend) => {
  let server: TestServer;
  let local: LocalProvider;
  let provider: ReturnType<typeof recording>;
  let owner: TestUser;
  let dataDir: string;
  let repo: ReturnType<typeof makeRepo>;

  beforeAll(async () => {
    const root = tempDir('specline-env-root-');
    dataDir = tempDir('specline-env-data-');
    repo = makeRepo(root);
    const repos = { roots: [root], allowRemote: true, gitTimeoutSeconds: 30 };
    local = createLocalProvider({ dataDir, entry: writeFakeSandbox(), env: { FAKE_MODE: 'idle', PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, repos, logger: capturingLogger().logger, stopGraceMs: 2000 });
    provider = recording(local);
    server = await createTestServer(backend, { provider, config: { dataDir, repos, sandbox: sandboxSettings({ provider: 'local' }) } });
    owner = await registerUser(server.app, 'env-owner');
  });
  afterAll(async () => {
    await server.close();
  });

  /** Starts a run, reads what the stand-in recorded, then cancels it. */
  async function seen(projectBody: object): Promise<{ cwd: string; argv: string[]; env: Record<string, string>; files: string[]; sandboxId: string }> {
    const project = (await server.app.inject({ method: 'POST', url: '/api/v1/projects', headers: owner.headers, payload: { name: 'Env', ...projectBody } })).json<Project>();
    const specId = await specDrivenTicket(server, owner, project.id);
    const launch = provider.launched.find((l) => l.specId === specId)!;
    const file = path.join(dataDir, 'sandboxes', launch.sandboxId, 'env.json');
    // Read until the stand-in has written the whole file (a read may catch it half-written).
    const recorded = await waitFor('the stand-in to record its environment', () => {
      try {
        return Promise.resolve(JSON.parse(readFileSync(file, 'utf8')) as { cwd: string; argv: string[]; env: Record<string, string> });
      } catch {
        return Promise.resolve(undefined);
      }
    });
    const files = readdirSync(recorded.cwd).sort();
    const cancel = await server.app.inject({ method: 'POST', url: `/api/v1/specs/${specId}/cancel`, headers: owner.headers });
    expect(cancel.statusCode, cancel.body).toBe(200);
    await waitFor('the stand-in to stop', () => Promise.resolve(local.isAlive(launch.sandboxId) ? undefined : true));
    await (server.context.runs as LocalRunManager).drain();
    expect(existsSync(path.join(dataDir, 'workdirs', launch.sandboxId)), 'work directory removed after the run').toBe(false);
    return { ...recorded, files, sandboxId: launch.sandboxId };
  }

  it('a project without a repository: an empty per-sandbox directory and SPEC_NO_REPO=1', { timeout: 30_000 }, async () => {
    const s = await seen({});
    expect(s.cwd).toBe(path.join(dataDir, 'workdirs', s.sandboxId));
    expect(s.cwd.startsWith(REPO_ROOT)).toBe(false);
    expect(s.files).toEqual([]);
    expect(s.env['CWD']).toBe(s.cwd);
    expect(s.env['SPEC_NO_REPO']).toBe('1');
    expect(s.env['SPEC_REPO_COMMIT']).toBeUndefined();
    expect(s.env['SPEC_EXECUTOR']).toBe('planner');
  });

  it('a project with a repository: a clean checkout of the resolved commit and SPEC_REPO_COMMIT', { timeout: 30_000 }, async () => {
    const s = await seen({ repo_url: repo.dir, repo_ref: 'feature' });
    expect(s.cwd).toBe(path.join(dataDir, 'workdirs', s.sandboxId));
    expect(s.files).toEqual(['.git', 'README.md', 'package.json', 'src']);
    expect(s.env['SPEC_REPO_COMMIT']).toBe(repo.feature);
    expect(s.env['SPEC_NO_REPO']).toBeUndefined();
    expect(JSON.stringify(s.env)).not.toContain(path.join(dataDir, 'repos')); // the mirror stays the server's
  });

  it('model settings reach the sandbox as environment only (never argv, never a file)', { timeout: 30_000 }, async () => {
    const key = 'sk-env-only-7777';
    const s = await seen({ model_settings: { executor: 'anthropic', model: 'claude-test', base_url: 'http://127.0.0.1:1', api_key: key } });
    expect(s.env).toMatchObject({ SPEC_EXECUTOR: 'anthropic', SPEC_MODEL: 'claude-test', ANTHROPIC_API_KEY: key, ANTHROPIC_BASE_URL: 'http://127.0.0.1:1' });
    expect(s.env['OPENAI_API_KEY']).toBeUndefined();
    expect(s.argv.join(' ')).not.toContain(key);
    expect(s.env['CONTEXT_FILE']).toBeUndefined();
  });
});

describe.each(BACKENDS)('a run cancelled while its repository is being fetched on %s', (backend) => {
  let server: TestServer;
  let local: LocalProvider;
  let owner: TestUser;
  /** A workspace manager that holds every checkout until the run's signal aborts (git is not the subject here). */
  const held: { signal: AbortSignal | undefined }[] = [];
  const workspaces = {
    checkout: (_source: unknown, _dest: string, signal?: AbortSignal) =>
      new Promise<{ commit: string }>((_resolve, reject) => {
        held.push({ signal });
        signal?.addEventListener('abort', () => reject(new Error('cancelled')), { once: true });
      }),
  };

  beforeAll(async () => {
    const dataDir = tempDir('specline-cancel-data-');
    local = createLocalProvider({ dataDir, entry: writeFakeSandbox(), env: { FAKE_MODE: 'idle' }, workspaces, logger: capturingLogger().logger });
    server = await createTestServer(backend, { provider: local, config: { dataDir, repos: { roots: [dataDir], allowRemote: true, gitTimeoutSeconds: 30 }, sandbox: sandboxSettings({ provider: 'local' }) } });
    owner = await registerUser(server.app, 'cancel-owner');
  });
  afterAll(async () => {
    await server.close();
  });

  it('stops the fetch, starts no sandbox, and the spec ends cancelled with its timeline', { timeout: 30_000 }, async () => {
    const project = (await server.app.inject({ method: 'POST', url: '/api/v1/projects', headers: owner.headers, payload: { name: 'Slow remote', repo_url: 'https://example.test/slow.git' } })).json<Project>();
    const spec = (await server.app.inject({ method: 'POST', url: '/api/v1/specs', headers: owner.headers, payload: { title: 'Slow', project_id: project.id } })).json<{ id: string }>();
    const execute = server.app.inject({ method: 'POST', url: `/api/v1/specs/${spec.id}/execute`, headers: owner.headers, payload: {} });
    await waitFor('the checkout to start', () => Promise.resolve(held.length > 0 ? true : undefined));
    const cancel = await server.app.inject({ method: 'POST', url: `/api/v1/specs/${spec.id}/cancel`, headers: owner.headers });
    expect(cancel.statusCode, cancel.body).toBe(200);
    expect(held[0]!.signal?.aborted).toBe(true);
    const answer = await execute;
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.json()).toMatchObject({ status: 'started', message: 'the run ended before its sandbox started' });
    const after = await getSpec(server, owner, spec.id);
    expect(after).toMatchObject({ status: 'cancelled', repo_commit: null });
    expect(local.isAlive(after.sandbox_id!)).toBe(false);
    const timeline = (await server.app.inject({ method: 'GET', url: `/api/v1/specs/${spec.id}/events?order=asc`, headers: owner.headers })).json<EventsPage>().events;
    expect(timeline.map((e) => e.event_type)).toEqual(['spec.phase_failed', 'spec.execution_failed', 'agent.completed']);
  });
});
