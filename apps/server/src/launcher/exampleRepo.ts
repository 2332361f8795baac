/**
 * The demo's code base: a sample application shipped in this repository (`examples/bookshop/`). A
 * sub-folder of a repository is not a git repository of its own, so at start the server copies it
 * into `<dataDir>/examples/<name>` and commits it there (fixed author and date, so the same files give
 * the same commit), only when it is missing or its files changed. That directory is always an allowed
 * repository root; the demo project's `repo_url` points at it.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { examplesDir } from '../services/repoUrls';
import { REPO_ROOT } from './localProvider';
import { createGit, gitEnv } from './workspace';

/** Not copied: dependencies, builds and the source's own VCS data. */
const SKIP = new Set(['node_modules', '.git', 'dist', 'build', '.venv', '__pycache__', '.DS_Store']);

export interface ExampleRepoOptions {
  /** The shipped folder, e.g. `<repo>/examples/bookshop`. */
  source: string;
  dataDir: string;
  timeoutMs?: number;
}

export interface ExampleRepo {
  path: string;
  commit: string;
  /** Whether this call made a new commit (first start, or the shipped files changed). */
  committed: boolean;
}

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Specline examples',
  GIT_AUTHOR_EMAIL: 'examples@specline.local',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_NAME: 'Specline examples',
  GIT_COMMITTER_EMAIL: 'examples@specline.local',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};

/** Makes (or refreshes) the git repository of an example; null when the shipped folder does not exist. */
export async function ensureExampleRepo(options: ExampleRepoOptions): Promise<ExampleRepo | null> {
  if (!existsSync(options.source)) return null;
  const dest = path.join(examplesDir(options.dataDir), path.basename(options.source));
  const git = createGit({ ...gitEnv(process.env), ...IDENTITY, GIT_CONFIG_GLOBAL: '/dev/null' });
  const timeoutMs = options.timeoutMs ?? 60_000;
  mkdirSync(dest, { recursive: true });
  // The working tree is the shipped folder exactly: everything but .git is replaced.
  for (const entry of readdirSync(dest)) if (entry !== '.git') rmSync(path.join(dest, entry), { recursive: true, force: true });
  cpSync(options.source, dest, { recursive: true, filter: (from) => !SKIP.has(path.basename(from)) });
  if (!existsSync(path.join(dest, '.git'))) await git(['init', '--quiet', '--initial-branch=main', dest], { timeoutMs });
  await git(['-C', dest, 'add', '--all'], { timeoutMs });
  const status = await git(['-C', dest, 'status', '--porcelain'], { timeoutMs });
  const hasHead = await git(['-C', dest, 'rev-parse', '--verify', '--quiet', 'HEAD'], { timeoutMs }).then(
    () => true,
    () => false,
  );
  let committed = false;
  if (status !== '' || !hasHead) {
    await git(['-C', dest, '-c', 'commit.gpgsign=false', 'commit', '--quiet', '--allow-empty', '-m', `${path.basename(options.source)}: the sample application shipped with Specline`], { timeoutMs });
    committed = true;
  }
  const commit = await git(['-C', dest, 'rev-parse', 'HEAD'], { timeoutMs });
  return { path: dest, commit, committed };
}

/** The shipped sample application of the demo project. */
export const DEMO_EXAMPLE = path.join(REPO_ROOT, 'examples', 'bookshop');

/**
 * Start-up step of `main.ts`: the demo's example repository, or null (logged) when it cannot be made —
 * the demo project then has no repository and its runs plan from the request alone.
 */
export async function prepareDemoRepository(config: { dataDir: string; repos: { gitTimeoutSeconds: number } }, logger: Logger, source = DEMO_EXAMPLE): Promise<string | null> {
  try {
    const repo = await ensureExampleRepo({ source, dataDir: config.dataDir, timeoutMs: config.repos.gitTimeoutSeconds * 1000 });
    if (!repo) {
      logger.warn({ source }, 'the sample application for the demo project is missing; the demo project has no repository');
      return null;
    }
    if (repo.committed) logger.info({ path: repo.path, commit: repo.commit }, 'made the demo project\'s example repository');
    return repo.path;
  } catch (error) {
    logger.warn({ err: error, source }, 'could not make the demo project\'s example repository; the demo project has no repository');
    return null;
  }
}
