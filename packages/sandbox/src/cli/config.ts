/**
 * CLI configuration: flags win over environment variables, which win over defaults. Validated by
 * one zod schema over the merged values; every message names the setting as the user wrote it
 * (`--max-attempts` or `MAX_ATTEMPTS`). The only sandbox module that reads `process.env`.
 *
 * Settings are split in two: what is needed to report at all (reporters, output directory, the
 * HTTP callback) and what the run needs. When only the second kind is bad, the CLI can still tell
 * the configured reporters that the run ended (`agent.completed {success:false}`).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ALL_PHASES, parsePhase, phaseList } from '@specline/protocol';
import type { Phase } from '@specline/protocol';
import { z } from 'zod';
import { DEFAULT_MODELS } from '../executors/model/index';
import { PriceTableSchema, type PriceTable } from '../executors/model/prices';

export type Env = Readonly<Record<string, string | undefined>>;

/** The process environment (the one place that reads it). */
export function processEnv(): Env {
  return process.env;
}

export const REPORTER_MODES = ['jsonl', 'console', 'http', 'none'] as const;
export type ReporterMode = (typeof REPORTER_MODES)[number];

/** Setting name → its flag and its environment variable. */
const NAMES = {
  specId: ['--spec-id', 'SPEC_ID'],
  sandboxId: ['--sandbox-id', 'SANDBOX_ID'],
  callbackUrl: ['--callback-url', 'CALLBACK_URL'],
  token: ['--token', 'SANDBOX_TOKEN'],
  reporters: ['--reporter', 'REPORTER_MODE'],
  outputDir: ['--out', 'OUTPUT_DIRECTORY'],
  phase: ['--phase', 'SPEC_PHASE'],
  title: ['--title', 'SPEC_TITLE'],
  description: ['--description', 'SPEC_DESCRIPTION'],
  contextFiles: ['--context', 'CONTEXT_FILE'],
  heartbeatSeconds: ['--heartbeat-interval', 'HEARTBEAT_INTERVAL'],
  maxAttempts: ['--max-attempts', 'MAX_ATTEMPTS'],
  threshold: ['--threshold', 'EVAL_THRESHOLD'],
  stepDelayMs: ['--step-delay-ms', 'PLANNER_STEP_DELAY_MS'],
  cwd: ['--cwd', 'CWD'],
  phases: ['--phases', undefined],
  executor: ['--executor', 'SPEC_EXECUTOR'],
  model: ['--model', 'SPEC_MODEL'],
  structuredOutput: ['--structured-output', 'SPEC_STRUCTURED_OUTPUT'],
  stream: ['--stream', 'SPEC_STREAM'],
  maxTurns: ['--max-turns', 'MODEL_MAX_TURNS'],
  maxReadBytes: ['--max-read-bytes', 'MODEL_MAX_READ_BYTES'],
  maxSeconds: ['--max-seconds', 'MODEL_MAX_SECONDS'],
  maxCostUsd: ['--max-cost', 'MODEL_MAX_COST_USD'],
  maxOutputTokens: ['--max-output-tokens', 'MODEL_MAX_OUTPUT_TOKENS'],
  maxRequestRetries: ['--max-request-retries', 'MODEL_MAX_RETRIES'],
  prices: ['--model-prices', 'MODEL_PRICES'],
  baseUrl: ['--base-url', undefined],
  noRepo: ['--no-repo', 'SPEC_NO_REPO'],
  repoCommit: ['--repo-commit', 'SPEC_REPO_COMMIT'],
  leaseSeconds: ['--lease-seconds', 'SANDBOX_LEASE_SECONDS'],
  approvalMode: ['--approval-mode', 'SPEC_APPROVAL_MODE'],
  reviewComment: ['--review-comment', 'SPEC_REVIEW_FEEDBACK'],
} as const satisfies Record<string, readonly [string, string | undefined]>;
type Key = keyof typeof NAMES;

/** Flags as parsed by `parseArgs` (strings, booleans, repeated strings). */
export type Flags = Record<string, string | boolean | string[] | undefined>;

interface Raw {
  values: Partial<Record<Key, string | string[]>>;
  /** Where each value came from, for messages: `--max-attempts` or `MAX_ATTEMPTS`. */
  sources: Partial<Record<Key, string>>;
}

function flagKey(flag: string): string {
  return flag.replace(/^--/, '');
}

function collect(flags: Flags, env: Env): Raw {
  const raw: Raw = { values: {}, sources: {} };
  for (const [key, [flag, envName]] of Object.entries(NAMES) as [Key, readonly [string, string | undefined]][]) {
    const fromFlag = flags[flagKey(flag)];
    // Boolean switches (`--no-repo`, `--stream` / `--no-stream`) read as "true" / "false".
    if (fromFlag === true || (key === 'stream' && flags['no-stream'] === true)) {
      const negated = key === 'stream' && flags['no-stream'] === true;
      raw.values[key] = negated ? 'false' : 'true';
      raw.sources[key] = negated ? '--no-stream' : flag;
      continue;
    }
    if (typeof fromFlag === 'string' || Array.isArray(fromFlag)) {
      raw.values[key] = fromFlag;
      raw.sources[key] = flag;
      continue;
    }
    const fromEnv = envName ? env[envName] : undefined;
    if (envName && fromEnv !== undefined && fromEnv.trim() !== '') {
      raw.values[key] = fromEnv.trim();
      raw.sources[key] = envName;
    }
  }
  return raw;
}

const list = (value: string | string[] | undefined): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value])
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '');

const number = (what: string) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/, `expected ${what}`)
    .transform(Number);

// ── reporting settings ───────────────────────────────────────────────────────

const ReportingSchema = z
  .object({
    specId: z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters'),
    reporters: z.array(z.enum(REPORTER_MODES, { error: () => `each mode must be one of ${REPORTER_MODES.join(', ')}` })).min(1, 'name at least one reporter'),
    outputDir: z.string().min(1, 'must not be empty'),
    sandboxId: z.string().trim().min(1).optional(),
    callbackUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
    token: z.string().min(1).optional(),
    /** The run's lease (set by the launcher): the HTTP reporter's retry budget is derived from it (protocol `reporterBudget`). */
    leaseSeconds: number('a number of seconds').pipe(z.number().positive('must be more than 0').max(86_400, 'at most 86400 seconds')).optional(),
  })
  .superRefine((value, ctx) => {
    if (!value.reporters.includes('http')) return;
    for (const key of ['sandboxId', 'callbackUrl', 'token'] as const) {
      if (value[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'is required when the http reporter is on' });
    }
  });
export type ReportingConfig = z.infer<typeof ReportingSchema>;

// ── run settings ─────────────────────────────────────────────────────────────

const phaseName = z.string().transform((name, ctx) => {
  const phase = parsePhase(name);
  if (!phase) {
    ctx.addIssue({ code: 'custom', message: `"${name}" is not a phase (one of ${ALL_PHASES.join(', ')}, any case)` });
    return z.NEVER;
  }
  return phase;
});

export const EXECUTORS = ['planner', 'anthropic', 'openai'] as const;
export type ExecutorName = (typeof EXECUTORS)[number];
export const STRUCTURED_OUTPUT_MODES = ['tool', 'json_schema'] as const;
/** `review` stops the run after REQUIREMENTS and after DESIGN for a person's approval; `auto` runs straight through. */
export const APPROVAL_MODES = ['auto', 'review'] as const;

/** Defaults of the model settings (documented in the README's settings table). */
export const MODEL_SETTING_DEFAULTS = {
  maxTurns: 24,
  maxReadBytes: 256 * 1024,
  maxSeconds: 600,
  maxCostUsd: 2,
  maxOutputTokens: 16_384,
  maxRequestRetries: 4,
} as const;

const flag = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const v = value.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    ctx.addIssue({ code: 'custom', message: 'expected 1/true/yes or 0/false/no' });
    return z.NEVER;
  });

const wholeNumber = (min: number, max: number) => number('a whole number').pipe(z.number().int('must be a whole number').min(min, `at least ${min}`).max(max, `at most ${max}`));

const RunSchema = z.object({
  title: z.string().trim().min(1, 'is required (a short name of the feature)').max(500),
  description: z.string().max(20_000).default(''),
  cwd: z.string().min(1),
  /** `undefined` runs every phase; set for a single-phase run. */
  phase: z
    .string()
    .transform((name, ctx): Phase | undefined => {
      if (name.trim().toLowerCase() === 'all') return undefined;
      const phase = parsePhase(name);
      if (!phase) ctx.addIssue({ code: 'custom', message: `"${name}" is not a phase (one of ${ALL_PHASES.join(', ')}, any case, or all)` });
      return phase;
    })
    .optional(),
  phases: z.array(phaseName).min(1).optional(),
  contextFiles: z.array(z.string().min(1)).default([]),
  heartbeatSeconds: number('a number of seconds').pipe(z.number().positive('must be more than 0').max(3600, 'at most 3600 seconds')).optional(),
  maxAttempts: number('a whole number').pipe(z.number().int('must be a whole number').min(1, 'at least 1').max(20, 'at most 20')).optional(),
  threshold: number('a number from 0 to 1').pipe(z.number().min(0, 'at least 0').max(1, 'at most 1')).optional(),
  stepDelayMs: number('a number of milliseconds').pipe(z.number().int('must be a whole number').min(0, 'at least 0').max(60_000, 'at most 60000')).default(0),
  executor: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(EXECUTORS, { error: () => `must be one of ${EXECUTORS.join(', ')}` }))
    .default('planner'),
  model: z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters').optional(),
  structuredOutput: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(STRUCTURED_OUTPUT_MODES, { error: () => `must be one of ${STRUCTURED_OUTPUT_MODES.join(', ')}` }))
    .default('tool'),
  stream: flag.default(true),
  maxTurns: wholeNumber(2, 200).default(MODEL_SETTING_DEFAULTS.maxTurns),
  maxReadBytes: wholeNumber(1024, 100_000_000).default(MODEL_SETTING_DEFAULTS.maxReadBytes),
  maxSeconds: number('a number of seconds').pipe(z.number().positive('must be more than 0').max(86_400, 'at most 86400 seconds')).default(MODEL_SETTING_DEFAULTS.maxSeconds),
  maxCostUsd: number('a number of US dollars').pipe(z.number().positive('must be more than 0').max(10_000, 'at most 10000')).default(MODEL_SETTING_DEFAULTS.maxCostUsd),
  maxOutputTokens: wholeNumber(256, 1_000_000).default(MODEL_SETTING_DEFAULTS.maxOutputTokens),
  maxRequestRetries: wholeNumber(0, 20).default(MODEL_SETTING_DEFAULTS.maxRequestRetries),
  prices: z.string().optional(),
  baseUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  noRepo: flag.default(false),
  repoCommit: z.string().trim().regex(/^[0-9a-f]{7,64}$/i, 'expected a commit hash (7 to 64 hex digits)').optional(),
  approvalMode: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(APPROVAL_MODES, { error: () => `must be one of ${APPROVAL_MODES.join(', ')}` }))
    .default('auto'),
  /** A reviewer's rejection comment: the first phase's first attempt gets it as evaluator feedback. */
  reviewComment: z.string().trim().min(1, 'must not be empty').max(5_000, 'at most 5000 characters').optional(),
});

/** The model settings a model executor is built from. The key is behind a function so the config never prints it. */
export interface ModelSettings {
  provider: Exclude<ExecutorName, 'planner'>;
  model: string;
  /** The API key (`ANTHROPIC_API_KEY` / `OPENAI_API_KEY`), or null. Never log, print or emit it. */
  apiKey: () => string | null;
  keySetting: string;
  baseUrl: string | undefined;
  baseUrlSetting: string;
  prices: PriceTable | undefined;
}

export type RunConfig = Omit<z.infer<typeof RunSchema>, 'prices' | 'baseUrl'> & { prd: boolean; modelSettings: ModelSettings | null };

export type Parsed<T> = { ok: true; config: T } | { ok: false; errors: string[] };

function describeIssues(error: z.ZodError, raw: Raw): string[] {
  return error.issues.map((issue) => {
    const key = issue.path[0] as Key | undefined;
    if (key === undefined || !(key in NAMES)) return issue.message;
    const [flag, envName] = NAMES[key];
    const source = raw.sources[key];
    const value = raw.values[key];
    if (source === undefined) return `${flag}${envName ? ` (or ${envName})` : ''}: ${issue.message}`;
    return `${source}=${JSON.stringify(Array.isArray(value) ? value.join(',') : value)}: ${issue.message}`;
  });
}

export interface ReportingDefaults {
  /** Reporter list when neither `--reporter` nor `REPORTER_MODE` is given. */
  reporters: ReporterMode[];
}

export function parseReportingConfig(flags: Flags, env: Env, defaults: ReportingDefaults): Parsed<ReportingConfig> {
  const raw = collect(flags, env);
  const reporters = raw.values.reporters === undefined ? defaults.reporters : list(raw.values.reporters);
  const input = {
    specId: raw.values.specId ?? 'local-spec',
    reporters: reporters.map((mode) => mode.toLowerCase()),
    outputDir: raw.values.outputDir ?? '.spec-output',
    sandboxId: raw.values.sandboxId,
    callbackUrl: raw.values.callbackUrl,
    token: raw.values.token,
    leaseSeconds: raw.values.leaseSeconds,
  };
  const parsed = ReportingSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: describeIssues(parsed.error, raw) };
  const config = parsed.data;
  // `none` alone means no reporter; mixed with others it is ignored.
  return { ok: true, config: { ...config, reporters: config.reporters.includes('none') && config.reporters.length === 1 ? [] : config.reporters.filter((m) => m !== 'none') } };
}

/** `MODEL_PRICES`: a JSON object, or the path of a JSON file holding one. */
function readPrices(value: string, cwd: string): PriceTable | string {
  let text = value.trim();
  if (!text.startsWith('{')) {
    try {
      text = readFileSync(resolve(cwd, text), 'utf8');
    } catch (error) {
      return `could not read the price file ${text}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return `is not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  const parsed = PriceTableSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `expected {"<model>": {"input": $/Mtok, "output": $/Mtok, "cache_read"?: …, "cache_write"?: …}}${issue ? ` (${issue.path.join('.') || 'top level'}: ${issue.message})` : ''}`;
  }
  return parsed.data;
}

const KEY_SETTINGS = { anthropic: ['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL'], openai: ['OPENAI_API_KEY', 'OPENAI_BASE_URL'] } as const;

/** The model settings of a model executor, or the errors naming the settings to fix. */
function modelSettings(config: z.infer<typeof RunSchema>, raw: Raw, env: Env, cwd: string): ModelSettings | null | string[] {
  if (config.executor === 'planner') return null;
  const provider = config.executor;
  const [keySetting, baseUrlSetting] = KEY_SETTINGS[provider];
  const errors: string[] = [];
  const key = env[keySetting]?.trim() || null;
  if (provider === 'anthropic' && key === null) errors.push(`${keySetting}: is required by --executor anthropic (set it in the environment; a key is never taken as a flag)`);
  if (provider === 'anthropic' && config.structuredOutput === 'json_schema') {
    errors.push(`${raw.sources.structuredOutput ?? '--structured-output'}: json_schema works with --executor openai only; the anthropic executor answers through the submit tool`);
  }
  let baseUrl = config.baseUrl;
  let baseSource = '--base-url';
  if (baseUrl === undefined) {
    const fromEnv = env[baseUrlSetting]?.trim();
    if (fromEnv) {
      baseSource = baseUrlSetting;
      const parsed = z.url({ protocol: /^https?$/ }).safeParse(fromEnv);
      if (parsed.success) baseUrl = parsed.data;
      else errors.push(`${baseUrlSetting}=${JSON.stringify(fromEnv)}: expected an http(s) URL`);
    }
  }
  let prices: PriceTable | undefined;
  if (config.prices !== undefined) {
    const read = readPrices(config.prices, cwd);
    if (typeof read === 'string') errors.push(`${raw.sources.prices ?? 'MODEL_PRICES'}: ${read}`);
    else prices = read;
  }
  if (errors.length > 0) return errors;
  return {
    provider,
    model: config.model ?? DEFAULT_MODELS[provider],
    apiKey: () => key,
    keySetting,
    baseUrl,
    baseUrlSetting: baseUrl === undefined || baseSource === baseUrlSetting ? baseUrlSetting : '--base-url',
    prices,
  };
}

export function parseRunConfig(flags: Flags, env: Env, defaults: { cwd: string; title?: string }): Parsed<RunConfig> {
  const raw = collect(flags, env);
  const input = {
    title: raw.values.title ?? defaults.title,
    description: raw.values.description,
    cwd: raw.values.cwd ?? defaults.cwd,
    phase: typeof raw.values.phase === 'string' ? raw.values.phase : undefined,
    phases: raw.values.phases === undefined ? undefined : list(raw.values.phases),
    contextFiles: list(raw.values.contextFiles),
    heartbeatSeconds: raw.values.heartbeatSeconds,
    maxAttempts: raw.values.maxAttempts,
    threshold: raw.values.threshold,
    stepDelayMs: raw.values.stepDelayMs,
    executor: raw.values.executor,
    model: raw.values.model,
    structuredOutput: raw.values.structuredOutput,
    stream: raw.values.stream,
    maxTurns: raw.values.maxTurns,
    maxReadBytes: raw.values.maxReadBytes,
    maxSeconds: raw.values.maxSeconds,
    maxCostUsd: raw.values.maxCostUsd,
    maxOutputTokens: raw.values.maxOutputTokens,
    maxRequestRetries: raw.values.maxRequestRetries,
    prices: raw.values.prices,
    baseUrl: raw.values.baseUrl,
    noRepo: raw.values.noRepo,
    repoCommit: raw.values.repoCommit,
    approvalMode: raw.values.approvalMode,
    reviewComment: raw.values.reviewComment,
  };
  const parsed = RunSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: describeIssues(parsed.error, raw) };
  const settings = modelSettings(parsed.data, raw, env, defaults.cwd);
  if (Array.isArray(settings)) return { ok: false, errors: settings };
  const { prices: _prices, baseUrl: _baseUrl, ...rest } = parsed.data;
  return { ok: true, config: { ...rest, prd: flags['prd'] === true, modelSettings: settings } };
}

/** The phase list of a full run: `--phases` if given, the defaults otherwise, `prd` added by `--prd`. */
export function runPhases(config: RunConfig): Phase[] {
  const base = config.phases ?? phaseList();
  if (!config.prd || base.includes('prd')) return [...base];
  const at = base.indexOf('explore') + 1;
  return [...base.slice(0, at), 'prd', ...base.slice(at)];
}
