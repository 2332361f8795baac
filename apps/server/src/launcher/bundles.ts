/**
 * The code a worker's run explores (issue 11): a worker on another machine cannot read the server's
 * repository mirror, so the server serves the resolved commit as a `git bundle` over the authenticated
 * worker route. The bundle is made from a clean checkout of the commit (`workspace.ts`: the mirror is
 * fetched first), kept in `<dataDir>/bundles/<sandbox_id>.bundle` until the attempt ends, then removed.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { createGit, gitEnv, RepoError, type RepoSource, type WorkspaceManager } from './workspace';

export interface BundleStore {
  /** Makes the bundle of `source` (its ref, or `commit` when given) for a sandbox; resolves with the commit. */
  make(sandboxId: string, source: RepoSource, signal?: AbortSignal): Promise<{ commit: string; bytes: number }>;
  /** The bundle file of a sandbox, or undefined. */
  fileOf(sandboxId: string): string | undefined;
  remove(sandboxId: string): void;
}

export function createBundleStore(options: { dataDir: string; workspaces: WorkspaceManager; env: Record<string, string>; gitTimeoutSeconds: number }): BundleStore {
  const dir = path.join(options.dataDir, 'bundles');
  const git = createGit(gitEnv(options.env));
  const timeoutMs = options.gitTimeoutSeconds * 1000;
  const safe = (sandboxId: string) => (/^[A-Za-z0-9_-]{1,100}$/.test(sandboxId) ? sandboxId : undefined);
  const fileFor = (sandboxId: string) => path.join(dir, `${sandboxId}.bundle`);
  return {
    async make(sandboxId, source, signal) {
      if (!safe(sandboxId)) throw new RepoError(`bad sandbox id ${sandboxId}`);
      mkdirSync(dir, { recursive: true });
      const work = path.join(dir, `${sandboxId}.checkout`);
      try {
        const { commit } = await options.workspaces.checkout(source, work, signal);
        const file = fileFor(sandboxId);
        try {
          await git(['-C', work, 'bundle', 'create', '--quiet', file, 'HEAD'], { timeoutMs, signal });
        } catch (error) {
          throw new RepoError(`could not bundle ${commit.slice(0, 12)} for a worker: ${(error as Error).message}`);
        }
        return { commit, bytes: statSync(file).size };
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
    fileOf(sandboxId) {
      if (!safe(sandboxId)) return undefined;
      try {
        return statSync(fileFor(sandboxId)).isFile() ? fileFor(sandboxId) : undefined;
      } catch {
        return undefined;
      }
    },
    remove(sandboxId) {
      if (safe(sandboxId)) rmSync(fileFor(sandboxId), { force: true });
    },
  };
}
