/**
 * Auto mode, driven by the official SDKs through a small agent loop whose repository tools answer
 * in the model executor's formats. The outputs must pass the sandbox's own evaluators.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PhaseData } from '@specline/protocol';
import { evaluate } from '../../evaluators/index';
import type { RepoView } from '../../types';
import { startFakeLlm } from '../index';
import type { FakeLlm } from '../index';

const WEB_REPO: Record<string, string> = {
  'package.json': '{"name":"shop-api","type":"module","scripts":{"test":"vitest run"},"dependencies":{"fastify":"^5.0.0"}}',
  'tsconfig.json': '{"compilerOptions":{"strict":true}}',
  'vitest.config.ts': 'export default {};',
  'README.md': '# shop-api\nA Fastify API for the shop.',
  'src/server.ts': "import Fastify from 'fastify';\nimport { loginRoutes } from './routes/login';\nexport function buildServer() {\n  const app = Fastify();\n  app.register(loginRoutes);\n  return app;\n}",
  'src/routes/login.ts':
    "import type { FastifyInstance } from 'fastify';\nimport { findUser } from '../services/userStore';\n\nexport async function loginRoutes(app: FastifyInstance) {\n  app.post('/api/login', async (request, reply) => {\n    const user = await findUser(request.body);\n    if (!user) return reply.code(401).send({ error: 'invalid credentials' });\n    return { token: user.token };\n  });\n}",
  'src/routes/orders.ts': "export async function orderRoutes() {}\n",
  'src/routes/login.test.ts': "import { it } from 'vitest';\nit('logs in', () => {});",
  'src/services/userStore.ts': 'export async function findUser(body: unknown) { return undefined; }',
};
const FILES = Object.keys(WEB_REPO).sort();

const PY_REPO: Record<string, string> = {
  'pyproject.toml': '[project]\nname = "reports"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
  'reports/__init__.py': '',
  'reports/cli.py': 'import argparse\nfrom reports.render_report import render_report\n\ndef main(argv=None):\n    parser = argparse.ArgumentParser()\n    parser.add_argument("input")\n    args = parser.parse_args(argv)\n    print(render_report(args.input))\n',
  'reports/render_report.py': 'def render_report(path):\n    with open(path) as f:\n        return f.read()\n',
  'tests/test_cli.py': 'from reports.cli import main\n\ndef test_main(tmp_path):\n    pass\n',
};
const PY_SPEC = {
  title: 'Add a JSON output option to the report command',
  description: 'Add a --json flag to the report command that prints the report as JSON. If the input file is missing, print an error naming the file and exit with code 2.',
};

const SPEC = {
  title: 'Rate limit failed login attempts',
  description:
    'Count failed login attempts per account. After 5 failed attempts within 15 minutes, return 429 with a Retry-After header. Reset the counter after a successful login.',
};

/** The repository tools, answering as the model executor does (packages/sandbox/src/executors/model/tools.ts). */
function runTool(name: string, input: unknown, REPO: Record<string, string> = WEB_REPO): string {
  const FILES = Object.keys(REPO).sort();
  const args = (input ?? {}) as Record<string, unknown>;
  const arg = (key: string) => (typeof args[key] === 'string' ? args[key] : '');
  if (name === 'list_files') return [`${FILES.length} file(s) match ${arg('glob') || '**/*'}:`, ...FILES].join('\n');
  if (name === 'read_file') {
    const path = arg('path');
    const text = REPO[path];
    if (text === undefined) return `read_file refused: ${path} does not exist`;
    const lines = text.split('\n');
    return [`${path} (lines 1-${lines.length} of ${lines.length})`, ...lines.map((l, i) => `${String(i + 1).padStart(2)}| ${l}`)].join('\n');
  }
  if (name === 'search') {
    const q = arg('query').toLowerCase();
    const hits = FILES.flatMap((f) =>
      REPO[f]!.split('\n').flatMap((line, i) => (line.toLowerCase().includes(q) || f.includes(q) ? [`${f}:${i + 1}: ${line.trim()}`] : [])),
    );
    return hits.length > 0 ? hits.slice(0, 40).join('\n') : `no match for "${q}"`;
  }
  return `unknown tool ${name}`;
}

const REPO_TOOLS = [
  { name: 'list_files', description: 'List files', parameters: { type: 'object', properties: { glob: { type: 'string' } } } },
  { name: 'read_file', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' }, start_line: { type: 'integer' }, end_line: { type: 'integer' } }, required: ['path'] } },
  { name: 'search', description: 'Search the code', parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } },
];

/** The user prompt of a phase, shaped like the executor's prompts (packages/sandbox/src/prompts/). */
function prompt(phase: string, context: PhaseData, spec = SPEC): string {
  return `# Phase: ${phase.toUpperCase()}\n\nFeature request\n- Title: ${spec.title}\n- Description: ${spec.description}\n\nWrite the ${phase}.\n\nEarlier phases:\n\`\`\`json\n${JSON.stringify(context, null, 2)}\n\`\`\``;
}

interface Trace {
  calls: { name: string; input: Record<string, unknown> }[];
  output: Record<string, unknown>;
}

async function anthropicPhase(client: Anthropic, phase: string, context: PhaseData, repoFiles = WEB_REPO, spec = SPEC): Promise<Trace> {
  const tools: Anthropic.Tool[] = [
    ...REPO_TOOLS.map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters as Anthropic.Tool['input_schema'] })),
    { name: `submit_${phase}`, description: 'Submit the answer', input_schema: { type: 'object' } },
  ];
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: prompt(phase, context, spec) }];
  const calls: Trace['calls'] = [];
  for (let turn = 0; turn < 8; turn++) {
    const message = await client.messages.stream({ model: 'claude-test', max_tokens: 8000, system: [{ type: 'text', text: 'You are a planner.' }], messages, tools }).finalMessage();
    const uses = message.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
    const submit = uses.find((u) => u.name === `submit_${phase}`);
    if (submit) return { calls, output: submit.input as Record<string, unknown> };
    expect(message.stop_reason).toBe('tool_use');
    messages.push({ role: 'assistant', content: message.content });
    messages.push({
      role: 'user',
      content: uses.map((u) => {
        calls.push({ name: u.name, input: u.input as Record<string, unknown> });
        return { type: 'tool_result' as const, tool_use_id: u.id, content: runTool(u.name, u.input, repoFiles) };
      }),
    });
  }
  throw new Error(`no ${phase} answer in 8 turns`);
}

async function openAiPhase(client: OpenAI, phase: string, context: PhaseData): Promise<Trace> {
  const tools: ChatCompletionTool[] = REPO_TOOLS.map((t) => ({ type: 'function', function: t }));
  const messages: ChatCompletionMessageParam[] = [
    { role: 'system', content: 'You are a planner.' },
    { role: 'user', content: prompt(phase, context) },
  ];
  const calls: Trace['calls'] = [];
  for (let turn = 0; turn < 8; turn++) {
    const completion = await client.chat.completions.create({
      model: 'gpt-test',
      messages,
      tools,
      response_format: { type: 'json_schema', json_schema: { name: `${phase}_output`, schema: { type: 'object' }, strict: false } },
    });
    const message = completion.choices[0]!.message;
    const toolCalls = (message.tool_calls ?? []).flatMap((c) => (c.type === 'function' ? [c] : []));
    if (toolCalls.length === 0) return { calls, output: JSON.parse(message.content ?? 'null') as Record<string, unknown> };
    messages.push({ role: 'assistant', content: message.content, tool_calls: toolCalls });
    for (const call of toolCalls) {
      const input = JSON.parse(call.function.arguments) as Record<string, unknown>;
      calls.push({ name: call.function.name, input });
      messages.push({ role: 'tool', tool_call_id: call.id, content: runTool(call.function.name, input) });
    }
  }
  throw new Error(`no ${phase} answer in 8 turns`);
}

/** A fixture as the evaluators' grounding checks see a repository. */
const LANGUAGE: Record<string, string> = { '.ts': 'TypeScript', '.js': 'JavaScript', '.py': 'Python' };
const languageOf = (path: string) => LANGUAGE[/\.[a-z]+$/.exec(path)?.[0] ?? ''] ?? null;
function repoView(files: readonly string[], runner: string): RepoView {
  const under = (path: string) => files.some((f) => f.startsWith(`${path.replace(/\/$/, '')}/`));
  const counts = new Map<string, number>();
  for (const f of files) {
    const language = languageOf(f);
    if (language) counts.set(language, (counts.get(language) ?? 0) + 1);
  }
  return {
    exists: (path) => files.includes(path) || under(path),
    isDir: under,
    languages: [...counts].map(([name, n]) => ({ name, files: n })),
    languageOf,
    testRunners: [runner],
  };
}

function expectPasses(
  phase: 'explore' | 'requirements' | 'design' | 'tasks',
  output: Record<string, unknown>,
  context: PhaseData,
  spec = SPEC,
  repo = repoView(FILES, 'Vitest'),
) {
  const result = evaluate(phase, output, context, { spec, repo });
  expect(result.problems.filter((p) => p.severity === 'error'), result.feedback).toEqual([]);
  expect(result.passed, result.feedback).toBe(true);
  expect(output['generated_by']).toBe('fake-llm');
}

let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm({ provider: 'both', auto: true });
});
afterAll(async () => {
  await fake.close();
});

describe('auto mode', () => {
  it('plays list_files → read_file → search → final per phase, and its requirements → design → tasks pass the evaluators (Anthropic, streaming)', async () => {
    const client = new Anthropic({ apiKey: 'any', baseURL: fake.anthropicBaseUrl, maxRetries: 0 });
    const context: PhaseData = {};

    const requirements = await anthropicPhase(client, 'requirements', context);
    expect(requirements.calls.map((c) => c.name)).toEqual(['list_files', 'read_file', 'search']);
    expect(requirements.calls[0]!.input).toEqual({ glob: '**/*' });
    expect(FILES).toContain(requirements.calls[1]!.input['path']);
    const keyword = String(requirements.calls[2]!.input['query']);
    expect(`${SPEC.title} ${SPEC.description}`.toLowerCase()).toContain(keyword);
    expectPasses('requirements', requirements.output, context);
    const reqs = requirements.output['requirements'] as { id: string; text: string; acceptance_criteria: { id: string; text: string }[] }[];
    expect(reqs.length).toBeGreaterThanOrEqual(3);
    for (const r of reqs) {
      expect(r.text).toMatch(/^(WHEN|IF|WHILE|WHERE) .+, (THEN )?THE SYSTEM SHALL /);
      expect(r.acceptance_criteria.length).toBeGreaterThanOrEqual(2);
      expect(r.text).not.toMatch(/\b(fast|user-friendly|easy|should|may)\b/i);
    }
    expect(JSON.stringify(reqs)).toContain('429');
    expect(JSON.stringify(reqs)).toContain('Retry-After');
    context['requirements'] = requirements.output;

    const design = await anthropicPhase(client, 'design', context);
    expectPasses('design', design.output, context);
    const components = design.output['components'] as { id: string; file_path: string; change: string; requirements: string[] }[];
    const modified = components.filter((c) => c.change === 'modify');
    expect(modified.length).toBeGreaterThan(0);
    for (const c of modified) expect(FILES).toContain(c.file_path);
    const dirOf = (path: string) => path.slice(0, path.lastIndexOf('/'));
    for (const c of components.filter((x) => x.change === 'create')) {
      // New files: in a directory that holds listed files, with their extension and camelCase names.
      expect(FILES).not.toContain(c.file_path);
      expect(FILES.some((f) => f.endsWith('.ts') && dirOf(f) === dirOf(c.file_path))).toBe(true);
      expect(c.file_path).toMatch(/^src\/[a-z]+\/[a-z][A-Za-z]*\.ts$/);
    }
    expect(design.output['api_endpoints']).toEqual([expect.objectContaining({ method: 'POST', path: '/api/login' })]);
    const served = new Set(components.flatMap((c) => c.requirements));
    for (const r of reqs) expect(served).toContain(r.id);
    context['design'] = design.output;

    const tasks = await anthropicPhase(client, 'tasks', context);
    expectPasses('tasks', tasks.output, context);
    const list = tasks.output['tasks'] as { id: string; title: string; estimated_hours: number; depends_on: string[]; requirements: string[]; components?: string[] }[];
    const ids = list.map((t) => t.id);
    list.forEach((t, i) => {
      expect(t.estimated_hours).toBeGreaterThanOrEqual(1);
      expect(t.estimated_hours).toBeLessThanOrEqual(8);
      for (const dep of t.depends_on) expect(ids.indexOf(dep)).toBeLessThan(i);
      for (const id of t.requirements) expect(reqs.map((r) => r.id)).toContain(id);
    });
    for (const test of list.filter((t) => t.title.startsWith('Test '))) {
      const impl = list.find((t) => t.id === test.depends_on[0])!;
      expect(impl.title).not.toMatch(/^Test /);
    }
    expect(new Set(list.flatMap((t) => t.components ?? []))).toEqual(new Set(components.map((c) => c.id)));
    const phases = fake.requests.filter((r) => r.provider === 'anthropic').map((r) => r.phase);
    expect(new Set(phases)).toEqual(new Set(['requirements', 'design', 'tasks']));
    expect(fake.requests.every((r) => r.auto)).toBe(true);
  });

  it('answers through response_format on OpenAI, explore included, and every phase passes', async () => {
    const client = new OpenAI({ apiKey: 'any', baseURL: fake.openaiBaseUrl, maxRetries: 0 });
    const context: PhaseData = {};
    for (const phase of ['explore', 'requirements', 'design', 'tasks'] as const) {
      const trace = await openAiPhase(client, phase, context);
      expect(trace.calls.map((c) => c.name)).toEqual(['list_files', 'read_file', 'search']);
      expectPasses(phase, trace.output, context);
      context[phase] = trace.output;
    }
    const explore = context['explore'] as { tech_stack: string[]; key_files: { path: string }[] };
    expect(explore.tech_stack).toEqual(expect.arrayContaining(['TypeScript', 'Node.js', 'Vitest']));
    for (const k of explore.key_files) expect(FILES).toContain(k.path);
  });

  it('follows another stack: a Python CLI gets snake_case files, pytest tests under tests/, exit-code criteria, no HTTP', async () => {
    const client = new Anthropic({ apiKey: 'any', baseURL: fake.anthropicBaseUrl, maxRetries: 0 });
    const files = Object.keys(PY_REPO).sort();
    const repo = repoView(files, 'pytest');
    const context: PhaseData = {};
    for (const phase of ['requirements', 'design', 'tasks'] as const) {
      const trace = await anthropicPhase(client, phase, context, PY_REPO, PY_SPEC);
      expect(files).toContain(trace.calls[1]!.input['path']);
      expectPasses(phase, trace.output, context, PY_SPEC, repo);
      context[phase] = trace.output;
    }
    const text = JSON.stringify(context['requirements']);
    expect(text).toContain('exits with code 2');
    expect(text).not.toMatch(/HTTP \d{3}/);
    const components = (context['design'] as { components: { file_path: string; files: { path: string }[] }[] }).components;
    for (const c of components) {
      expect(c.file_path).toMatch(/^reports\/[a-z_]+\.py$/);
      expect(c.files.map((f) => f.path)).toContainEqual(expect.stringMatching(/^tests\/test_[a-z_]+\.py$/));
    }
    expect((context['design'] as { testing_strategy: string }).testing_strategy).toMatch(/^pytest/);
  });

  it('answers at once when tool_choice forces the submit tool, and says so when the request names no phase', async () => {
    const client = new Anthropic({ apiKey: 'any', baseURL: fake.anthropicBaseUrl, maxRetries: 0 });
    const forced = await client.messages.create({
      model: 'claude-test',
      max_tokens: 4000,
      messages: [{ role: 'user', content: prompt('requirements', {}) }],
      tools: [
        { name: 'list_files', input_schema: { type: 'object' } },
        { name: 'submit_requirements', input_schema: { type: 'object' } },
      ],
      tool_choice: { type: 'tool', name: 'submit_requirements' },
    });
    expect(forced.content[0]).toMatchObject({ type: 'tool_use', name: 'submit_requirements' });

    const none = await client.messages.create({ model: 'claude-test', max_tokens: 100, messages: [{ role: 'user', content: 'hello' }] });
    expect(none.content[0]).toMatchObject({ type: 'text' });
    expect((none.content[0] as Anthropic.TextBlock).text).toContain('no phase');
  });
});
