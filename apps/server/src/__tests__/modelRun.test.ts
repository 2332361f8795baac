/**
 * Model settings per project, per launch and server-wide (issue 8).
 * - Unit: the effective settings of a run (launch override ▸ project ▸ server default ▸ planner), and
 *   how ingestion keeps executor, model and usage per phase and the run's usage with cache tokens.
 * - End to end, on both backends, through a listening server and the real sandbox CLI: a
 *   `spec_driven` ticket on a project whose executor is `openai` against the fake model server; the
 *   spec ends holding the model's requirements, design and tasks, with executor, model and usage per
 *   phase and the run's usage; the project's API key reached the model server and nothing else — not
 *   the stored events, not the sandbox log, not the artifacts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Project, Spec } from '@specline/protocol';
import { startFakeLlm, type FakeLlm } from '@specline/sandbox/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelDefaults } from '../config';
import { createLocalProvider, type LocalProvider } from '../launcher/localProvider';
import type { LocalRunManager } from '../launcher/runManager';
import { reduceRunEffects, type EffectEvent, type RunState } from '../services/ingestEffects';
import { effectiveModelSettings, modelEnv } from '../services/modelSettings';
import { sandboxEvents, specVersions } from '../store/schema';
import { BACKENDS, createTestServer, registerUser, type TestServer, type TestUser } from './harness';
import { sandboxSettings, waitFor } from './launcherFixtures';
import { capturingLogger, getSpec, makeRepo, recording, settled, specDrivenTicket, tempDir } from './repoFixtures';

const NO_DEFAULTS: ModelDefaults = { executor: undefined, model: undefined, anthropic: { apiKey: undefined, baseUrl: undefined }, openai: { apiKey: undefined, baseUrl: undefined } };

describe('effective model settings (unit)', () => {
  const project = { executor: 'openai' as const, model: 'gpt-project', baseUrl: 'http://project/v1', apiKey: 'sk-project' };
  const server: ModelDefaults = {
    executor: 'anthropic',
    model: 'claude-server',
    anthropic: { apiKey: 'sk-ant-server', baseUrl: 'http://anthropic.server' },
    openai: { apiKey: 'sk-openai-server', baseUrl: 'http://openai.server/v1' },
  };

  it('falls back to the planner with nothing set, and passes no key for it', () => {
    const s = effectiveModelSettings(undefined, null, NO_DEFAULTS);
    expect(s).toEqual({ executor: 'planner', model: null, baseUrl: null, apiKey: null });
    expect(modelEnv(s)).toEqual({ SPEC_EXECUTOR: 'planner' });
    expect(modelEnv(effectiveModelSettings(undefined, null, server))).toMatchObject({ SPEC_EXECUTOR: 'anthropic', SPEC_MODEL: 'claude-server', ANTHROPIC_API_KEY: 'sk-ant-server' });
  });

  it('project over server default, launch override over project, field by field', () => {
    expect(effectiveModelSettings(undefined, project, server)).toEqual({ executor: 'openai', model: 'gpt-project', baseUrl: 'http://project/v1', apiKey: 'sk-project' });
    expect(effectiveModelSettings({ model: 'gpt-launch' }, project, server)).toEqual({ executor: 'openai', model: 'gpt-launch', baseUrl: 'http://project/v1', apiKey: 'sk-project' });
    // null in an override skips the project's value: the server default (of the run's provider) applies.
    expect(effectiveModelSettings({ api_key: null, base_url: null }, project, server)).toMatchObject({ apiKey: 'sk-openai-server', baseUrl: 'http://openai.server/v1' });
    expect(modelEnv(effectiveModelSettings(undefined, project, server))).toEqual({ SPEC_EXECUTOR: 'openai', SPEC_MODEL: 'gpt-project', OPENAI_API_KEY: 'sk-project', OPENAI_BASE_URL: 'http://project/v1' });
  });

  it('never hands one provider’s key or model to another executor', () => {
    // The launch switches to anthropic: the project's openai key, model and URL do not apply.
    expect(effectiveModelSettings({ executor: 'anthropic' }, project, server)).toEqual({ executor: 'anthropic', model: 'claude-server', baseUrl: 'http://anthropic.server', apiKey: 'sk-ant-server' });
    // SPEC_MODEL belongs to SPEC_EXECUTOR: not used for another executor.
    expect(effectiveModelSettings({ executor: 'openai' }, null, server)).toEqual({ executor: 'openai', model: null, baseUrl: 'http://openai.server/v1', apiKey: 'sk-openai-server' });
    // A project with settings but no executor: they apply to whichever executor runs.
    expect(effectiveModelSettings(undefined, { ...project, executor: null }, server)).toMatchObject({ executor: 'anthropic', model: 'gpt-project', apiKey: 'sk-project' });
    expect(effectiveModelSettings({ executor: 'planner' }, project, server)).toEqual({ executor: 'planner', model: null, baseUrl: null, apiKey: null });
  });
});

describe('usage and executor per phase (unit: the ingestion reducer)', () => {
  const at = new Date('2026-12-01T10:00:00Z');
  let seq = 0;
  const ev = (event_type: string, data: Record<string, unknown>): EffectEvent => ({ spec_seq: ++seq, event_type, data, emitted_at: at });
  const initial: RunState = { status: 'executing', currentPhase: null, phases: ['explore', 'requirements'], phaseStatus: {}, progress: 0, lastError: null, usage: null, lastHeartbeatAt: null };
  const completed = (phase: string, usage: Record<string, number>, extra: Record<string, unknown> = {}) =>
    ev('spec.phase_completed', { phase, eval_score: 0.9, duration_seconds: 1, retry_count: 0, phase_output: { x: 1 }, usage, executor: 'openai', model: 'gpt-x', ...extra });

  it('keeps executor, model and usage per phase; a retry’s tokens count until the phase reports its total', () => {
    const r = reduceRunEffects(
      initial,
      [
        ev('spec.phase_started', { phase: 'explore', attempt: 1 }),
        ev('spec.phase_retry', { phase: 'explore', retry_count: 1, max_retries: 3, reason: 'evaluation_failed', usage: { input_tokens: 100, output_tokens: 10, cost_usd: 0.01 } }),
      ],
      { now: at, runStartedBefore: false },
    );
    expect(r.state.phaseStatus.explore?.usage).toEqual({ input_tokens: 100, output_tokens: 10, cost_usd: 0.01 });
    expect(r.state.usage).toEqual({ input_tokens: 100, output_tokens: 10, cost_usd: 0.01 });
    const r2 = reduceRunEffects(
      r.state,
      [
        completed('explore', { input_tokens: 250, output_tokens: 30, cache_read_input_tokens: 40, cost_usd: 0.03 }, { retry_count: 1 }),
        completed('requirements', { input_tokens: 50, output_tokens: 5, cache_creation_input_tokens: 7, cost_usd: 0.005 }, { model: 'gpt-y' }),
      ],
      { now: at, runStartedBefore: true },
    );
    expect(r2.state.phaseStatus.explore).toMatchObject({ state: 'passed', executor: 'openai', model: 'gpt-x', usage: { input_tokens: 250, output_tokens: 30, cache_read_input_tokens: 40, cost_usd: 0.03 } });
    expect(r2.state.phaseStatus.requirements).toMatchObject({ executor: 'openai', model: 'gpt-y' });
    expect(r2.state.usage).toEqual({ input_tokens: 300, output_tokens: 35, cache_read_input_tokens: 40, cache_creation_input_tokens: 7, cost_usd: 0.035 });
    // agent.completed carries the run's total: it wins.
    const r3 = reduceRunEffects(
      r2.state,
      [ev('agent.completed', { spec_id: 's', success: true, phase_data: {}, usage: { input_tokens: 310, output_tokens: 36, cache_read_input_tokens: 40, cache_creation_input_tokens: 7, cost_usd: 0.036 } })],
      { now: at, runStartedBefore: true },
    );
    expect(r3.state.usage).toEqual({ input_tokens: 310, output_tokens: 36, cache_read_input_tokens: 40, cache_creation_input_tokens: 7, cost_usd: 0.036 });
    expect(r3.state.status).toBe('completed');
  });
});

/** Every file under a directory, recursively. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...filesUnder(full));
    else out.push(full);
  }
  return out;
}

describe.each(BACKENDS)('a run with the openai executor against the fake model server on %s', (backend) => {
  const KEY = 'sk-fake-project-key-9876';
  let fake: FakeLlm;
  let server: TestServer;
  let local: LocalProvider;
  let provider: ReturnType<typeof recording>;
  let owner: TestUser;
  let dataDir: string;
  let project: Project;
  const serverLog = capturingLogger();

  beforeAll(async () => {
    fake = await startFakeLlm({ provider: 'openai', auto: true, apiKey: KEY });
    const root = tempDir('specline-model-root-');
    dataDir = tempDir('specline-model-data-');
    const repo = makeRepo(root);
    const repos = { roots: [root], allowRemote: false, gitTimeoutSeconds: 30 };
    local = createLocalProvider({ dataDir, repos, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, logger: serverLog.logger, stopGraceMs: 3000 });
    provider = recording(local);
    server = await createTestServer(backend, {
      listen: true,
      provider,
      logger: serverLog.logger,
      config: { dataDir, repos, models: NO_DEFAULTS, sandbox: sandboxSettings({ provider: 'local', heartbeatIntervalSeconds: 1, missedHeartbeats: 10 }) },
    });
    owner = await registerUser(server.app, 'model-owner');
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/projects',
      headers: owner.headers,
      payload: { name: 'Model run', repo_url: repo.dir, model_settings: { executor: 'openai', model: 'fake-model', base_url: fake.openaiBaseUrl, api_key: KEY } },
    });
    expect(res.statusCode, res.body).toBe(201);
    project = res.json<Project>();
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  it('a spec_driven ticket ends with the model’s requirements, design and tasks, executor/model/usage per phase, and the key nowhere but the model server', { timeout: 240_000 }, async () => {
    const before = fake.requests.length;
    const specId = await specDrivenTicket(server, owner, project.id, { title: 'Low stock alerts', description: 'Warn the warehouse team by email when a SKU’s quantity drops below its threshold.' });
    const spec: Spec = await settled(server, owner, specId, 200_000);
    const launch = provider.launched.find((l) => l.specId === specId)!;
    const log = local.logPathOf(launch.sandboxId);
    expect(spec.status, `last_error: ${spec.last_error}; log: ${log}`).toBe('completed');

    // The model wrote the plan, and the spec holds it.
    const phaseData = (await server.app.inject({ method: 'GET', url: `/api/v1/specs/${specId}/phase-data`, headers: owner.headers })).json<{ phase_data: Record<string, Record<string, unknown>> }>().phase_data;
    for (const phase of ['requirements', 'design', 'tasks']) expect(phaseData[phase]?.['generated_by'], phase).toBe('fake-llm');
    expect(spec.requirements.length).toBeGreaterThan(0);
    expect(spec.design).not.toBeNull();
    expect(spec.tasks.length).toBeGreaterThan(0);
    expect(spec.repo_commit).toMatch(/^[0-9a-f]{40}$/);

    // Executor, model and usage per phase; the run's usage.
    for (const phase of ['requirements', 'design', 'tasks'] as const) {
      const status = spec.phase_status[phase]!;
      expect(status, phase).toMatchObject({ state: 'passed', executor: 'openai', model: 'fake-model' });
      expect(status.usage?.input_tokens, phase).toBeGreaterThan(0);
      expect(status.usage?.output_tokens, phase).toBeGreaterThan(0);
    }
    expect(spec.usage?.input_tokens).toBeGreaterThan(0);
    expect(spec.usage?.output_tokens).toBeGreaterThan(0);
    expect(typeof spec.usage?.cost_usd).toBe('number');

    // The key reached the model server (it answers 401 to any other key) …
    const mine = fake.requests.slice(before);
    expect(mine.length).toBeGreaterThan(0);
    for (const r of mine) expect(r.headers['authorization']).toBe(`Bearer ${KEY}`);
    // … and nothing else: stored events, versions, the spec, the sandbox log, the artifacts, the server log.
    await waitFor('the sandbox to exit', () => Promise.resolve(local.isAlive(launch.sandboxId) ? undefined : true));
    await (server.context.runs as LocalRunManager).drain();
    const stored = await server.context.db.select().from(sandboxEvents).where(eq(sandboxEvents.specId, specId));
    expect(stored.length).toBeGreaterThan(0);
    expect(JSON.stringify(stored)).not.toContain(KEY);
    expect(JSON.stringify(await server.context.db.select().from(specVersions).where(eq(specVersions.specId, specId)))).not.toContain(KEY);
    expect(JSON.stringify(await getSpec(server, owner, specId))).not.toContain(KEY);
    expect(readFileSync(log, 'utf8')).not.toContain(KEY);
    const artifacts = filesUnder(path.join(dataDir, 'sandboxes', launch.sandboxId));
    expect(artifacts.length).toBeGreaterThan(0);
    for (const file of artifacts) expect(readFileSync(file, 'utf8'), file).not.toContain(KEY);
    expect(serverLog.lines.join('\n')).not.toContain(KEY);
  });

  it('a launch override changes the model of one run only', { timeout: 240_000 }, async () => {
    const specId = await specDrivenTicket(server, owner, project.id, { title: 'Restock reminders', description: 'Remind buyers to reorder a SKU when its stock will run out within a week.', model_settings: { model: 'fake-override' } });
    const spec = await settled(server, owner, specId, 200_000);
    expect(spec.status, `last_error: ${spec.last_error}`).toBe('completed');
    expect(spec.phase_status.requirements).toMatchObject({ executor: 'openai', model: 'fake-override' });
    const stored = (await server.app.inject({ method: 'GET', url: `/api/v1/projects/${project.id}`, headers: owner.headers })).json<Project>();
    expect(stored.model_settings).toMatchObject({ executor: 'openai', model: 'fake-model', api_key_set: true, api_key_last4: '9876' });
  });
});
