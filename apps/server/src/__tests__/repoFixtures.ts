/**
 * Fixtures of the repository and model-settings tests: small git repositories made in temp
 * directories (git through argument arrays, never a shell), a logger that keeps every line it writes
 * (to prove secrets never reach it), and a local provider that records its launch requests.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import type { Spec } from '@specline/protocol';
import type { TestServer, TestUser } from './harness';
import { waitFor } from './launcherFixtures';

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.test',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.test',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: tmpdir(), ...IDENTITY }, encoding: 'utf8' }).trim();
}

/** A fresh directory (real path: /tmp may be a link). */
export function tempDir(prefix: string): string {
  return realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
}

function write(root: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), content);
  }
}

/** The files of the sample repository: an Express API whose names appear nowhere in Specline's own tree. */
export const WAREHOUSE_FILES: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'warehouse-ledger', version: '1.0.0', dependencies: { express: '^4.19.0' } }, null, 2),
  'src/server.ts': "import express from 'express';\nimport { router } from './inventory/ledgerRoutes';\nconst app = express();\napp.use('/api', router);\napp.listen(3000);\n",
  'src/inventory/ledgerRoutes.ts':
    "import express from 'express';\nexport const router = express.Router();\nrouter.get('/stock/:sku', (req, res) => res.json({ sku: req.params.sku, quantity: 3 }));\nrouter.post('/stock/:sku/adjust', (req, res) => res.status(204).end());\n",
  'README.md': '# warehouse-ledger\n\nStock levels per SKU.\n',
};

/** A git repository in `root/<name>` with one commit on `main` and a `feature` branch one commit ahead. */
export function makeRepo(root: string, name = 'warehouse'): { dir: string; main: string; feature: string } {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '--quiet', '--initial-branch=main');
  write(dir, WAREHOUSE_FILES);
  git(dir, 'add', '--all');
  git(dir, 'commit', '--quiet', '-m', 'warehouse ledger');
  const main = git(dir, 'rev-parse', 'HEAD');
  git(dir, 'checkout', '--quiet', '-b', 'feature');
  write(dir, { 'src/inventory/lowStock.ts': 'export const LOW_STOCK_THRESHOLD = 5;\n' });
  git(dir, 'add', '--all');
  git(dir, 'commit', '--quiet', '-m', 'low stock threshold');
  const feature = git(dir, 'rev-parse', 'HEAD');
  git(dir, 'checkout', '--quiet', 'main');
  return { dir, main, feature };
}

/** Adds a commit to a branch of a repository made by `makeRepo`; returns its hash. */
export function addCommit(dir: string, branch: string, files: Record<string, string>): string {
  git(dir, 'checkout', '--quiet', branch);
  write(dir, files);
  git(dir, 'add', '--all');
  git(dir, 'commit', '--quiet', '-m', `change on ${branch}`);
  const hash = git(dir, 'rev-parse', 'HEAD');
  git(dir, 'checkout', '--quiet', 'main');
  return hash;
}

/** A pino logger at debug level keeping every line. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) }), lines };
}

export { recording } from './launcherFixtures';

export async function getSpec(server: TestServer, user: TestUser, specId: string): Promise<Spec> {
  const res = await server.app.inject({ method: 'GET', url: `/api/v1/specs/${specId}`, headers: user.headers });
  if (res.statusCode !== 200) throw new Error(`GET spec: ${res.statusCode} ${res.body}`);
  return res.json<Spec>();
}

export function settled(server: TestServer, user: TestUser, specId: string, timeoutMs = 60_000): Promise<Spec> {
  return waitFor(
    `spec ${specId} to leave executing`,
    async () => {
      const spec = await getSpec(server, user, specId);
      return spec.status === 'executing' ? undefined : spec;
    },
    timeoutMs,
  );
}

/** `POST /tickets` spec_driven; returns the spec id. */
export async function specDrivenTicket(server: TestServer, user: TestUser, projectId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await server.app.inject({
    method: 'POST',
    url: '/api/v1/tickets',
    headers: user.headers,
    payload: {
      title: 'Export reports as CSV',
      description: 'Users can export any report as a CSV file, with the filters they applied, from the report page.',
      project_id: projectId,
      priority: 'high',
      workflow_mode: 'spec_driven',
      ...extra,
    },
  });
  if (res.statusCode !== 201) throw new Error(`POST ticket: ${res.statusCode} ${res.body}`);
  const specId = res.json<{ spec_id: string | null }>().spec_id;
  if (!specId) throw new Error('the spec_driven ticket has no spec');
  return specId;
}
