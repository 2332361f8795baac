/**
 * CLI configuration: flags win over environment variables, which win over defaults. Validated by
 * one zod schema over the merged values; every message names the setting as the user wrote it
 * (`--max-attempts` or `MAX_ATTEMPTS`). The only sandbox module that reads `process.env`.
 *
 * Settings are split in two: what is needed to report at all (reporters, output directory, the
 * HTTP callback) and what the run needs. When only the second kind is bad, the CLI can still tell
 * the configured reporters that the run ended (`agent.completed {success:false}`).
 */
import { ALL_PHASES, parsePhase, phaseList } from '@specline/protocol';
import type { Phase } from '@specline/protocol';
import { z } from 'zod';

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
});
export type RunConfig = z.infer<typeof RunSchema> & { prd: boolean };

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
  };
  const parsed = ReportingSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: describeIssues(parsed.error, raw) };
  const config = parsed.data;
  // `none` alone means no reporter; mixed with others it is ignored.
  return { ok: true, config: { ...config, reporters: config.reporters.includes('none') && config.reporters.length === 1 ? [] : config.reporters.filter((m) => m !== 'none') } };
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
  };
  const parsed = RunSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: describeIssues(parsed.error, raw) };
  return { ok: true, config: { ...parsed.data, prd: flags['prd'] === true } };
}

/** The phase list of a full run: `--phases` if given, the defaults otherwise, `prd` added by `--prd`. */
export function runPhases(config: RunConfig): Phase[] {
  const base = config.phases ?? phaseList();
  if (!config.prd || base.includes('prd')) return [...base];
  const at = base.indexOf('explore') + 1;
  return [...base.slice(0, at), 'prd', ...base.slice(at)];
}
