/** Server behaviour shared by both protocols: routing, scripts, waiting, logging, closing. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI, { NotFoundError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeLlm } from '../index';
import type { FakeLlm, FakeLlmLogEntry, RecordedRequest } from '../index';
import { FakeLlmUsageError, parseScript, runFakeLlmCli } from './cli';

const started: FakeLlm[] = [];
async function start(...args: Parameters<typeof startFakeLlm>): Promise<FakeLlm> {
  const fake = await startFakeLlm(...args);
  started.push(fake);
  return fake;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.close()));
});

const claude = (fake: FakeLlm) => new Anthropic({ apiKey: 'k', baseURL: fake.anthropicBaseUrl, maxRetries: 0 });
const gpt = (fake: FakeLlm) => new OpenAI({ apiKey: 'k', baseURL: fake.openaiBaseUrl, maxRetries: 0 });
const ask = { model: 'm', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] };

describe('startFakeLlm', () => {
  it("serves both protocols from one server with provider 'both', in one script order", async () => {
    const fake = await start({ provider: 'both', script: [{ text: 'from claude' }, { text: 'from gpt' }] });
    const a = await claude(fake).messages.create(ask);
    const o = await gpt(fake).chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(a.content).toEqual([{ type: 'text', text: 'from claude' }]);
    expect(o.choices[0]!.message.content).toBe('from gpt');
    expect(fake.requests.map((r) => r.provider)).toEqual(['anthropic', 'openai']);
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fake.openaiBaseUrl).toBe(`${fake.url}/v1`);
  });

  it('answers 404 for the protocol it does not serve, without using a turn', async () => {
    const fake = await start({ provider: 'anthropic', script: [{ text: 'kept' }] });
    expect(await gpt(fake).chat.completions.create({ model: 'm', messages: [] }).catch((e: unknown) => e)).toBeInstanceOf(NotFoundError);
    const unknown = await fetch(`${fake.url}/v2/whatever`);
    expect(unknown.status).toBe(404);
    expect(fake.pending()).toBe(1);
    expect(fake.requests.map((r) => r.turn)).toEqual(['not_found', 'not_found']);
  });

  it('asks a script function once the queue is empty, passing the recorded request', async () => {
    const seen: RecordedRequest[] = [];
    const fake = await start({
      provider: 'anthropic',
      script: (request) => {
        seen.push(request);
        return request.phase === 'design' ? { final: { components: [] } } : { text: `call ${request.index}` };
      },
    });
    fake.enqueue({ text: 'queued first' });
    const client = claude(fake);
    expect((await client.messages.create(ask)).content).toEqual([{ type: 'text', text: 'queued first' }]);
    expect((await client.messages.create(ask)).content).toEqual([{ type: 'text', text: 'call 1' }]);
    const design = await client.messages.create({ ...ask, tools: [{ name: 'submit_design', input_schema: { type: 'object' } }] });
    expect(design.content[0]).toMatchObject({ type: 'tool_use', name: 'submit_design', input: { components: [] } });
    expect(seen.map((r) => r.phase)).toEqual([null, 'design']);
  });

  it('waitForRequests resolves when concurrent requests have arrived; close() rejects what is still awaited', async () => {
    const fake = await start({ provider: 'openai', script: [{ delayMs: 60_000, then: { text: 'a' } }, { delayMs: 60_000, then: { text: 'b' } }] });
    const client = gpt(fake);
    const controller = new AbortController();
    const calls = [1, 2].map(() => client.chat.completions.create({ model: 'm', messages: [] }, { signal: controller.signal }).catch((e: unknown) => e));
    const requests = await fake.waitForRequests(2);
    expect(requests).toHaveLength(2);
    const never = fake.waitForRequests(3);
    controller.abort();
    await Promise.all(calls);
    await fake.close();
    await expect(never).rejects.toThrow(/closed/);
  });

  it('reports each finished exchange to onRequest without headers or keys', async () => {
    const entries: FakeLlmLogEntry[] = [];
    const fake = await start({ provider: 'anthropic', apiKey: 'secret-key', script: [{ text: 'ok' }], onRequest: (e) => entries.push(e) });
    await new Anthropic({ apiKey: 'secret-key', baseURL: fake.anthropicBaseUrl, maxRetries: 0 }).messages.create(ask);
    await fake.waitFor((r) => r[0]?.done === true);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ method: 'POST', path: '/v1/messages', provider: 'anthropic', turn: 'text', status: 200, aborted: false });
    expect(JSON.stringify(entries)).not.toContain('secret-key');
  });
});

describe('fake-llm CLI', () => {
  it('starts in auto mode, prints the base URLs and the env lines, and logs one line per request without the key', async () => {
    const lines: string[] = [];
    const cli = await runFakeLlmCli(['--provider', 'openai', '--port', '0', '--api-key', 'sk-cli'], (l) => lines.push(l));
    started.push(cli.fake);
    expect(lines.join('\n')).toContain(`OPENAI_BASE_URL=${cli.fake.openaiBaseUrl}`);
    expect(lines.join('\n')).not.toContain('ANTHROPIC_BASE_URL');
    expect(lines.join('\n')).not.toContain('sk-cli');

    const client = new OpenAI({ apiKey: 'sk-cli', baseURL: cli.fake.openaiBaseUrl, maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: '- Title: Export orders\n- Description: Add a CSV export.' }],
      tools: [{ type: 'function', function: { name: 'list_files', parameters: { type: 'object' } } }],
      response_format: { type: 'json_schema', json_schema: { name: 'requirements_output', schema: {} } },
    });
    expect(completion.choices[0]!.message.tool_calls![0]).toMatchObject({ function: { name: 'list_files' } });
    await cli.fake.waitFor((r) => r[0]?.done === true);
    const log = lines.at(-1)!;
    expect(log).toMatch(/^#1 POST \/v1\/chat\/completions openai phase=requirements turn=tool_calls \(auto\) 200 \d+ms$/);
    expect(log).not.toContain('sk-cli');
    await cli.stop();
  });

  it('plays a script file, and refuses bad arguments and bad scripts with a usage error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-llm-'));
    try {
      const file = join(dir, 'turns.json');
      await writeFile(file, JSON.stringify({ turns: [{ text: 'scripted' }] }));
      const cli = await runFakeLlmCli(['--provider', 'anthropic', '--port', '0', '--script', file], () => undefined);
      started.push(cli.fake);
      expect((await claude(cli.fake).messages.create(ask)).content).toEqual([{ type: 'text', text: 'scripted' }]);
      expect(await claude(cli.fake).messages.create(ask).catch((e: unknown) => (e as Error).message)).toContain('the script ran out');

      await writeFile(file, '[{"text": "ok"}, {"delayMs": 5}]');
      await expect(runFakeLlmCli(['--port', '0', '--script', file], () => undefined)).rejects.toThrow(/turn 2\.then is not a turn/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    await expect(runFakeLlmCli(['--provider', 'gemini'], () => undefined)).rejects.toBeInstanceOf(FakeLlmUsageError);
    await expect(runFakeLlmCli(['--port', 'x'], () => undefined)).rejects.toThrow(/--port/);
    await expect(runFakeLlmCli(['--bogus'], () => undefined)).rejects.toThrow(/usage:/);
    expect(() => parseScript([{ error: { type: 'x' } }], 'inline')).toThrow(/numeric status/);
    expect(parseScript([{ drop: 'mid_stream' }, { final: {} }], 'inline')).toHaveLength(2);
  });
});
