/**
 * The local provider with real child processes (a stand-in sandbox program, so these tests do not
 * depend on the sandbox CLI), and the run manager's handling of children that die: on both backends.
 */
import { eq } from 'drizzle-orm';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalProvider, defaultSandboxEntry, REPO_ROOT, type LocalProvider } from '../launcher/localProvider';
import type { LaunchRequest } from '../launcher/provider';
import { createRunManager, type LocalRunManager } from '../launcher/runManager';
import { specs } from '../store/schema';
import { BACKENDS, createTestServer, type TestServer } from './harness';
import { eventsOf, sandboxRow, seedSpec, specRow, tempDataDir, waitFor, writeFakeSandbox } from './launcherFixtures';

const logger = pino({ level: 'silent' });
const fake = writeFakeSandbox();

function request(overrides: Partial<LaunchRequest> = {}): LaunchRequest {
  const id = `sbx-test-${Math.random().toString(36).slice(2)}`;
  return {
    sandboxId: id,
    specId: 'spec-1',
    token: 'sbx_secret',
    callbackUrl: 'http://127.0.0.1:9',
    title: 'Export CSV',
    description: 'Users can export reports',
    phases: ['explore', 'requirements', 'design', 'tasks', 'sync'],
    phaseData: {},
    heartbeatIntervalSeconds: 2,
    ...overrides,
  };
}

interface Exit {
  code: number | null;
  signal: string | null;
}

/** A provider whose exits are collected per sandbox. */
function providerWith(mode: string, extra: { stopGraceMs?: number; workdir?: string } = {}): { provider: LocalProvider; exits: Map<string, Exit>; dataDir: string } {
  const dataDir = tempDataDir();
  const exits = new Map<string, Exit>();
  const provider = createLocalProvider({ dataDir, entry: fake, env: { FAKE_MODE: mode, PATH: '/usr/bin:/bin' }, logger, ...extra });
  provider.onExit = (id, code, signal) => exits.set(id, { code, signal });
  return { provider, exits, dataDir };
}

describe('local provider', () => {
  it('runs `<entry> run --phases …` with the run variables and only the configured base environment, logging to a kept file', async () => {
    const { provider, exits, dataDir } = providerWith('exit0', { workdir: '/tmp' });
    const req = request({ phaseData: { explore: { codebase_summary: 'x' } } });
    const launched = await provider.launch(req);
    expect(launched.pid).toBeGreaterThan(0);
    expect(launched.logPath).toBe(path.join(dataDir, 'sandboxes', `${req.sandboxId}.log`));
    await waitFor('exit', () => Promise.resolve(exits.get(req.sandboxId)));
    expect(exits.get(req.sandboxId)).toEqual({ code: 0, signal: null });

    const seen = JSON.parse(readFileSync(path.join(dataDir, 'sandboxes', req.sandboxId, 'env.json'), 'utf8')) as { argv: string[]; cwd: string; env: Record<string, string> };
    expect(seen.argv).toEqual(['run', '--phases', 'explore,requirements,design,tasks,sync']);
    expect(seen.cwd).toBe('/tmp');
    expect(seen.env).toMatchObject({
      SPEC_ID: 'spec-1',
      SANDBOX_ID: req.sandboxId,
      CALLBACK_URL: 'http://127.0.0.1:9',
      SANDBOX_TOKEN: 'sbx_secret',
      REPORTER_MODE: 'http',
      SPEC_TITLE: 'Export CSV',
      SPEC_DESCRIPTION: 'Users can export reports',
      HEARTBEAT_INTERVAL: '2',
      OUTPUT_DIRECTORY: path.join(dataDir, 'sandboxes', req.sandboxId),
      CWD: '/tmp',
      FAKE_MODE: 'exit0',
      PATH: '/usr/bin:/bin',
    });
    // Nothing of the server's own environment leaks (the test runner's variables would otherwise show).
    expect(Object.keys(seen.env).filter((k) => k.startsWith('VITEST'))).toEqual([]);
    const context = JSON.parse(readFileSync(seen.env['CONTEXT_FILE']!, 'utf8')) as unknown;
    expect(context).toEqual({ phase_data: { explore: { codebase_summary: 'x' } } });
    expect(readFileSync(launched.logPath!, 'utf8')).toContain(`fake sandbox ${req.sandboxId} started`);
    expect(statSync(launched.logPath!).mode & 0o777).toBe(0o600);
    expect(provider.isAlive(req.sandboxId)).toBe(false);
  });

  it('reports a non-zero exit code and keeps stderr in the log', async () => {
    const { provider, exits } = providerWith('exit3');
    const req = request();
    const { logPath } = await provider.launch(req);
    await waitFor('exit', () => Promise.resolve(exits.get(req.sandboxId)));
    expect(exits.get(req.sandboxId)).toEqual({ code: 3, signal: null });
    expect(readFileSync(logPath!, 'utf8')).toContain('boom');
  });

  it('stop() sends SIGTERM and the child ends', async () => {
    const { provider, exits } = providerWith('idle');
    const req = request();
    await provider.launch(req);
    expect(provider.isAlive(req.sandboxId)).toBe(true);
    await provider.stop(req.sandboxId, 'test');
    expect(provider.isAlive(req.sandboxId)).toBe(false);
    expect(exits.get(req.sandboxId)).toEqual({ code: null, signal: 'SIGTERM' });
  });

  it('stop() escalates to SIGKILL when the child ignores SIGTERM', async () => {
    const { provider, exits, dataDir } = providerWith('stubborn', { stopGraceMs: 300 });
    const req = request();
    const { logPath } = await provider.launch(req);
    await waitFor('the child to install its handler', () => Promise.resolve(existsSync(path.join(dataDir, 'sandboxes', req.sandboxId, 'env.json')) || undefined));
    await provider.stop(req.sandboxId, 'test');
    expect(exits.get(req.sandboxId)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(readFileSync(logPath!, 'utf8')).toContain('ignoring SIGTERM');
  });

  it('close() stops every child; stopping an unknown sandbox is a no-op', async () => {
    const { provider, exits } = providerWith('idle');
    const a = request();
    const b = request();
    await provider.launch(a);
    await provider.launch(b);
    await provider.stop('sbx-unknown', 'test');
    await provider.close();
    expect([exits.get(a.sandboxId)?.signal, exits.get(b.sandboxId)?.signal]).toEqual(['SIGTERM', 'SIGTERM']);
  });

  it('a missing CLI is a launch error naming the path', async () => {
    const provider = createLocalProvider({ dataDir: tempDataDir(), entry: '/nope/specline-sandbox.js', logger });
    await expect(provider.launch(request())).rejects.toThrow('the sandbox CLI was not found at /nope/specline-sandbox.js');
  });

  it('finds the sandbox CLI of the workspace by default', () => {
    expect(defaultSandboxEntry()).toBe(path.join(REPO_ROOT, 'packages/sandbox/bin/specline-sandbox.js'));
  });
});

describe.each(BACKENDS)('run manager with real children on %s', (backend) => {
  let server: TestServer;
  let provider: LocalProvider;
  beforeAll(async () => {
    provider = createLocalProvider({ dataDir: tempDataDir(), entry: fake, env: { FAKE_MODE: 'idle' }, logger, stopGraceMs: 2000 });
    server = await createTestServer(backend, { provider, listen: true });
  });
  afterAll(async () => {
    await server.close();
  });
  const db = () => server.context.db;

  it('a child killed mid-run fails the spec with the signal and the log path', async () => {
    const { specId, userId } = await seedSpec(db());
    const { sandbox_id } = await server.context.runs.start(specId, { userId });
    const sandboxId = sandbox_id!;
    const pid = provider.pidOf(sandboxId)!;
    expect(pid).toBeGreaterThan(0);
    expect((await sandboxRow(db(), sandboxId)).pid).toBe(pid);
    process.kill(pid, 'SIGKILL');

    const spec = await waitFor('the spec to fail', async () => {
      const row = await specRow(db(), specId);
      return row.status === 'executing' ? undefined : row;
    });
    const logPath = provider.logPathOf(sandboxId);
    expect(spec.status).toBe('failed');
    expect(spec.lastError).toBe(`sandbox was killed by SIGKILL before reporting the end of the run; see its log at ${logPath}`);
    const sandbox = await sandboxRow(db(), sandboxId);
    expect(sandbox.status).toBe('failed');
    expect(sandbox.revokedAt).toBeInstanceOf(Date);
    const events = await eventsOf(db(), specId);
    expect(events.at(-1)).toMatchObject({ eventType: 'agent.completed', source: 'system', sandboxId });
    expect(events.at(-1)!.data).toMatchObject({ success: false, error: spec.lastError });
  });

  it('a child that exits 0 without the terminal event still fails the run', async () => {
    const exiting = createLocalProvider({ dataDir: tempDataDir(), entry: fake, env: { FAKE_MODE: 'exit0' }, logger });
    const runs = createRunManager({ ...server.deps, provider: exiting });
    const { specId, userId } = await seedSpec(db());
    const { sandbox_id } = await runs.start(specId, { userId });
    const spec = await waitFor('the spec to fail', async () => {
      const row = await specRow(db(), specId);
      return row.status === 'executing' ? undefined : row;
    });
    expect(spec.lastError).toBe(`sandbox exited with code 0 before reporting the end of the run; see its log at ${exiting.logPathOf(sandbox_id!)}`);
    expect((await sandboxRow(db(), sandbox_id!)).exitCode).toBe(0);
    await runs.close();
  });

  it('cancel stops the child and the exit does not overwrite the cancellation', async () => {
    const { specId, userId } = await seedSpec(db());
    const { sandbox_id } = await server.context.runs.start(specId, { userId });
    expect(provider.isAlive(sandbox_id!)).toBe(true);
    await server.context.runs.cancel(specId, userId);
    expect(provider.isAlive(sandbox_id!)).toBe(false);
    await (server.context.runs as LocalRunManager).drain(); // the exit handler has run
    const spec = await specRow(db(), specId);
    expect(spec.status).toBe('cancelled');
    expect(spec.lastError).toMatch(/^cancelled by Ada/);
    expect((await eventsOf(db(), specId)).filter((e) => e.eventType === 'agent.completed')).toHaveLength(1);
  });

  it('finished lets the child go and stops it if it lingers', async () => {
    const lingering = createLocalProvider({ dataDir: tempDataDir(), entry: fake, env: { FAKE_MODE: 'idle' }, logger });
    const runs = createRunManager({ ...server.deps, provider: lingering }, { finishGraceMs: 100 });
    const { specId, userId } = await seedSpec(db());
    const { sandbox_id } = await runs.start(specId, { userId });
    await db().update(specs).set({ status: 'completed' }).where(eq(specs.id, specId)); // as ingestion does on agent.completed
    await runs.finished(sandbox_id!, 'completed');
    await waitFor('the lingering child to be stopped', () => Promise.resolve(lingering.isAlive(sandbox_id!) ? undefined : true));
    await runs.drain();
    expect((await sandboxRow(db(), sandbox_id!)).status).toBe('completed');
    expect((await specRow(db(), specId)).status).toBe('completed');
    await runs.close();
  });
});
