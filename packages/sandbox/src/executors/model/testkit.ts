/**
 * Helpers of the model executor tests: a temporary repository, a phase context that records its
 * progress lines, the executor wired to a fake server, and waiting aids that use no timers.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PhaseData } from '@specline/protocol';
import { flushMicrotasks } from '../../clock';
import type { FakeLlm } from '../../testing/index';
import type { Clock, PhaseContext } from '../../types';
import { createProviderExecutor, type ProviderExecutorOptions } from './index';
import type { ProviderName, StructuredOutputMode } from './types';

export const TEST_KEY = 'sk-test-SECRET-key-0123456789abcdef';

export interface TempRepo {
  root: string;
  /** A directory next to the repository (what an escape would reach). */
  outside: string;
  remove(): Promise<void>;
}

/** A small Fastify-style project with a .gitignore, a binary file and a symlink that leaves the root. */
export async function makeRepo(): Promise<TempRepo> {
  const base = await mkdtemp(join(tmpdir(), 'specline-model-'));
  const root = join(base, 'repo');
  const outside = join(base, 'outside');
  await mkdir(join(root, 'src', 'routes'), { recursive: true });
  await mkdir(join(root, 'test'), { recursive: true });
  await mkdir(join(root, 'dist'), { recursive: true });
  await mkdir(outside, { recursive: true });
  await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'demo-api', type: 'module', scripts: { test: 'vitest run' }, dependencies: { fastify: '^5.0.0' }, devDependencies: { vitest: '^4.0.0' } }, null, 2));
  await writeFile(join(root, '.gitignore'), 'dist/\n*.log\n.env\n');
  await writeFile(join(root, 'src', 'server.ts'), "import Fastify from 'fastify';\nimport { users } from './routes/users';\nexport const app = Fastify();\napp.get('/health', async () => ({ ok: true }));\napp.register(users, { prefix: '/api/v1' });\n");
  await writeFile(join(root, 'src', 'routes', 'users.ts'), "export async function users(app) {\n  app.get('/users/:id', async (req) => ({ id: req.params.id }));\n}\n");
  await writeFile(join(root, 'test', 'server.test.ts'), "import { it } from 'vitest';\nit('answers /health', () => {});\n");
  await writeFile(join(root, 'dist', 'server.js'), 'compiled();\n');
  await writeFile(join(root, 'debug.log'), 'ignored log\n');
  await writeFile(join(root, '.env'), 'DATABASE_PASSWORD=hunter2\n');
  await writeFile(join(root, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 1, 2, 3]));
  await writeFile(join(root, 'big.txt'), Array.from({ length: 4000 }, (_, i) => `line ${i + 1} of a long file with some padding text`).join('\n'));
  await writeFile(join(outside, 'secret.txt'), 'OUTSIDE-THE-REPO\n');
  await symlink(join(outside, 'secret.txt'), join(root, 'link-out.txt'));
  return { root, outside, remove: () => rm(base, { recursive: true, force: true }) };
}

export interface RecordedProgress {
  message: string;
  extra?: Record<string, unknown>;
}

export function makeContext(root: string, options: { phaseData?: PhaseData; attempt?: number; hasCodebase?: boolean } = {}): PhaseContext & { lines: RecordedProgress[] } {
  const lines: RecordedProgress[] = [];
  return {
    spec: { id: 'spec-1', title: 'Add rate limiting to the public API', description: 'Limit each API key to 100 requests per minute and return 429 with Retry-After' },
    cwd: root,
    ...(options.hasCodebase === false ? { hasCodebase: false } : {}),
    phaseData: options.phaseData ?? {},
    attempt: options.attempt ?? 1,
    maxAttempts: 3,
    progress: (message, extra) => lines.push({ message, ...(extra ? { extra } : {}) }),
    lines,
  };
}

export interface Variant {
  provider: ProviderName;
  stream: boolean;
  structured: StructuredOutputMode;
  /** A model with a price in the table. */
  model: string;
}

export const VARIANTS: Variant[] = [
  { provider: 'anthropic', stream: true, structured: 'tool', model: 'claude-sonnet-5-5' },
  { provider: 'anthropic', stream: false, structured: 'tool', model: 'claude-sonnet-5-5' },
  { provider: 'openai', stream: true, structured: 'tool', model: 'gpt-4.1-mini' },
  { provider: 'openai', stream: false, structured: 'tool', model: 'gpt-4.1-mini' },
  { provider: 'openai', stream: true, structured: 'json_schema', model: 'gpt-4.1-mini' },
];

export function executorFor(fake: FakeLlm, variant: Variant, options: Partial<ProviderExecutorOptions> & { clock: Clock }) {
  return createProviderExecutor({
    provider: variant.provider,
    model: variant.model,
    apiKey: TEST_KEY,
    baseUrl: variant.provider === 'anthropic' ? fake.anthropicBaseUrl : fake.openaiBaseUrl,
    stream: variant.stream,
    structuredOutput: variant.structured,
    random: () => 1,
    ...options,
  });
}

/** Turns the event loop until `condition` holds (no timers; real I/O gets to run). */
export async function until(condition: () => boolean, what = 'the condition', maxTurns = 200_000): Promise<void> {
  for (let i = 0; i < maxTurns; i++) {
    if (condition()) return;
    await flushMicrotasks();
  }
  throw new Error(`until: ${what} did not come true`);
}

/** The tool results and user texts a request sent, as one string (provider-neutral enough for `toContain`). */
export function bodyText(fake: FakeLlm, index: number): string {
  return JSON.stringify(fake.requests[index]?.body ?? null);
}
