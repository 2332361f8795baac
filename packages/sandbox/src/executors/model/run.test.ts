/**
 * Model executors inside a whole run (runSpec), against the fake servers: the evaluate → feedback →
 * retry loop on top of the agent loop, usage per attempt, per phase and in agent.completed, a
 * rejected key failing the run at once, and no key in the events file or the artifacts.
 */
import { readFile, readdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SpecEvent } from '@specline/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../clock';
import { cleanExplore, cleanRequirements } from '../../evaluators/fixtures';
import { ArrayReporter } from '../../reporters/arrayReporter';
import { FanoutReporter } from '../../reporters/fanoutReporter';
import { JsonlReporter, eventsFilePath, readEvents } from '../../reporters/jsonlReporter';
import { runSpec } from '../../runSpec';
import { createLocalSink } from '../../sinks/localSink';
import { startFakeLlm, type FakeTurn } from '../../testing/index';
import { createProviderExecutor } from './index';
import { DEFAULT_PRICES, costOf } from './prices';
import { TEST_KEY, VARIANTS, executorFor, makeRepo, type TempRepo } from './testkit';

let repo: TempRepo;
let work: string;
beforeAll(async () => {
  repo = await makeRepo();
  work = await mkdtemp(join(tmpdir(), 'specline-model-run-'));
});
afterAll(async () => {
  await repo.remove();
  await rm(work, { recursive: true, force: true });
});

const SPEC = { id: 'spec-run', title: 'Add rate limiting to the public API', description: 'Limit each API key to 100 requests per minute and return 429 with Retry-After' };

/** Requirements that fail evaluation: no EARS, one criterion each. */
function weakRequirements(): Record<string, unknown> {
  const clean = cleanRequirements();
  return {
    ...clean,
    requirements: clean.requirements.map((r) => ({ ...r, text: `Clients get ${r.title.toLowerCase()}.`, acceptance_criteria: r.acceptance_criteria.slice(0, 1) })),
  };
}

async function runWith(variant: (typeof VARIANTS)[number], script: FakeTurn[], name: string, apiKey = TEST_KEY) {
  const fake = await startFakeLlm({ provider: variant.provider, apiKey, script });
  const out = join(work, name);
  const memory = new ArrayReporter();
  const jsonl = new JsonlReporter({ path: eventsFilePath(out) });
  try {
    const result = await runSpec({
      spec: SPEC,
      cwd: repo.root,
      outputDir: out,
      executor: executorFor(fake, variant, { clock: systemClock }),
      reporter: new FanoutReporter([memory, jsonl]),
      sink: createLocalSink({ file: join(out, 'local-tickets.json') }),
      phases: ['requirements'],
      initialPhaseData: { explore: cleanExplore() as unknown as Record<string, unknown> },
      backoffBaseMs: 0,
      clock: systemClock,
    });
    await jsonl.close();
    return { result, events: memory.toArray(), fake, out };
  } finally {
    await fake.close();
  }
}

const of = (events: readonly SpecEvent[], type: string) => events.filter((e) => e.event_type === type);

/** Every file the run wrote, and the events file, as one string. */
async function everythingWritten(out: string): Promise<string> {
  const names = await readdir(out);
  const texts = await Promise.all(names.map((name) => readFile(join(out, name), 'utf8')));
  return texts.join('\n');
}

describe.each(VARIANTS.filter((v) => v.stream))('a run with the $provider executor (answers by $structured)', (variant) => {
  it('a failed evaluation is retried with the previous output and the feedback; usage per attempt, per phase and for the run', async () => {
    const u1 = { input_tokens: 1_200, output_tokens: 300, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
    const u2 = { input_tokens: 2_000, output_tokens: 400, cache_read_input_tokens: 1_000, cache_creation_input_tokens: 0 };
    const final = cleanRequirements() as unknown as Record<string, unknown>;
    const { result, events, fake, out } = await runWith(variant, [{ final: weakRequirements(), usage: u1 }, { final, usage: u2 }], `retry-${variant.provider}-${variant.structured}`);
    expect(result.success).toBe(true);
    expect(result.phaseData['requirements']).toEqual(final);

    const price = DEFAULT_PRICES[variant.model]!;
    const cost1 = costOf(u1, price);
    const cost2 = costOf(u2, price);
    const [retry] = of(events, 'spec.phase_retry');
    expect(retry?.data).toMatchObject({ reason: 'evaluation_failed', usage: { input_tokens: 1_200, output_tokens: 300 } });
    expect(retry?.data['usage']).toMatchObject({ cost_usd: expect.closeTo(cost1, 10) as unknown });

    const [completed] = of(events, 'spec.phase_completed');
    expect(completed?.data).toMatchObject({ executor: variant.provider, model: variant.model, retry_count: 1, phase_output: final });
    const attempts = completed?.data['attempt_usage'] as { input_tokens: number; cost_usd: number }[];
    expect(attempts.map((u) => u.input_tokens)).toEqual([1_200, 2_000]);
    expect(completed?.data['usage']).toMatchObject({ input_tokens: 3_200, output_tokens: 700, cache_read_input_tokens: 1_000 });

    const done = events.at(-1)!;
    expect(done.event_type).toBe('agent.completed');
    expect(done.data).toMatchObject({ success: true, executor: variant.provider, model: variant.model, usage: { input_tokens: 3_200, output_tokens: 700 } });
    expect((done.data['usage'] as { cost_usd: number }).cost_usd).toBeCloseTo(cost1 + cost2, 10);

    // The retry prompt: the previous output and the evaluator's problems.
    const second = JSON.stringify(fake.requests[1]!.body);
    expect(second).toContain('Revision 2');
    expect(second).toContain('Clients get limit requests per key.');
    expect(second).toMatch(/missing EARS pattern/);

    const written = await everythingWritten(out);
    expect(written).toContain('requirements');
    expect(written).not.toContain(TEST_KEY);
    expect((await readEvents(eventsFilePath(out))).map((e) => e.event_id)).toEqual(events.map((e) => e.event_id));
  });

  it('a rejected key fails the run at once: no retry, the message names the key setting, and the key is written nowhere', async () => {
    const { result, events, fake, out } = await runWith(variant, [], `auth-${variant.provider}-${variant.structured}`, 'another-key');
    expect(result.success).toBe(false);
    expect(fake.requests).toHaveLength(1);
    expect(of(events, 'spec.phase_retry')).toHaveLength(0);
    const setting = variant.provider === 'anthropic' ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY';
    expect(of(events, 'spec.phase_failed')[0]?.data).toMatchObject({ reason: 'execution_error', retry_count: 0, error: expect.stringContaining(setting) as unknown });
    expect(events.at(-1)?.data).toMatchObject({ success: false, failed_phase: 'requirements', error: expect.stringContaining(setting) as unknown });
    expect(JSON.stringify(events)).not.toContain(TEST_KEY);
    expect(await everythingWritten(out)).not.toContain(TEST_KEY);
  });
});

describe('an OpenAI-compatible server without a key (Ollama, llama.cpp, LM Studio)', () => {
  it('sends no Authorization header at all', async () => {
    const fake = await startFakeLlm({ provider: 'openai', script: [{ final: cleanRequirements() as unknown as Record<string, unknown> }] });
    try {
      const executor = createProviderExecutor({ provider: 'openai', model: 'qwen2.5-coder:7b', baseUrl: fake.openaiBaseUrl, apiKey: null, clock: systemClock });
      const context = { spec: SPEC, cwd: repo.root, phaseData: {}, attempt: 1, maxAttempts: 1, progress: () => undefined };
      const { output, usage } = await executor.execute('requirements', context, null, new AbortController().signal);
      expect(output).toEqual(cleanRequirements());
      expect(usage?.cost_usd).toBe(0);
      expect(fake.requests[0]!.headers.authorization).toBeUndefined();
    } finally {
      await fake.close();
    }
  });
});
