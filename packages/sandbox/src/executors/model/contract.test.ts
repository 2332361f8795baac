/**
 * The executor contract, one suite run against both providers (Anthropic Messages and OpenAI Chat
 * Completions), streaming and not, and OpenAI's json_schema mode: real HTTP to the fake servers of
 * `@specline/sandbox/testing`, scripted per test. Backoff waits run on a manual clock.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Phase } from '@specline/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '../../clock';
import { cleanExplore, cleanRequirements } from '../../evaluators/fixtures';
import { fakeError, startFakeLlm, type FakeLlm, type FakeTurn } from '../../testing/index';
import type { Clock, PhaseExecutor } from '../../types';
import { DEFAULT_PRICES, costOf } from './prices';
import { TEST_KEY, VARIANTS, bodyText, executorFor, makeContext, makeRepo, until, type TempRepo, type Variant } from './testkit';

let repo: TempRepo;
beforeAll(async () => {
  repo = await makeRepo();
});
afterAll(async () => {
  await repo.remove();
});

const requirements = () => cleanRequirements() as unknown as Record<string, unknown>;
const explored = () => ({ explore: cleanExplore() as unknown as Record<string, unknown> });

describe.each(VARIANTS)('model executor contract: $provider, stream $stream, answers by $structured', (variant: Variant) => {
  let fake: FakeLlm;
  let clock: ManualClock;
  let executor: PhaseExecutor;
  const signal = () => new AbortController().signal;

  const start = async (script: FakeTurn[], options: { apiKey?: string; clock?: Clock; limits?: Record<string, number>; maxReadBytes?: number } = {}) => {
    fake = await startFakeLlm({ provider: variant.provider, apiKey: options.apiKey ?? TEST_KEY, script });
    clock = createManualClock(1_000_000);
    executor = executorFor(fake, variant, { clock: options.clock ?? clock, ...(options.limits ? { limits: options.limits } : {}), ...(options.maxReadBytes ? { maxReadBytes: options.maxReadBytes } : {}) });
  };
  const run = (phase: Phase = 'requirements', context = makeContext(repo.root, { phaseData: explored() }), abort = signal()) => ({ context, result: executor.execute(phase, context, null, abort) });

  afterEach(async () => {
    await fake.close();
  });

  it('explores the repository through the tools, reports every call, and returns the final answer as it came', async () => {
    const final = requirements();
    await start([
      { toolCalls: [{ name: 'list_files', input: { glob: 'src/**/*.ts' } }] },
      { toolCalls: [{ name: 'read_file', input: { path: 'src/server.ts', start_line: 1, end_line: 4 } }, { name: 'search', input: { query: '/users/:id' } }] },
      { final },
    ]);
    const { context, result } = run();
    const { output, usage } = await result;
    expect(output).toEqual(final);
    expect(fake.requests).toHaveLength(3);

    const tools = context.lines.filter((l) => l.extra?.['tool'] !== undefined).map((l) => [l.extra?.['tool'], l.extra?.['args_summary']]);
    expect(tools).toEqual([
      ['list_files', 'src/**/*.ts'],
      ['read_file', 'src/server.ts:1-4'],
      ['search', '"/users/:id"'],
    ]);
    // What the model got back: the real files of the repository.
    const second = bodyText(fake, 1);
    expect(second).toContain('src/routes/users.ts');
    expect(second).toContain('src/server.ts');
    const third = bodyText(fake, 2);
    expect(third).toContain("app.get('/health'");
    expect(third).toContain('src/routes/users.ts:2:');
    // .gitignore respected by the listing.
    expect(second).not.toContain('dist/server.js');

    // The contract with the fakes: the submit tool or the json_schema name.
    const body = fake.requests[0]!.body as Record<string, unknown>;
    if (variant.structured === 'tool') expect(fake.requests[0]!.tools).toEqual(['list_files', 'read_file', 'search', 'submit_requirements']);
    else {
      expect(fake.requests[0]!.tools).toEqual(['list_files', 'read_file', 'search']);
      expect(body['response_format']).toMatchObject({ type: 'json_schema', json_schema: { name: 'requirements_output' } });
    }
    expect(fake.requests.every((r) => r.stream === variant.stream)).toBe(true);
    expect(usage?.input_tokens).toBeGreaterThan(0);
    expect(usage?.output_tokens).toBeGreaterThan(0);
    expect(usage?.cost_usd).toBeGreaterThan(0);
  });

  it('an invalid answer gets a repair turn that quotes the validation errors, then the valid one is returned', async () => {
    const final = requirements();
    await start([{ final: { feature_name: 'x', requirements: [{ id: 'REQ-001', text: 'THE SYSTEM SHALL limit.' }] } }, { final }]);
    const { context, result } = run();
    expect((await result).output).toEqual(final);
    expect(fake.requests).toHaveLength(2);
    const repair = bodyText(fake, 1);
    expect(repair).toContain('requirements[0].title');
    expect(repair).toContain('requirements[0].acceptance_criteria');
    expect(context.lines.map((l) => l.message)).toContainEqual(expect.stringMatching(/does not match the (submit_requirements|requirements_output) schema .*repair turn 1 of 2/));
    if (variant.structured === 'tool') {
      // The repair turn is forced to the submit tool.
      const body = fake.requests[1]!.body as Record<string, unknown>;
      expect(JSON.stringify(body['tool_choice'])).toContain('submit_requirements');
    }
  });

  it('an answer still invalid after the repair turns fails the attempt (not fatal), with its usage', async () => {
    const bad = { final: { requirements: 'none' } };
    await start([bad, bad, bad]);
    const error = (await run().result.catch((e: unknown) => e)) as Error & { fatal?: boolean; usage?: { input_tokens?: number } };
    expect(error.message).toMatch(/still invalid after 2 repair turn\(s\)/);
    expect(error.fatal).toBeUndefined();
    expect(error.usage?.input_tokens).toBeGreaterThan(0);
    expect(fake.requests).toHaveLength(3);
  });

  it('401: a fatal error naming the key setting, no retry, and the key appears nowhere', async () => {
    await start([], { apiKey: 'the-right-key' });
    const { context, result } = run();
    const error = (await result.catch((e: unknown) => e)) as Error & { fatal?: boolean };
    expect(error.fatal).toBe(true);
    const setting = variant.provider === 'anthropic' ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY';
    expect(error.message).toContain(setting);
    expect(error.message).toContain(fake.url);
    expect(error.message).not.toContain(TEST_KEY);
    expect(JSON.stringify(context.lines)).not.toContain(TEST_KEY);
    expect(fake.requests).toHaveLength(1);
    expect(clock.pending()).toBe(0);
  });

  it('429 with retry-after: 1 waits exactly one second on the clock, then succeeds', async () => {
    const final = requirements();
    await start([{ error: fakeError('rate_limit', { headers: { 'retry-after': '1' } }) }, { final }]);
    const { context, result } = run();
    await until(() => clock.pending() === 1, 'the backoff sleep');
    expect(fake.requests).toHaveLength(1);
    await clock.advance(999);
    expect(clock.pending()).toBe(1);
    await clock.advance(1);
    expect((await result).output).toEqual(final);
    expect(fake.requests).toHaveLength(2);
    expect(context.lines.map((l) => l.message)).toContainEqual(expect.stringMatching(/HTTP 429.*retrying in 1\.0 s \(retry 1 of 4\)/));
  });

  it('500 then success, after a backoff', async () => {
    const final = requirements();
    await start([{ error: { status: 500 } }, { final }]);
    const { result } = run();
    await until(() => clock.pending() === 1, 'the backoff sleep');
    await clock.advanceToNext();
    expect((await result).output).toEqual(final);
    expect(fake.requests.map((r) => r.status)).toEqual([500, 200]);
  });

  it.each(['before_headers', 'mid_stream'] as const)('a connection dropped %s is retried, then succeeds', async (when) => {
    const final = requirements();
    await start([{ drop: when }, { final }]);
    const { context, result } = run();
    await until(() => clock.pending() === 1, 'the backoff sleep');
    await clock.advanceToNext();
    expect((await result).output).toEqual(final);
    expect(fake.requests).toHaveLength(2);
    expect(context.lines.map((l) => l.message)).toContainEqual(expect.stringContaining('retrying in'));
  });

  it('retries give up after MODEL_MAX_RETRIES and fail the attempt', async () => {
    await start([{ error: { status: 503 } }, { error: { status: 503 } }, { error: { status: 503 } }], { limits: { maxRequestRetries: 2 } });
    const { result } = run();
    const failed = result.then(() => new Error('resolved'), (e: unknown) => e as Error);
    await until(() => clock.pending() === 1, 'first sleep');
    await clock.advanceToNext();
    await until(() => clock.pending() === 1 && fake.requests.length === 2, 'second sleep');
    await clock.advanceToNext();
    const error = await failed;
    expect(error.message).toMatch(/gave up after 2 retries/);
    expect((error as { fatal?: boolean }).fatal).toBeUndefined();
    expect(fake.requests).toHaveLength(3);
  });

  it('context too long: older tool results are shrunk and the turn is retried once', async () => {
    const final = requirements();
    await start([
      { toolCalls: [{ name: 'read_file', input: { path: 'big.txt' } }] },
      { toolCalls: [{ name: 'read_file', input: { path: 'src/server.ts' } }] },
      { error: fakeError('context_length') },
      { final },
    ]);
    const { context, result } = run();
    expect((await result).output).toEqual(final);
    expect(fake.requests).toHaveLength(4);
    expect(bodyText(fake, 2)).toContain('line 300 of a long file');
    const retried = bodyText(fake, 3);
    expect(retried).toContain('[trimmed to fit the context window]');
    expect(retried).not.toContain('line 300 of a long file');
    expect(context.lines.map((l) => l.message)).toContainEqual(expect.stringContaining('older tool results trimmed'));
  });

  it('cancellation aborts the request in flight (the fake sees the client go away)', async () => {
    await start([{ delayMs: 600_000, then: { final: requirements() } }]);
    const controller = new AbortController();
    const { result } = run('requirements', makeContext(repo.root, { phaseData: explored() }), controller.signal);
    const settled = result.then(() => new Error('resolved'), (e: unknown) => e as Error);
    await fake.waitForRequests(1);
    controller.abort(new Error('cancelled by the test'));
    expect((await settled).message).toBe('cancelled by the test');
    await fake.waitFor((requests) => requests[0]!.done);
    expect(fake.requests[0]!.aborted).toBe(true);
  });

  it('paths outside the working directory, ignored files and binaries are refused; nothing of them reaches the model', async () => {
    const final = requirements();
    await start([
      {
        toolCalls: [
          { name: 'read_file', input: { path: '../outside/secret.txt' } },
          { name: 'read_file', input: { path: join(repo.outside, 'secret.txt') } },
          { name: 'read_file', input: { path: 'link-out.txt' } },
          { name: 'read_file', input: { path: '.env' } },
          { name: 'read_file', input: { path: 'logo.png' } },
          { name: 'list_files', input: { glob: '../**' } },
        ],
      },
      { final },
    ]);
    const { context, result } = run();
    expect((await result).output).toEqual(final);
    const sent = bodyText(fake, 1);
    expect(sent).not.toContain('OUTSIDE-THE-REPO');
    expect(sent).not.toContain('hunter2');
    const refusals = context.lines.filter((l) => l.extra?.['tool'] !== undefined).map((l) => l.message);
    expect(refusals).toHaveLength(6);
    for (const line of refusals) expect(line).toMatch(/refused/);
    expect(refusals[0]).toContain('leaves the working directory');
    expect(refusals[1]).toContain('absolute paths are refused');
    expect(refusals[2]).toContain('outside the working directory');
    expect(refusals[3]).toContain('.gitignore');
    expect(refusals[4]).toContain('binary');
  });

  it('usage and cost are summed over the turns of the attempt, from the price table', async () => {
    const u1 = { input_tokens: 1_000, output_tokens: 100, cache_read_input_tokens: 4_000, cache_creation_input_tokens: 0 };
    const u2 = { input_tokens: 2_000, output_tokens: 500, cache_read_input_tokens: 4_000, cache_creation_input_tokens: 0 };
    await start([{ toolCalls: [{ name: 'list_files', input: {} }], usage: u1 }, { final: requirements(), usage: u2 }]);
    const { usage } = await run().result;
    const price = DEFAULT_PRICES[variant.model]!;
    const expected = costOf(u1, price) + costOf(u2, price);
    expect(usage).toMatchObject({ input_tokens: 3_000, output_tokens: 600, cache_read_input_tokens: 8_000, cache_creation_input_tokens: 0 });
    expect(usage?.cost_usd).toBeCloseTo(expected, 10);
  });

  it('MODEL_MAX_TURNS: the last turn forces the final answer; a model that still does not answer fails the attempt', async () => {
    const final = requirements();
    await start([{ toolCalls: [{ name: 'list_files', input: {} }] }, { final }], { limits: { maxTurns: 2 } });
    const first = run();
    expect((await first.result).output).toEqual(final);
    const last = fake.requests[1]!.body as Record<string, unknown>;
    if (variant.structured === 'tool') expect(JSON.stringify(last['tool_choice'])).toContain('submit_requirements');
    else expect(last['tool_choice']).toBe('none');
    expect(bodyText(fake, 1)).toContain('MODEL_MAX_TURNS is 2');
    expect(first.context.lines.map((l) => l.message)).toContainEqual(expect.stringContaining('This is your last turn'));
    await fake.close();

    const wander = { toolCalls: [{ name: 'list_files', input: {} }] };
    await start([wander, wander, wander, wander, wander, wander], { limits: { maxTurns: 2 } });
    const error = (await run().result.catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/no requirements answer after the final answer was asked for/);
    expect(fake.requests.length).toBeLessThanOrEqual(4);
  });

  it('MODEL_MAX_READ_BYTES: reads are cut at the budget, then the final answer is asked for', async () => {
    const final = requirements();
    await start(
      [
        { toolCalls: [{ name: 'read_file', input: { path: 'big.txt', start_line: 1, end_line: 10 } }] },
        { toolCalls: [{ name: 'read_file', input: { path: 'big.txt', start_line: 11 } }] },
        { final },
      ],
      { maxReadBytes: 3_000 },
    );
    const { context, result } = run();
    expect((await result).output).toEqual(final);
    const reads = context.lines.filter((l) => l.extra?.['tool'] === 'read_file');
    expect(reads[0]!.message).toContain('lines 1-10 of 4000');
    expect(bodyText(fake, 2)).toContain('read on with start_line=');
    const bytes = reads.map((l) => Number(/\((\d+) bytes\)/.exec(l.message)?.[1]));
    expect(bytes[0]! + bytes[1]!).toBeLessThanOrEqual(3_000);
    expect(bodyText(fake, 2)).toContain('MODEL_MAX_READ_BYTES');
    if (variant.structured === 'tool') expect(JSON.stringify((fake.requests[2]!.body as Record<string, unknown>)['tool_choice'])).toContain('submit_requirements');
  });

  it('MODEL_MAX_COST_USD: a turn that goes past the budget without an answer fails the attempt', async () => {
    await start([{ toolCalls: [{ name: 'list_files', input: {} }], usage: { input_tokens: 1_000_000, output_tokens: 0 } }, { final: requirements() }], { limits: { maxCostUsd: 0.01 } });
    const error = (await run().result.catch((e: unknown) => e)) as Error & { usage?: { cost_usd?: number } };
    expect(error.message).toContain('MODEL_MAX_COST_USD');
    expect(error.usage?.cost_usd).toBeGreaterThan(0.01);
    expect(fake.requests).toHaveLength(1);
  });

  it('MODEL_MAX_SECONDS: past the deadline the answer is forced once, then the attempt fails', async () => {
    let now = 0;
    const steppingClock: Clock = { now: () => now, sleep: () => Promise.resolve(), every: () => () => undefined };
    const wander = { toolCalls: [{ name: 'list_files', input: {} }] };
    await start([], { clock: steppingClock, limits: { maxSeconds: 60 } });
    fake.enqueue(wander, wander, wander, wander);
    const { context, result } = run();
    await until(() => fake.requests.length === 1 && fake.requests[0]!.done, 'the first turn');
    now = 61_000;
    const error = (await result.catch((e: unknown) => e)) as Error;
    expect(context.lines.map((l) => l.message)).toContainEqual(expect.stringContaining('MODEL_MAX_SECONDS = 60'));
    expect(error.message).toMatch(/MODEL_MAX_SECONDS = 60/);
    expect(fake.requests).toHaveLength(2);
  });

  it('a retry carries the previous output and the evaluator feedback in the prompt', async () => {
    const previous = requirements();
    await start([{ final: requirements() }]);
    const context = makeContext(repo.root, { phaseData: explored(), attempt: 2 });
    await executor.execute('requirements', context, { attempt: 1, score: 0.42, text: 'requirements[REQ-002].text: missing EARS pattern', problems: [{ path: 'requirements[REQ-002].text', message: 'missing EARS pattern', severity: 'error' }], previousOutput: previous }, signal());
    const prompt = bodyText(fake, 0);
    expect(prompt).toContain('Revision 2');
    expect(prompt).toContain('scored 0.42');
    expect(prompt).toContain('requirements[REQ-002].text: missing EARS pattern');
    expect(prompt).toContain('Tell clients when to retry');
  });

  it('EXPLORE: static facts stay, the model writes the narrative, invented paths are dropped', async () => {
    await start([
      { toolCalls: [{ name: 'read_file', input: { path: 'src/server.ts' } }] },
      {
        final: {
          ...(cleanExplore() as unknown as Record<string, unknown>),
          codebase_summary: 'A Fastify API: src/server.ts builds the app and mounts the users router under /api/v1.',
          files_scanned: 99_999,
          routes: [{ method: 'DELETE', path: '/invented', file: 'src/nowhere.ts' }],
          key_files: [
            { path: 'src/server.ts', purpose: 'Builds the Fastify app; the limiter hooks in here' },
            { path: 'src/invented.ts', purpose: 'does not exist' },
          ],
          related_code: [{ path: 'src/routes/users.ts', score: 0.9, reason: 'a route the limit applies to' }],
        },
      },
    ]);
    const context = makeContext(repo.root);
    const { output } = await executor.execute('explore', context, null, signal());
    expect(output['codebase_summary']).toContain('mounts the users router');
    expect(output['files_scanned']).not.toBe(99_999);
    expect(output['routes'] ?? []).not.toContainEqual(expect.objectContaining({ path: '/invented' }));
    const keyFiles = (output['key_files'] as { path: string; purpose: string }[]).map((k) => k.path);
    expect(keyFiles[0]).toBe('src/server.ts');
    expect(keyFiles).not.toContain('src/invented.ts');
    expect(output['related_code']).toEqual([{ path: 'src/routes/users.ts', score: 0.9, reason: 'a route the limit applies to' }]);
    expect(context.lines.map((l) => l.message)).toContainEqual(expect.stringContaining('dropped 1 path(s) not in the repository (src/invented.ts)'));
    // The draft of the static analysis went to the model.
    expect(bodyText(fake, 0)).toContain('Draft from static analysis');
  });

  it('without a repository: no repository tools are offered', async () => {
    await start([{ final: requirements() }]);
    const context = makeContext(repo.root, { phaseData: explored(), hasCodebase: false });
    await executor.execute('requirements', context, null, signal());
    expect(fake.requests[0]!.tools).toEqual(variant.structured === 'tool' ? ['submit_requirements'] : []);
    expect(bodyText(fake, 0)).toContain('This project has no connected repository');
  });

  if (variant.provider === 'anthropic') {
    it('caches the stable prefix: cache_control on the system prompt + repository overview', async () => {
      await start([{ final: requirements() }]);
      await run().result;
      const body = fake.requests[0]!.body as { system: { text: string; cache_control?: unknown }[] };
      expect(body.system).toHaveLength(2);
      expect(body.system[1]!.text).toContain('# Repository overview');
      expect(body.system[1]!.cache_control).toEqual({ type: 'ephemeral' });
    });

    it('a model that refuses a forced tool choice is asked again without forcing it', async () => {
      const final = requirements();
      await start([{ toolCalls: [{ name: 'list_files', input: {} }] }, { error: { status: 400, message: 'tool_choice: forced tool use is not supported for this model' } }, { final }], { limits: { maxTurns: 2 } });
      const { context, result } = run();
      expect((await result).output).toEqual(final);
      expect((fake.requests[2]!.body as { tool_choice: unknown }).tool_choice).toEqual({ type: 'auto' });
      expect(context.lines.map((l) => l.message)).toContainEqual(expect.stringContaining('refused a forced tool choice'));
    });
  }

  it('the API key never appears in what the executor reports', async () => {
    await start([{ error: { status: 500, message: `upstream echoed Bearer ${TEST_KEY}` } }, { final: requirements() }]);
    const { context, result } = run();
    await until(() => clock.pending() === 1, 'the backoff sleep');
    await clock.advanceToNext();
    const done = await result;
    const everything = JSON.stringify({ lines: context.lines, done });
    expect(everything).not.toContain(TEST_KEY);
    expect(everything).toContain('[redacted]');
    // And the prompts never carry it either.
    for (const request of fake.requests) expect(JSON.stringify(request.body)).not.toContain(TEST_KEY);
  });
});

describe('prompt files', () => {
  it('each phase prompt asks for what Kiro and Spec Kit produce', () => {
    const read = (name: string) => readFileSync(new URL(`../../prompts/${name}.md`, import.meta.url), 'utf8');
    expect(read('requirements')).toMatch(/EARS[\s\S]*SHALL[\s\S]*acceptance_criteria/);
    expect(read('design')).toMatch(/existing files[\s\S]*data_models[\s\S]*api_endpoints[\s\S]*error_handling[\s\S]*own runner and layout/);
    expect(read('tasks')).toMatch(/REQ-[\s\S]*names the files[\s\S]*dependency order[\s\S]*estimated_hours/);
  });
});
