/** The run settings of the model executors, parsed in-process (the CLI tests spawn the real bin for a few). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunConfig, type Flags } from './config';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'specline-config-'));
  await writeFile(join(dir, 'prices.json'), JSON.stringify({ 'my-model': { input: 1, output: 2, cache_read: 0.1 } }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const KEY = 'sk-config-SECRET-0123456789';
const parse = (flags: Flags, env: Record<string, string> = {}) => parseRunConfig({ title: 'T', ...flags }, env, { cwd: dir });
const errorsOf = (flags: Flags, env: Record<string, string> = {}) => {
  const parsed = parse(flags, env);
  return parsed.ok ? [] : parsed.errors;
};

describe('model settings', () => {
  it('the planner by default; no model settings', () => {
    const parsed = parse({});
    expect(parsed.ok && parsed.config.executor).toBe('planner');
    expect(parsed.ok && parsed.config.modelSettings).toBeNull();
    expect(parsed.ok && parsed.config.noRepo).toBe(false);
  });

  it('defaults per provider, the key behind a function (never in the printed config), endpoints from the standard variables', () => {
    const parsed = parse({}, { SPEC_EXECUTOR: 'anthropic', ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: 'http://127.0.0.1:9/' });
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    const { config } = parsed;
    expect(config).toMatchObject({ executor: 'anthropic', structuredOutput: 'tool', stream: true, maxTurns: 24, maxReadBytes: 262_144, maxSeconds: 600, maxCostUsd: 2, maxOutputTokens: 16_384, maxRequestRetries: 4 });
    expect(config.modelSettings).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-5-5', keySetting: 'ANTHROPIC_API_KEY', baseUrl: 'http://127.0.0.1:9/', baseUrlSetting: 'ANTHROPIC_BASE_URL' });
    expect(config.modelSettings?.apiKey()).toBe(KEY);
    expect(JSON.stringify(config)).not.toContain(KEY);

    const openai = parse({ executor: 'OpenAI' });
    expect(openai.ok && openai.config.modelSettings).toMatchObject({ provider: 'openai', model: 'gpt-4.1-mini', baseUrl: undefined });
    expect(openai.ok && openai.config.modelSettings?.apiKey()).toBeNull();
  });

  it('flags win over the environment; switches read as booleans', () => {
    const parsed = parse(
      { executor: 'openai', model: 'qwen2.5-coder:7b', 'max-turns': '8', 'no-stream': true, 'no-repo': true, 'base-url': 'http://localhost:11434/v1', 'structured-output': 'json_schema', 'repo-commit': 'abc1234' },
      { SPEC_EXECUTOR: 'anthropic', SPEC_MODEL: 'x', MODEL_MAX_TURNS: '30', SPEC_STREAM: '1', OPENAI_BASE_URL: 'http://ignored:1/v1' },
    );
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    expect(parsed.config).toMatchObject({ executor: 'openai', maxTurns: 8, stream: false, noRepo: true, structuredOutput: 'json_schema', repoCommit: 'abc1234' });
    expect(parsed.config.modelSettings).toMatchObject({ model: 'qwen2.5-coder:7b', baseUrl: 'http://localhost:11434/v1', baseUrlSetting: '--base-url' });
    const env = parse({ executor: 'openai' }, { SPEC_NO_REPO: 'yes', SPEC_STREAM: 'false', MODEL_MAX_COST_USD: '0.5', MODEL_MAX_SECONDS: '90' });
    expect(env.ok && env.config).toMatchObject({ noRepo: true, stream: false, maxCostUsd: 0.5, maxSeconds: 90 });
  });

  it('MODEL_PRICES: inline JSON or a file', () => {
    const inline = parse({ executor: 'openai' }, { MODEL_PRICES: '{"m": {"input": 0.5, "output": 1}}' });
    expect(inline.ok && inline.config.modelSettings?.prices).toEqual({ m: { input: 0.5, output: 1 } });
    const file = parse({ executor: 'openai', 'model-prices': 'prices.json' });
    expect(file.ok && file.config.modelSettings?.prices).toEqual({ 'my-model': { input: 1, output: 2, cache_read: 0.1 } });
  });

  it('bad values are named the way they were given', () => {
    expect(errorsOf({ executor: 'gpt' })).toEqual(['--executor="gpt": must be one of planner, anthropic, openai']);
    expect(errorsOf({ executor: 'anthropic' })).toEqual(['ANTHROPIC_API_KEY: is required by --executor anthropic (set it in the environment; a key is never taken as a flag)']);
    expect(errorsOf({ executor: 'anthropic', 'structured-output': 'json_schema' }, { ANTHROPIC_API_KEY: KEY })).toEqual([
      '--structured-output: json_schema works with --executor openai only; the anthropic executor answers through the submit tool',
    ]);
    expect(errorsOf({ executor: 'openai', 'structured-output': 'grammar' })).toEqual(['--structured-output="grammar": must be one of tool, json_schema']);
    expect(errorsOf({ executor: 'openai' }, { MODEL_MAX_TURNS: 'lots' })).toEqual(['MODEL_MAX_TURNS="lots": expected a whole number']);
    expect(errorsOf({ executor: 'openai', 'max-turns': '1' })).toEqual(['--max-turns="1": at least 2']);
    expect(errorsOf({ executor: 'openai', 'max-cost': '0' })).toEqual(['--max-cost="0": must be more than 0']);
    expect(errorsOf({ executor: 'openai', 'max-read-bytes': '10' })).toEqual(['--max-read-bytes="10": at least 1024']);
    expect(errorsOf({ executor: 'openai', 'max-output-tokens': '1.5' })).toEqual(['--max-output-tokens="1.5": must be a whole number']);
    expect(errorsOf({ executor: 'openai' }, { MODEL_MAX_RETRIES: '99' })).toEqual(['MODEL_MAX_RETRIES="99": at most 20']);
    expect(errorsOf({ executor: 'openai' }, { MODEL_PRICES: '{bad' })[0]).toMatch(/^MODEL_PRICES: is not valid JSON/);
    expect(errorsOf({ executor: 'openai' }, { MODEL_PRICES: '{"m": {"input": "cheap"}}' })[0]).toMatch(/^MODEL_PRICES: expected \{"<model>".*m\.input/);
    expect(errorsOf({ executor: 'openai' }, { MODEL_PRICES: 'missing.json' })[0]).toMatch(/^MODEL_PRICES: could not read the price file missing\.json: ENOENT/);
    expect(errorsOf({ executor: 'openai' }, { OPENAI_BASE_URL: 'localhost:11434' })).toEqual(['OPENAI_BASE_URL="localhost:11434": expected an http(s) URL']);
    expect(errorsOf({ executor: 'openai', 'base-url': 'ftp://x' })).toEqual(['--base-url="ftp://x": expected an http(s) URL']);
    expect(errorsOf({ executor: 'openai', 'repo-commit': 'main' })).toEqual(['--repo-commit="main": expected a commit hash (7 to 64 hex digits)']);
    expect(errorsOf({}, { SPEC_STREAM: 'maybe' })).toEqual(['SPEC_STREAM="maybe": expected 1/true/yes or 0/false/no']);
    // The key is never echoed, even next to other errors.
    expect(errorsOf({ executor: 'openai', 'max-turns': 'x' }, { OPENAI_API_KEY: KEY }).join('\n')).not.toContain(KEY);
  });
});

describe('review settings', () => {
  it('auto by default, no review comment', () => {
    const parsed = parse({});
    expect(parsed.ok && parsed.config).toMatchObject({ approvalMode: 'auto' });
    expect(parsed.ok && parsed.config.reviewComment).toBeUndefined();
  });

  it('--approval-mode / SPEC_APPROVAL_MODE (any case) and --review-comment / SPEC_REVIEW_FEEDBACK; flags win', () => {
    const env = parse({}, { SPEC_APPROVAL_MODE: 'Review', SPEC_REVIEW_FEEDBACK: '  Split REQ-002 in two  ' });
    expect(env.ok && env.config).toMatchObject({ approvalMode: 'review', reviewComment: 'Split REQ-002 in two' });
    const flags = parse({ 'approval-mode': 'auto', 'review-comment': 'Name the CSV columns' }, { SPEC_APPROVAL_MODE: 'review', SPEC_REVIEW_FEEDBACK: 'ignored' });
    expect(flags.ok && flags.config).toMatchObject({ approvalMode: 'auto', reviewComment: 'Name the CSV columns' });
  });

  it('bad values are named the way they were given', () => {
    expect(errorsOf({ 'approval-mode': 'manual' })).toEqual(['--approval-mode="manual": must be one of auto, review']);
    expect(errorsOf({}, { SPEC_APPROVAL_MODE: 'gated' })).toEqual(['SPEC_APPROVAL_MODE="gated": must be one of auto, review']);
    expect(errorsOf({ 'review-comment': '   ' })).toEqual(['--review-comment="   ": must not be empty']);
    expect(errorsOf({}, { SPEC_REVIEW_FEEDBACK: 'x'.repeat(5001) })[0]).toMatch(/^SPEC_REVIEW_FEEDBACK=".*": at most 5000 characters$/);
  });
});
