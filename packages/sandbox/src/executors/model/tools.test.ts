/** The repository tools, the price table, the phase schemas and the prompt templates, on their own. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeIndex } from '../../codeindex/types';
import { PROMPT_NAMES, loadPrompt, renderPrompt } from '../../prompts/index';
import { kindOf, redact, retryAfterMs } from './errors';
import { shrinkToolResults } from './loop';
import { DEFAULT_PRICES, costOf, mergePrices, priceOf } from './prices';
import { PathRefused, Repo, normalizeRelative } from './repo';
import { phaseJsonSchema, stripFence, validateAnswer } from './schemas';
import { makeRepo, type TempRepo } from './testkit';
import { RepoTools } from './tools';
import type { ChatMessage } from './types';

let repo: TempRepo;
beforeAll(async () => {
  repo = await makeRepo();
  await mkdir(join(repo.root, 'web', 'generated'), { recursive: true });
  await writeFile(join(repo.root, 'web', '.gitignore'), 'generated/\n');
  await writeFile(join(repo.root, 'web', 'generated', 'client.ts'), 'export const generated = 1;\n');
  await writeFile(join(repo.root, 'web', 'app.ts'), 'export const app = "web";\n');
});
afterAll(async () => {
  await repo.remove();
});

const signal = new AbortController().signal;
const tools = (maxReadBytes = 100_000, index?: CodeIndex) => new RepoTools(new Repo(repo.root), { maxReadBytes }, index);

describe('repository tools', () => {
  it('list_files: globs over the files, .gitignore (nested ones too) and build directories left out', async () => {
    const t = tools();
    const all = await t.call('list_files', {}, signal);
    expect(all.isError).toBe(false);
    expect(all.content).toContain('src/server.ts');
    expect(all.content).toContain('web/app.ts');
    for (const hidden of ['dist/server.js', 'debug.log', '.env', 'web/generated/client.ts']) expect(all.content).not.toContain(hidden);
    const ts = await t.call('list_files', { glob: '*.ts' }, signal);
    expect(ts.content.split('\n').slice(1).sort()).toEqual(['src/routes/users.ts', 'src/server.ts', 'test/server.test.ts', 'web/app.ts']);
    expect(ts.argsSummary).toBe('*.ts');
    const routes = await t.call('list_files', { glob: 'src/routes/**' }, signal);
    expect(routes.content).toBe('1 file(s) match src/routes/**:\nsrc/routes/users.ts');
  });

  it('read_file: line numbers, ranges, a message past the end', async () => {
    const t = tools();
    const read = await t.call('read_file', { path: './src/server.ts', start_line: 2, end_line: 3 }, signal);
    expect(read.content).toBe("src/server.ts (lines 2-3 of 5)\n2| import { users } from './routes/users';\n3| export const app = Fastify();");
    expect(read.argsSummary).toBe('src/server.ts:2-3');
    const past = await t.call('read_file', { path: 'src/server.ts', start_line: 50 }, signal);
    expect(past.isError).toBe(true);
    expect(past.content).toContain('has 5 line(s)');
    const missing = await t.call('read_file', { path: 'src/nope.ts' }, signal);
    expect(missing).toMatchObject({ isError: true });
    expect(missing.content).toContain('no such file');
    const dir = await t.call('read_file', { path: 'src' }, signal);
    expect(dir.content).toContain('is a directory');
  });

  it('the read budget: what is handed over counts, and an empty budget refuses further reads', async () => {
    const t = tools(1_000);
    const first = await t.call('read_file', { path: 'big.txt' }, signal);
    expect(Buffer.byteLength(first.content)).toBeLessThan(1_100);
    expect(first.content).toContain('[cut at');
    expect(t.exhausted).toBe(true);
    const refused = await t.call('read_file', { path: 'src/server.ts' }, signal);
    expect(refused).toMatchObject({ isError: true });
    expect(refused.content).toContain('MODEL_MAX_READ_BYTES');
    expect((await t.call('search', { query: 'app' }, signal)).isError).toBe(true);
  });

  it('search: text matches (case-insensitive, binaries and ignored files skipped); code index hits first when there is an index', async () => {
    const t = tools();
    const hits = await t.call('search', { query: 'FASTIFY()' }, signal);
    expect(hits.content).toBe('src/server.ts:3: export const app = Fastify();');
    const none = await t.call('search', { query: 'compiled' }, signal);
    expect(none.content).toContain('no match');
    const words = await t.call('search', { query: 'users prefix register' }, signal);
    expect(words.content).toContain("src/server.ts:5: app.register(users, { prefix: '/api/v1' });");

    const index = { search: () => [{ path: 'src/routes/users.ts', symbol: 'users', line: 1, score: 3.2, matched: ['symbol'] }] } as unknown as CodeIndex;
    const ranked = await tools(100_000, index).call('search', { query: 'users' }, signal);
    expect(ranked.content.split('\n').slice(0, 2)).toEqual(['Code index (ranked):', 'src/routes/users.ts:1 users (matched symbol)']);
    expect(ranked.message).toMatch(/1 index hit\(s\), \d+ matching line\(s\)/);
  });

  it('unknown tools and bad arguments are error results, never exceptions', async () => {
    const t = tools();
    expect(await t.call('rm_rf', {}, signal)).toMatchObject({ isError: true });
    expect(await t.call('read_file', { start_line: 1 }, signal)).toMatchObject({ isError: true, content: expect.stringContaining('"path" is required') as unknown });
    expect(await t.call('search', { query: '' }, signal)).toMatchObject({ isError: true });
    expect(await t.call('read_file', 'not an object', signal)).toMatchObject({ isError: true });
  });

  it('normalizeRelative refuses absolute paths and escapes', () => {
    expect(normalizeRelative('./src//a/../b.ts')).toBe('src/b.ts');
    expect(normalizeRelative('src\\win\\path.ts')).toBe('src/win/path.ts');
    for (const bad of ['/etc/passwd', '../x', 'a/../../x', 'C:\\x', '~/x', '']) expect(() => normalizeRelative(bad)).toThrow(PathRefused);
  });
});

describe('prices', () => {
  it('exact, dated, router-prefixed and dotted names find their price; unknown ones none', () => {
    expect(priceOf('claude-sonnet-5-5', DEFAULT_PRICES)).toEqual(DEFAULT_PRICES['claude-sonnet-5-5']);
    expect(priceOf('claude-sonnet-4-5-20250929', DEFAULT_PRICES)).toEqual(DEFAULT_PRICES['claude-sonnet-4-5']);
    expect(priceOf('anthropic/claude-sonnet-4.5', DEFAULT_PRICES)).toEqual(DEFAULT_PRICES['claude-sonnet-4-5']);
    expect(priceOf('gpt-4.1-mini-2025-04-14', DEFAULT_PRICES)).toEqual(DEFAULT_PRICES['gpt-4.1-mini']);
    expect(priceOf('qwen2.5-coder:7b', DEFAULT_PRICES)).toBeNull();
  });

  it('cost: each kind of token at its price, cache prices defaulting to the input price; overrides replace an entry', () => {
    const usage = { input_tokens: 1_000_000, output_tokens: 100_000, cache_read_input_tokens: 2_000_000, cache_creation_input_tokens: 1_000_000 };
    expect(costOf(usage, { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 })).toBeCloseTo(3 + 1.5 + 0.6 + 3.75, 10);
    expect(costOf(usage, { input: 1, output: 2 })).toBeCloseTo(1 + 0.2 + 2 + 1, 10);
    expect(costOf(usage, null)).toBe(0);
    const table = mergePrices({ 'qwen2.5-coder:7b': { input: 0, output: 0 }, 'gpt-4.1-mini': { input: 1, output: 1 } });
    expect(priceOf('qwen2.5-coder:7b', table)).toEqual({ input: 0, output: 0 });
    expect(priceOf('gpt-4.1-mini', table)).toEqual({ input: 1, output: 1 });
  });
});

describe('phase schemas', () => {
  it('each phase has an object JSON Schema without $schema and with additionalProperties true', () => {
    for (const phase of ['explore', 'prd', 'requirements', 'design', 'tasks'] as const) {
      const schema = phaseJsonSchema(phase);
      expect(schema['type']).toBe('object');
      expect(schema['$schema']).toBeUndefined();
      expect(JSON.stringify(schema)).not.toContain('"additionalProperties":{}');
    }
  });

  it('validation names where the answer is wrong; JSON text (fenced or not) is parsed', () => {
    const bad = validateAnswer('tasks', { tickets: [], tasks: [{ id: 'TSK-001', estimated_hours: -1 }] });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.errors).toContainEqual(expect.stringMatching(/^tasks\[0\]\.estimated_hours: /));
      expect(bad.errors).toContainEqual(expect.stringMatching(/^tasks\[0\]\.ticket_id: /));
    }
    expect(validateAnswer('requirements', '```json\n{"requirements": []}\n```')).toEqual({ ok: true, output: { requirements: [] } });
    expect(validateAnswer('requirements', 'not json')).toMatchObject({ ok: false, errors: [expect.stringContaining('not valid JSON')] });
    expect(validateAnswer('requirements', [])).toMatchObject({ ok: false, errors: ['the answer must be a JSON object, not an array'] });
    expect(stripFence('  {"a":1} ')).toBe('{"a":1}');
  });
});

describe('errors', () => {
  it('retry-after: milliseconds, seconds and HTTP dates', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }), 0)).toBe(2_000);
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }), 0)).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 4_000)).toBe(6_000);
    expect(retryAfterMs(new Headers({}), 0)).toBeNull();
  });

  it('statuses map to what the loop does', () => {
    expect(kindOf(401, null, null, '')).toBe('auth');
    expect(kindOf(403, null, null, '')).toBe('auth');
    expect(kindOf(404, null, null, '')).toBe('not_found');
    for (const status of [408, 429, 500, 502, 503, 529]) expect(kindOf(status, null, null, '')).toBe('retryable');
    expect(kindOf(400, 'invalid_request_error', null, 'prompt is too long: 250000 tokens > 200000 maximum')).toBe('context_length');
    expect(kindOf(400, null, 'context_length_exceeded', '')).toBe('context_length');
    expect(kindOf(400, null, null, "This model's maximum context length is 8192 tokens")).toBe('context_length');
    expect(kindOf(400, null, null, 'max_tokens: too large')).toBe('bad_request');
    expect(kindOf(null, 'overloaded_error', null, 'Overloaded')).toBe('retryable');
  });

  it('redact removes the key and bearer tokens', () => {
    expect(redact('key sk-abc123SECRETxyz-0000 and Bearer abcdefghijklmnop', ['sk-abc123SECRETxyz-0000'])).toBe('key [redacted] and Bearer [redacted]');
  });
});

describe('shrinking tool results', () => {
  it('older results become stubs, the newest keeps 2,000 characters; nothing to shrink says so', () => {
    const long = 'x'.repeat(10_000);
    const messages: ChatMessage[] = [
      { role: 'user', text: 'go' },
      { role: 'assistant', text: '', toolCalls: [{ id: 'a', name: 'read_file', input: {} }] },
      { role: 'tool_results', results: [{ id: 'a', name: 'read_file', content: long }] },
      { role: 'assistant', text: '', toolCalls: [{ id: 'b', name: 'read_file', input: {} }] },
      { role: 'tool_results', results: [{ id: 'b', name: 'read_file', content: long }] },
    ];
    expect(shrinkToolResults(messages)).toBe(true);
    const sizes = messages.flatMap((m) => (m.role === 'tool_results' ? m.results.map((r) => r.content.length) : []));
    expect(sizes[0]).toBeLessThan(400);
    expect(sizes[1]).toBeGreaterThan(1_900);
    expect(sizes[1]).toBeLessThan(2_100);
    expect(shrinkToolResults(messages)).toBe(false);
  });
});

describe('prompt templates', () => {
  it('every template loads, and rendering refuses missing or unused values', () => {
    for (const name of PROMPT_NAMES) expect(loadPrompt(name).length).toBeGreaterThan(20);
    expect(renderPrompt('answer-tool', { submit: 'submit_tasks' })).toContain('`submit_tasks`');
    expect(() => renderPrompt('answer-tool', {})).toThrow(/no value for submit/);
    expect(() => renderPrompt('answer-tool', { submit: 'x', extra: 'y' })).toThrow(/unused value\(s\) extra/);
  });
});
