/**
 * The code base a run explores. A project's repository is kept as a mirror in the data directory
 * (`<dataDir>/repos/<project_id>.git`: `git clone --mirror` the first time, `git fetch --prune` before
 * every run) and each run gets its own clean checkout of the resolved commit in its work directory
 * (`<dataDir>/workdirs/<sandbox_id>`), removed when the sandbox exits. A project without a repository
 * gets an empty work directory.
 *
 * git runs without a shell (argument arrays, `--` before URLs), with a timeout, no terminal prompts,
 * only the file/git/http(s)/ssh transports, and symlinks checked out as plain files (a link in a
 * repository must not let a run read the server's files). Messages never carry URL credentials.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { checkRepoUrl, redactCredentials, redactUrl, type RepoPolicy } from '../services/repoUrls';

export interface RepoSettings extends RepoPolicy {
  gitTimeoutSeconds: number;
}

export const DEFAULT_REPO_SETTINGS: RepoSettings = { roots: [], allowRemote: true, gitTimeoutSeconds: 300 };

/** A repository that could not be fetched or checked out; the message names the URL without credentials. */
export class RepoError extends Error {
  override name = 'RepoError';
}

export interface RepoSource {
  projectId: string;
  url: string;
  ref: string | null;
}

export interface GitOptions {
  cwd?: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/** The environment of every git command: nothing of the server's own but PATH and HOME (ssh keys, git config). */
export function gitEnv(base: NodeJS.ProcessEnv | Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {
    GIT_TERMINAL_PROMPT: '0',
    GIT_ALLOW_PROTOCOL: 'file:git:http:https:ssh',
    GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
    GIT_CONFIG_NOSYSTEM: '1',
    LC_ALL: 'C',
  };
  for (const name of ['PATH', 'HOME', 'TMPDIR']) {
    const value = base[name];
    if (value) env[name] = value;
  }
  return env;
}

export interface Git {
  (args: string[], options: GitOptions): Promise<string>;
}

/** Runs git with an argument array (never a shell). Rejects with git's stderr, credentials redacted. */
export function createGit(env: Record<string, string>): Git {
  return (args, options) =>
    new Promise((resolve, reject) => {
      execFile(
        'git',
        ['-c', 'core.symlinks=false', '-c', 'core.hooksPath=/dev/null', '-c', 'protocol.ext.allow=never', '-c', 'protocol.fd.allow=never', ...args],
        { cwd: options.cwd, env, timeout: options.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024, signal: options.signal, encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (!error) return resolve(stdout.trim());
          const e = error as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null };
          let why: string;
          if (e.name === 'AbortError') why = 'cancelled';
          else if (e.code === 'ENOENT') why = 'git is not installed on the server (not found on PATH)';
          else if (e.killed || e.signal === 'SIGKILL') why = `timed out after ${Math.round(options.timeoutMs / 1000)} s`;
          else why = lastLines(stderr) || e.message;
          reject(new Error(redactCredentials(why)));
        },
      );
    });
}

function lastLines(text: string, n = 4): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-n)
    .join(' ');
}

export interface Checkout {
  commit: string;
}

export interface WorkspaceManager {
  /** Brings the project's mirror up to date and checks the resolved commit out into `dest` (created). */
  checkout(source: RepoSource, dest: string, signal?: AbortSignal): Promise<Checkout>;
}

export function createWorkspaceManager(options: { dataDir: string; settings: RepoSettings; git?: Git; env?: Record<string, string> }): WorkspaceManager {
  const git = options.git ?? createGit(gitEnv(options.env ?? process.env));
  const reposDir = path.join(options.dataDir, 'repos');
  const timeoutMs = options.settings.gitTimeoutSeconds * 1000;
  /** One fetch at a time per mirror (two runs of a project would race on its refs). */
  const locks = new Map<string, Promise<unknown>>();

  function serial<T>(key: string, job: () => Promise<T>): Promise<T> {
    const previous = locks.get(key) ?? Promise.resolve();
    const next = previous.then(job, job);
    const settled = next.catch(() => undefined);
    locks.set(key, settled);
    void settled.then(() => {
      if (locks.get(key) === settled) locks.delete(key);
    });
    return next;
  }

  async function updateMirror(mirror: string, url: string, shown: string, signal?: AbortSignal): Promise<void> {
    if (existsSync(path.join(mirror, 'HEAD'))) {
      const current = await git(['--git-dir', mirror, 'config', '--get', 'remote.origin.url'], { timeoutMs, signal }).catch(() => '');
      if (current === url) {
        try {
          await git(['--git-dir', mirror, 'fetch', '--prune', '--quiet', 'origin'], { timeoutMs, signal });
          return;
        } catch (error) {
          throw new RepoError(`could not fetch the repository ${shown}: ${(error as Error).message}`);
        }
      }
      // The project now points at another repository: start its mirror over.
      rmSync(mirror, { recursive: true, force: true });
    }
    const tmp = `${mirror}.${process.pid}.${Date.now()}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    try {
      await git(['clone', '--mirror', '--quiet', '--', url, tmp], { timeoutMs, signal });
      renameSync(tmp, mirror);
    } catch (error) {
      rmSync(tmp, { recursive: true, force: true });
      throw new RepoError(`could not clone the repository ${shown}: ${(error as Error).message}`);
    }
  }

  return {
    async checkout(source, dest, signal) {
      const shown = redactUrl(source.url);
      let checked;
      try {
        checked = checkRepoUrl(source.url, options.settings);
      } catch (error) {
        throw new RepoError(`the repository ${shown} is no longer allowed: ${(error as Error).message.replace(/^repo_url is not allowed: /, '')}`);
      }
      const url = checked.kind === 'local' ? checked.path : checked.url;
      mkdirSync(reposDir, { recursive: true });
      const mirror = path.join(reposDir, `${source.projectId}.git`);
      const commit = await serial(mirror, async () => {
        await updateMirror(mirror, url, shown, signal);
        const rev = source.ref ?? 'HEAD';
        try {
          return await git(['--git-dir', mirror, 'rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], { timeoutMs, signal });
        } catch {
          throw new RepoError(
            source.ref ? `the ref "${source.ref}" was not found in the repository ${shown}` : `the repository ${shown} has no commits on its default branch`,
          );
        }
      });
      if (!/^[0-9a-f]{40,64}$/.test(commit)) throw new RepoError(`could not resolve ${source.ref ?? 'HEAD'} in ${shown}`);
      rmSync(dest, { recursive: true, force: true });
      mkdirSync(path.dirname(dest), { recursive: true });
      try {
        await git(['clone', '--quiet', '--no-checkout', '--', mirror, dest], { timeoutMs, signal });
        await git(['-C', dest, 'checkout', '--quiet', '--detach', commit], { timeoutMs, signal });
        // The checkout's origin would be the mirror (a server path): the run has no use for it.
        await git(['-C', dest, 'remote', 'remove', 'origin'], { timeoutMs, signal });
      } catch (error) {
        rmSync(dest, { recursive: true, force: true });
        throw new RepoError(`could not check out ${commit.slice(0, 12)} of the repository ${shown}: ${(error as Error).message}`);
      }
      return { commit };
    },
  };
}
