/**
 * The real CLI, spawned through its bin (tsx), in temporary directories. The planner works offline,
 * so a full run takes about a second.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SpecEvent } from '@specline/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanRequirements, cleanTasks } from '../evaluators/fixtures';
import { readEvents } from '../reporters/jsonlReporter';
import { FakeApi, startFakeServer } from '../reporters/http/fakeServer';
import { startFakeLlm, type FakeLlm } from '../testing/index';

const BIN = fileURLToPath(new URL('../../bin/specline-sandbox.js', import.meta.url));
const TITLE = 'Add rate limiting to the public API';
const DESCRIPTION = 'Limit each API key to 100 requests per minute and return 429 with Retry-After';
const CONFIG_VARS = [
  'SPEC_ID', 'SANDBOX_ID', 'CALLBACK_URL', 'SANDBOX_TOKEN', 'SPEC_PHASE', 'SPEC_TITLE', 'SPEC_DESCRIPTION', 'CONTEXT_FILE', 'REPORTER_MODE', 'HEARTBEAT_INTERVAL', 'OUTPUT_DIRECTORY', 'MAX_ATTEMPTS', 'EVAL_THRESHOLD', 'CWD',
  'SPEC_EXECUTOR', 'SPEC_MODEL', 'SPEC_STRUCTURED_OUTPUT', 'SPEC_STREAM', 'MODEL_MAX_TURNS', 'MODEL_MAX_READ_BYTES', 'MODEL_MAX_SECONDS', 'MODEL_MAX_COST_USD', 'MODEL_MAX_OUTPUT_TOKENS', 'MODEL_MAX_RETRIES', 'MODEL_PRICES',
  'SPEC_NO_REPO', 'SPEC_REPO_COMMIT', 'SPEC_APPROVAL_MODE', 'SPEC_REVIEW_FEEDBACK', 'ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'ANTHROPIC_AUTH_TOKEN', 'OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_ORG_ID', 'OPENAI_PROJECT_ID',
];

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], options: { cwd: string; env?: Record<string, string>; onSpawn?: (pid: number) => void }): Promise<CliRun> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...options.env };
  for (const name of CONFIG_VARS) if (!options.env || !(name in options.env)) delete env[name];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

let work: string;
/** A small project for EXPLORE to look at. */
let project: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'specline-cli-'));
  project = join(work, 'project');
  await mkdir(join(project, 'src'), { recursive: true });
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'demo-api', type: 'module', scripts: { test: 'vitest run' }, dependencies: { fastify: '^5.0.0' }, devDependencies: { typescript: '^5.8.0', vitest: '^4.0.0' } }));
  await writeFile(join(project, 'tsconfig.json'), '{"compilerOptions":{"strict":true}}');
  await writeFile(join(project, 'src', 'server.ts'), "import Fastify from 'fastify';\nexport const app = Fastify();\napp.get('/health', async () => ({ ok: true }));\n");
  await writeFile(join(project, 'src', 'server.test.ts'), "import { it } from 'vitest';\nit('starts', () => {});\n");
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const fullRunArgs = (out: string, extra: string[] = []) => ['run', '--title', TITLE, '--description', DESCRIPTION, '--cwd', project, '--out', out, ...extra];

describe('specline-sandbox run', { timeout: 60_000 }, () => {
  const out = () => join(work, 'run-out');

  it('runs every phase with the jsonl reporter: exit 0, valid events ending in agent.completed, markdown artifacts', async () => {
    const result = await cli(fullRunArgs(out(), ['--reporter', 'jsonl']), { cwd: work });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Run succeeded: explore, requirements, design, tasks, sync');
    const events = await readEvents(join(out(), 'events.jsonl'));
    const types = events.map((event) => event.event_type);
    expect(types[0]).toBe('spec.execution_started');
    expect(types.slice(-2)).toEqual(['spec.execution_completed', 'agent.completed']);
    expect(events.at(-1)?.data).toMatchObject({ success: true, phases_completed: ['explore', 'requirements', 'design', 'tasks', 'sync'] });
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(types.filter((type) => type === 'spec.phase_completed')).toHaveLength(5);
    for (const name of ['requirements.md', 'design.md', 'tasks.md']) {
      expect((await stat(join(out(), name))).size).toBeGreaterThan(500);
    }
  });

  it('inspect prints the phase table and the events; --json prints JSON', async () => {
    const table = await cli(['inspect', join(out(), 'events.jsonl')], { cwd: work });
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`"${TITLE}"`);
    expect(table.stdout).toContain('Result: succeeded');
    expect(table.stdout).toMatch(/PHASE\s+RESULT\s+ATTEMPTS\s+SCORES\s+DURATION/);
    for (const phase of ['explore', 'requirements', 'design', 'tasks', 'sync']) expect(table.stdout).toMatch(new RegExp(`^${phase}\\s+passed\\s+1\\s+\\d\\.\\d\\d\\s+\\d+\\.\\ds$`, 'm'));
    expect(table.stdout).toMatch(/agent\.completed\s+run succeeded/);

    const json = await cli(['inspect', join(out(), 'events.jsonl'), '--json', '--type', 'phase_completed', '--phase', 'TASKS'], { cwd: work });
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as { summary: { success: boolean; phases: { phase: string }[] }; events: SpecEvent[] };
    expect(parsed.summary.success).toBe(true);
    expect(parsed.summary.phases.map((row) => row.phase)).toEqual(['explore', 'requirements', 'design', 'tasks', 'sync']);
    expect(parsed.events.map((event) => [event.event_type, event.phase])).toEqual([['spec.phase_completed', 'tasks']]);
  });

  it('evaluate passes the generated tasks output and fails a copy with a planted cycle', async () => {
    const phaseData = join(out(), 'phase_data.json');
    const pass = await cli(['evaluate', '--phase', 'tasks', phaseData, '--context', phaseData], { cwd: work });
    expect(pass.stdout).toMatch(/^tasks: score \d\.\d\d \(pass mark 0\.70\) PASSED/);
    expect(pass.code).toBe(0);

    const data = JSON.parse(await readFile(phaseData, 'utf8')) as { tasks: { tasks: { id: string; depends_on: string[] }[] } };
    const [first, second] = data.tasks.tasks;
    expect(second?.depends_on).toContain(first?.id);
    first!.depends_on = [second!.id];
    const broken = join(work, 'tasks-with-cycle.json');
    await writeFile(broken, JSON.stringify(data.tasks));
    const fail = await cli(['evaluate', '--phase', 'tasks', broken, '--context', phaseData], { cwd: work });
    expect(fail.code).toBe(1);
    expect(fail.stdout).toContain('FAILED');
    expect(fail.stdout).toMatch(new RegExp(`error\\s+.*cycle.*${first!.id}`, 'i'));
  });

  it('evaluate reads the output from an events file too', async () => {
    const events = join(out(), 'events.jsonl');
    const result = await cli(['evaluate', '--phase', 'requirements', events, '--json'], { cwd: work });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ phase: 'requirements', passed: true });
  });
});

describe('specline-sandbox configuration', { timeout: 60_000 }, () => {
  it('a bad SPEC_PHASE exits 2 after agent.completed {success:false} reached the reporters', async () => {
    const out = join(work, 'bad-phase');
    const result = await cli(fullRunArgs(out, ['--reporter', 'jsonl']), { cwd: work, env: { SPEC_PHASE: 'nonsense' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('SPEC_PHASE="nonsense": "nonsense" is not a phase');
    const events = await readEvents(join(out, 'events.jsonl'));
    expect(events.map((event) => event.event_type)).toEqual(['spec.execution_failed', 'agent.completed']);
    expect(events.at(-1)?.data).toMatchObject({ success: false, error: expect.stringContaining('SPEC_PHASE') as unknown });
  });

  it('SPEC_PHASE=EXPLORE (upper case) is valid: a single-phase run', async () => {
    const out = join(work, 'explore-only');
    const result = await cli(fullRunArgs(out, ['--reporter', 'jsonl']), { cwd: work, env: { SPEC_PHASE: 'EXPLORE' } });
    expect(result.code).toBe(0);
    const events = await readEvents(join(out, 'events.jsonl'));
    expect(events.at(-1)?.data).toMatchObject({ success: true, phases_completed: ['explore'] });
  });

  it('flags win over the environment, and bad values are named', async () => {
    const out = join(work, 'bad-attempts');
    const result = await cli(fullRunArgs(out, ['--max-attempts', 'many']), { cwd: work, env: { MAX_ATTEMPTS: '2', REPORTER_MODE: 'jsonl' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--max-attempts="many": expected a whole number');
  });

  it('the http reporter needs SANDBOX_ID, CALLBACK_URL and SANDBOX_TOKEN: exit 2 naming them', async () => {
    const result = await cli(fullRunArgs(join(work, 'no-http')), { cwd: work, env: { REPORTER_MODE: 'http', CALLBACK_URL: 'http://127.0.0.1:9' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--sandbox-id (or SANDBOX_ID): is required when the http reporter is on');
    expect(result.stderr).toContain('--token (or SANDBOX_TOKEN): is required when the http reporter is on');
    expect(result.stderr).not.toContain('CALLBACK_URL');
  });

  it('unknown options and commands are usage errors', async () => {
    const option = await cli(['run', '--title', 'x', '--frobnicate'], { cwd: work });
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("Unknown option '--frobnicate'");
    const command = await cli(['launch'], { cwd: work });
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('unknown command "launch"');
  });
});

describe('specline-sandbox run-phase', { timeout: 60_000 }, () => {
  it('writes <phase>_output.json keyed by phase, which feeds the next phase; a bare output is refused clearly', async () => {
    const out = join(work, 'phases');
    const common = ['--title', TITLE, '--description', DESCRIPTION, '--cwd', project, '--out', out, '--reporter', 'jsonl'];
    const explore = await cli(['run-phase', '--phase', 'explore', ...common], { cwd: work });
    expect(explore.code).toBe(0);
    const exploreOutput = JSON.parse(await readFile(join(out, 'explore_output.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(exploreOutput)).toEqual(['explore']);

    const requirements = await cli(['run-phase', '--phase', 'requirements', '--context', join(out, 'explore_output.json'), ...common], { cwd: work });
    expect(requirements.code).toBe(0);
    expect(existsSync(join(out, 'requirements_output.json'))).toBe(true);
    const events = await readEvents(join(out, 'events.jsonl'));
    expect(events.filter((event) => event.event_type === 'spec.progress').map((event) => event.data['message'])).not.toContainEqual(expect.stringContaining('Context is missing'));

    const bare = join(work, 'bare-explore.json');
    await writeFile(bare, JSON.stringify(exploreOutput['explore']));
    const refused = await cli(['run-phase', '--phase', 'requirements', '--context', bare, ...common], { cwd: work });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('expected an object keyed by phase');
    expect(refused.stderr).toContain('{"<phase>": <output>}');
  });
});

describe('specline-sandbox run: review mode', { timeout: 60_000 }, () => {
  const common = (out: string) => ['--title', TITLE, '--description', DESCRIPTION, '--cwd', project, '--out', out, '--reporter', 'jsonl'];

  it('--approval-mode review stops after REQUIREMENTS: spec.awaiting_approval, agent.completed {success, awaiting_approval}, exit 0, no design', async () => {
    const out = join(work, 'review');
    const run = await cli(['run', '--approval-mode', 'review', ...common(out)], { cwd: work });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const events = await readEvents(join(out, 'events.jsonl'));
    const types = events.map((e) => e.event_type);
    expect(types).not.toContain('spec.execution_completed');
    expect(events.filter((e) => e.event_type === 'spec.phase_completed').map((e) => e.data['phase'])).toEqual(['explore', 'requirements']);
    expect(events.find((e) => e.event_type === 'spec.awaiting_approval')?.data).toMatchObject({ phase: 'requirements', next_phase: 'design', phases_completed: ['explore', 'requirements'] });
    expect(events.at(-1)).toMatchObject({ event_type: 'agent.completed', data: { success: true, awaiting_approval: 'requirements' } });
  });

  it('SPEC_REVIEW_FEEDBACK re-runs the first phase with the comment and the stored output; the context may come wrapped in {"phase_data": …} (the server\'s context.json)', async () => {
    const first = join(work, 'review-first');
    expect((await cli(['run', '--phases', 'explore,requirements', ...common(first)], { cwd: work })).code).toBe(0);
    const phaseData = JSON.parse(await readFile(join(first, 'phase_data.json'), 'utf8')) as Record<string, unknown>;
    const context = join(work, 'server-context.json');
    await writeFile(context, JSON.stringify({ phase_data: phaseData }));
    const out = join(work, 'review-again');
    const comment = 'Every requirement must name the response header';
    const run = await cli(['run', '--phases', 'requirements,design', '--context', context, ...common(out)], { cwd: work, env: { SPEC_APPROVAL_MODE: 'review', SPEC_REVIEW_FEEDBACK: comment } });
    expect(run.code).toBe(0);
    const events = await readEvents(join(out, 'events.jsonl'));
    const rerun = events.find((e) => e.event_type === 'spec.progress' && e.data['review_comment'] !== undefined);
    expect(rerun?.data).toMatchObject({ review_comment: comment, message: expect.stringContaining("Re-running requirements with the reviewer's comment") as unknown });
    expect(events.filter((e) => e.event_type === 'spec.phase_completed').map((e) => e.data['phase'])).toEqual(['requirements']);
    expect(events.at(-1)).toMatchObject({ event_type: 'agent.completed', data: { success: true, awaiting_approval: 'requirements' } });
  });

  it('a bad SPEC_APPROVAL_MODE exits 2 naming it', async () => {
    const run = await cli(['run', ...common(join(work, 'review-bad'))], { cwd: work, env: { SPEC_APPROVAL_MODE: 'manual' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('SPEC_APPROVAL_MODE="manual": must be one of auto, review');
  });
});

describe('specline-sandbox evaluate', { timeout: 60_000 }, () => {
  it('accepts a bare requirements output {"requirements": [...]} for --phase requirements', async () => {
    const bare = join(work, 'bare-requirements.json');
    await writeFile(bare, JSON.stringify({ requirements: cleanRequirements().requirements }));
    const result = await cli(['evaluate', '--phase', 'requirements', bare, '--json'], { cwd: work });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ phase: 'requirements', passed: true, details: { relevance_skipped: 1 } });
  });

  it('--title turns on the relevance checks: a requirement unrelated to the request fails, named', async () => {
    const output = cleanRequirements();
    output.requirements.push({
      id: 'REQ-004',
      title: 'Invoice export',
      type: 'functional',
      priority: 'low',
      text: 'THE SYSTEM SHALL export invoices as PDF.',
      acceptance_criteria: [
        { id: 'REQ-004.AC-1', text: 'GET /invoices/1.pdf returns 200 with a PDF file.' },
        { id: 'REQ-004.AC-2', text: 'The PDF lists every invoice line.' },
      ],
    });
    const file = join(work, 'unrelated-requirements.json');
    await writeFile(file, JSON.stringify(output));
    const result = await cli(['evaluate', '--phase', 'requirements', file, '--title', TITLE, '--description', DESCRIPTION], { cwd: work });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/error\s+requirements\[REQ-004\]: "THE SYSTEM SHALL export invoices as PDF\." shares no key term with the request/);
  });

  it('--cwd grounds the plan in that repository: a modified file that does not exist fails; without it grounding is skipped', async () => {
    const tasks = cleanTasks() as unknown as { tasks: Record<string, unknown>[] };
    tasks.tasks[1]!['files_to_modify'] = ['src/routes.ts'];
    const file = join(work, 'tasks-missing-file.json');
    await writeFile(file, JSON.stringify(tasks));
    const grounded = await cli(['evaluate', '--phase', 'tasks', file, '--cwd', project], { cwd: work });
    expect(grounded.code).toBe(1);
    expect(grounded.stdout).toContain('error   tasks[TSK-002].files_to_modify: "src/routes.ts" does not exist in the repository, but it modifies it');
    const ungrounded = await cli(['evaluate', '--phase', 'tasks', file], { cwd: work });
    expect(ungrounded.code).toBe(0);
    expect(ungrounded.stdout).toMatch(/grounding\s+skipped \(no repository: pass --cwd <repository>\)/);
    const missing = await cli(['evaluate', '--phase', 'tasks', file, '--cwd', join(work, 'nowhere')], { cwd: work });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('not a directory');
  });
});

describe('specline-sandbox with the http reporter', { timeout: 60_000 }, () => {
  it('delivers the whole run to the server and creates tickets through its SYNC endpoint', async () => {
    const api = new FakeApi('tok-123');
    const server = await startFakeServer(api.handle);
    try {
      const out = join(work, 'http-run');
      const env = { REPORTER_MODE: 'http,jsonl', SANDBOX_ID: 'sbx-7', CALLBACK_URL: server.url, SANDBOX_TOKEN: 'tok-123', SPEC_ID: 'spec-77' };
      const result = await cli(fullRunArgs(out), { cwd: work, env });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const local = await readEvents(join(out, 'events.jsonl'));
      expect(api.eventIds).toEqual(local.map((event) => event.event_id));
      expect(api.accepted).toHaveLength(local.length);
      expect(api.events.at(-1)).toMatchObject({ event_type: 'agent.completed', data: { success: true, spec_id: 'spec-77' } });
      const syncCalls = server.requests.filter((request) => request.path === '/api/v1/specs/spec-77/sync');
      expect(syncCalls).toHaveLength(1);
      const created = local.filter((event) => event.event_type === 'spec.ticket_created');
      expect(created.length).toBeGreaterThan(0);
      // Ids the server assigned (uuids), not local ones.
      for (const event of created) expect(event.data['ticket_id']).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await server.close();
    }
  });

  it('SIGTERM cancels the run: it still ends with agent.completed {success:false}, flushed to the server, exit 1', async () => {
    const api = new FakeApi('tok-123');
    // The SYNC request never gets an answer: the run waits there until it is cancelled.
    const server = await startFakeServer((request) => (request.path.endsWith('/sync') ? { hang: true } : api.handle(request)));
    try {
      let pid = 0;
      const env = { REPORTER_MODE: 'http', SANDBOX_ID: 'sbx-8', CALLBACK_URL: server.url, SANDBOX_TOKEN: 'tok-123', SPEC_ID: 'spec-88' };
      const running = cli(fullRunArgs(join(work, 'cancelled')), { cwd: work, env, onSpawn: (id) => (pid = id) });
      await server.waitFor(() => server.requests.some((request) => request.path.endsWith('/sync')));
      process.kill(pid, 'SIGTERM');
      const result = await running;
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('SIGTERM received');
      const types = api.events.map((event) => event.event_type);
      expect(types.slice(-3)).toEqual(['spec.phase_failed', 'spec.execution_failed', 'agent.completed']);
      expect(api.events.at(-3)?.data).toMatchObject({ phase: 'sync', reason: 'cancelled' });
      expect(api.events.at(-1)?.data).toMatchObject({ success: false, failed_phase: 'sync' });
    } finally {
      await server.close();
    }
  });
});

describe('specline-sandbox run with a model executor (against the fake model servers)', { timeout: 120_000 }, () => {
  const KEY = 'sk-cli-SECRET-0123456789abcdef';
  let fake: FakeLlm;
  beforeAll(async () => {
    fake = await startFakeLlm({ provider: 'both', apiKey: KEY, auto: true });
  });
  afterAll(async () => {
    await fake.close();
  });
  const written = async (out: string) => (await Promise.all((await readdir(out)).filter((n) => !n.endsWith('-cache')).map((n) => readFile(join(out, n), 'utf8')))).join('\n');

  it('--executor openai --model gpt-4.1-mini: every phase completes; the events show the tool calls and the usage; the key is nowhere', async () => {
    const out = join(work, 'model-openai');
    const result = await cli(fullRunArgs(out, ['--executor', 'openai', '--model', 'gpt-4.1-mini', '--reporter', 'jsonl']), { cwd: work, env: { OPENAI_BASE_URL: fake.openaiBaseUrl, OPENAI_API_KEY: KEY } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const events = await readEvents(join(out, 'events.jsonl'));
    const tools = events.filter((e) => e.event_type === 'spec.progress' && typeof e.data['tool'] === 'string');
    expect(tools.length).toBeGreaterThan(3);
    expect(tools.map((e) => e.data['tool'])).toContain('read_file');
    for (const e of tools) expect(typeof e.data['args_summary']).toBe('string');
    const completed = events.filter((e) => e.event_type === 'spec.phase_completed');
    const requirements = completed.find((e) => e.phase === 'requirements')!;
    expect(requirements.data).toMatchObject({ executor: 'openai', model: 'gpt-4.1-mini', phase_output: { generated_by: 'fake-llm' } });
    const done = events.at(-1)!;
    expect(done.data).toMatchObject({ success: true, executor: 'openai', model: 'gpt-4.1-mini' });
    expect((done.data['usage'] as { input_tokens: number; cost_usd: number }).input_tokens).toBeGreaterThan(0);
    expect((done.data['usage'] as { cost_usd: number }).cost_usd).toBeGreaterThan(0);
    expect(`${result.stdout}${result.stderr}${await written(out)}`).not.toContain(KEY);

    const table = await cli(['inspect', join(out, 'events.jsonl')], { cwd: work });
    expect(table.stdout).toContain('Executor: openai (gpt-4.1-mini)');
    expect(table.stdout).toMatch(/^requirements\s+passed\s+1\s+\d\.\d\d\s+\d+\.\ds\s+openai\/gpt-4\.1-mini\s+\d+ in, \d+ out\s+\$\d/m);
  });

  it('--executor anthropic --no-stream, EXPLORE and REQUIREMENTS: non-streaming requests, outputs from the fake', async () => {
    const out = join(work, 'model-anthropic');
    const before = fake.requests.length;
    const result = await cli(fullRunArgs(out, ['--executor', 'anthropic', '--no-stream', '--phases', 'explore,requirements', '--reporter', 'jsonl']), { cwd: work, env: { ANTHROPIC_BASE_URL: fake.anthropicBaseUrl, ANTHROPIC_API_KEY: KEY } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const mine = fake.requests.slice(before);
    expect(mine.length).toBeGreaterThan(2);
    expect(mine.every((r) => r.provider === 'anthropic' && !r.stream)).toBe(true);
    const events = await readEvents(join(out, 'events.jsonl'));
    expect(events.at(-1)?.data).toMatchObject({ success: true, executor: 'anthropic', model: 'claude-sonnet-5-5' });
    expect(`${result.stdout}${await written(out)}`).not.toContain(KEY);
  });

  it('a rejected key: exit 1, the message names ANTHROPIC_API_KEY, agent.completed {success:false}, one request, no retry', async () => {
    const out = join(work, 'model-401');
    const before = fake.requests.length;
    const wrong = 'sk-wrong-SECRET-9876543210';
    const result = await cli(fullRunArgs(out, ['--executor', 'anthropic', '--reporter', 'jsonl']), { cwd: work, env: { ANTHROPIC_BASE_URL: fake.anthropicBaseUrl, ANTHROPIC_API_KEY: wrong } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ANTHROPIC_API_KEY');
    expect(fake.requests.length - before).toBe(1);
    const events = await readEvents(join(out, 'events.jsonl'));
    expect(events.map((e) => e.event_type)).not.toContain('spec.phase_retry');
    expect(events.at(-1)?.data).toMatchObject({ success: false, failed_phase: 'explore', error: expect.stringContaining('ANTHROPIC_API_KEY') as unknown });
    expect(`${result.stdout}${result.stderr}${await written(out)}`).not.toContain(wrong);
  });

  it('--no-repo: no repository tools are offered and EXPLORE says there is no code base', async () => {
    const out = join(work, 'model-no-repo');
    const before = fake.requests.length;
    const result = await cli(fullRunArgs(out, ['--executor', 'openai', '--no-repo', '--phases', 'explore', '--reporter', 'jsonl']), { cwd: work, env: { OPENAI_BASE_URL: fake.openaiBaseUrl, OPENAI_API_KEY: KEY } });
    expect(result.code).toBe(0);
    for (const request of fake.requests.slice(before)) expect(request.tools).toEqual(['submit_explore']);
    const data = JSON.parse(await readFile(join(out, 'phase_data.json'), 'utf8')) as { explore: { has_codebase: boolean } };
    expect(data.explore.has_codebase).toBe(false);
  });

  it('a model without a price runs at cost 0 with one warning line; MODEL_PRICES prices it', async () => {
    const args = (out: string) => fullRunArgs(out, ['--executor', 'openai', '--model', 'qwen2.5-coder:7b', '--phases', 'explore', '--reporter', 'jsonl']);
    const env = { OPENAI_BASE_URL: fake.openaiBaseUrl, OPENAI_API_KEY: KEY };
    const free = await cli(args(join(work, 'model-unpriced')), { cwd: work, env });
    expect(free.code).toBe(0);
    expect(free.stderr.trim().split('\n')).toEqual([expect.stringContaining('no price for model "qwen2.5-coder:7b"') as unknown]);
    const freeDone = (await readEvents(join(work, 'model-unpriced', 'events.jsonl'))).at(-1)!;
    expect(freeDone.data['usage']).toMatchObject({ cost_usd: 0 });

    const priced = await cli(args(join(work, 'model-priced')), { cwd: work, env: { ...env, MODEL_PRICES: '{"qwen2.5-coder:7b": {"input": 1, "output": 2}}' } });
    expect(priced.stderr).toBe('');
    const pricedDone = (await readEvents(join(work, 'model-priced', 'events.jsonl'))).at(-1)!;
    expect((pricedDone.data['usage'] as { cost_usd: number }).cost_usd).toBeGreaterThan(0);
  });

  it('bad model settings exit 2 with a message naming the setting (and never the key)', async () => {
    // Two through the real process (the rest are config.test.ts, in-process).
    const cases: [string[], Record<string, string>, string][] = [
      [['--executor', 'anthropic'], {}, 'ANTHROPIC_API_KEY: is required by --executor anthropic'],
      [['--executor', 'openai'], { MODEL_MAX_TURNS: 'lots', OPENAI_API_KEY: KEY }, 'MODEL_MAX_TURNS="lots": expected a whole number'],
    ];
    for (const [extra, env, message] of cases) {
      const out = join(work, 'bad-model-settings');
      const result = await cli(fullRunArgs(out, [...extra, '--reporter', 'jsonl']), { cwd: work, env });
      expect(result.code, message).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toContain(KEY);
      expect((await readEvents(join(out, 'events.jsonl'))).at(-1)?.data).toMatchObject({ success: false });
    }
  });
});
