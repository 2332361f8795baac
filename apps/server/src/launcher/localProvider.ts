/**
 * The `local` sandbox provider: runs the sandbox CLI (`specline-sandbox run --phases …`) as a child process of
 * the server with the HTTP reporter. Each child gets its own process group (so anything it starts
 * is stopped with it) and its stdout/stderr appended to `<dataDir>/sandboxes/<id>.log`, which is
 * kept after the run for diagnosis.
 *
 * Its working directory is `<dataDir>/workdirs/<id>`: a clean checkout of the project's repository at
 * the resolved commit (`SPEC_REPO_COMMIT`), or, for a project without one, an empty directory
 * (`SPEC_NO_REPO=1`) — never the server's own tree. The directory is removed when the child exits.
 * `workdir` (`SANDBOX_WORKDIR`) is an operator override for projects without a repository only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants as fsConstants, mkdirSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { LaunchedSandbox, LaunchRequest, SandboxProvider } from './provider';
import { createWorkspaceManager, DEFAULT_REPO_SETTINGS, type RepoSettings, type WorkspaceManager } from './workspace';

export interface LocalProviderOptions {
  /** Logs go to `<dataDir>/sandboxes/<id>.log`, outputs to `<dataDir>/sandboxes/<id>/`. */
  dataDir: string;
  /**
   * Operator override (`SANDBOX_WORKDIR`): the directory runs of projects WITHOUT a repository explore.
   * Unset → an empty per-sandbox directory and `SPEC_NO_REPO=1`.
   */
  workdir?: string | undefined;
  /** Allowed repository roots, remote switch and git timeout (`config.repos`). */
  repos?: RepoSettings;
  /** Mirrors and checkouts; default one in `<dataDir>/repos`. */
  workspaces?: WorkspaceManager;
  /** JavaScript entry run with `process.execPath … run`; default the `@specline/sandbox` bin. */
  entry?: string;
  /** Base environment of every child (`config.sandbox.env`); the server's own env is NOT inherited. */
  env?: Record<string, string>;
  /** How long `stop()` waits after SIGTERM before SIGKILL. */
  stopGraceMs?: number;
  logger: Logger;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** `apps/server/src/launcher` → the repository root. */
export const REPO_ROOT = path.resolve(here, '../../../..');

/** Where the sandbox CLI lives: through the workspace package when resolvable, else relative to the repo. */
export function defaultSandboxEntry(): string {
  try {
    const index = createRequire(import.meta.url).resolve('@specline/sandbox');
    return path.resolve(path.dirname(index), '../bin/specline-sandbox.js');
  } catch {
    return path.join(REPO_ROOT, 'packages/sandbox/bin/specline-sandbox.js');
  }
}

/** The child's environment: the configured base (PATH, …; never the server's secrets) plus the run's variables. */
export function sandboxEnv(
  request: LaunchRequest,
  dirs: { output: string; cwd: string; contextFile: string | undefined; repoCommit?: string | null; noRepo?: boolean },
  base: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  Object.assign(env, base, {
    SPEC_ID: request.specId,
    SANDBOX_ID: request.sandboxId,
    CALLBACK_URL: request.callbackUrl,
    SANDBOX_TOKEN: request.token,
    REPORTER_MODE: 'http',
    SPEC_TITLE: request.title,
    SPEC_DESCRIPTION: request.description,
    HEARTBEAT_INTERVAL: String(request.heartbeatIntervalSeconds),
    OUTPUT_DIRECTORY: dirs.output,
    CWD: dirs.cwd,
  });
  if (request.leaseSeconds) env['SANDBOX_LEASE_SECONDS'] = String(request.leaseSeconds);
  if (request.phase) env['SPEC_PHASE'] = request.phase;
  if (request.approvalMode) env['SPEC_APPROVAL_MODE'] = request.approvalMode;
  if (request.reviewFeedback) env['SPEC_REVIEW_FEEDBACK'] = request.reviewFeedback;
  if (dirs.contextFile) env['CONTEXT_FILE'] = dirs.contextFile;
  if (dirs.repoCommit) env['SPEC_REPO_COMMIT'] = dirs.repoCommit;
  if (dirs.noRepo) env['SPEC_NO_REPO'] = '1';
  Object.assign(env, request.modelEnv ?? {});
  return env;
}

interface Child {
  process: ChildProcess;
  exited: Promise<void>;
}

export interface LocalProvider extends SandboxProvider {
  /** Pid of a live child (tests use it to kill one). */
  pidOf(sandboxId: string): number | undefined;
  logPathOf(sandboxId: string): string;
}

export function createLocalProvider(options: LocalProviderOptions): LocalProvider {
  const entry = options.entry ?? defaultSandboxEntry();
  const sandboxDir = path.join(options.dataDir, 'sandboxes');
  const workdirs = path.join(options.dataDir, 'workdirs');
  const override = options.workdir ? path.resolve(options.workdir) : undefined;
  const workspaces = options.workspaces ?? createWorkspaceManager({ dataDir: options.dataDir, settings: options.repos ?? DEFAULT_REPO_SETTINGS });
  const grace = options.stopGraceMs ?? 5_000;
  const children = new Map<string, Child>();
  const logPathOf = (id: string) => path.join(sandboxDir, `${id}.log`);
  const alive = (child: Child) => child.process.exitCode === null && child.process.signalCode === null;

  /** Signals the child's whole process group (it was started detached), falling back to the child. */
  function signal(child: Child, sig: NodeJS.Signals): void {
    const pid = child.process.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, sig);
    } catch {
      child.process.kill(sig);
    }
  }

  const provider: LocalProvider = {
    name: 'local',
    pidOf: (id) => {
      const child = children.get(id);
      return child && alive(child) ? child.process.pid : undefined;
    },
    logPathOf,

    async launch(request: LaunchRequest): Promise<LaunchedSandbox> {
      try {
        accessSync(entry, fsConstants.R_OK);
      } catch {
        throw new Error(`the sandbox CLI was not found at ${entry}`);
      }
      const output = path.join(sandboxDir, request.sandboxId);
      mkdirSync(output, { recursive: true });
      // The code base: a checkout of the project's repository, the operator's override, or an empty directory.
      const own = path.join(workdirs, request.sandboxId);
      let cwd: string;
      let repoCommit: string | null = null;
      let noRepo = false;
      if (request.repo) {
        repoCommit = (await workspaces.checkout(request.repo, own, request.signal)).commit;
        cwd = own;
      } else if (override) {
        cwd = override;
      } else {
        rmSync(own, { recursive: true, force: true });
        mkdirSync(own, { recursive: true });
        cwd = own;
        noRepo = true;
      }
      const removeOwn = () => {
        if (cwd === own) rmSync(own, { recursive: true, force: true });
      };
      if (request.signal?.aborted) {
        removeOwn();
        throw new Error('the run ended before its sandbox started');
      }
      let contextFile: string | undefined;
      if (Object.keys(request.phaseData).length > 0) {
        contextFile = path.join(output, 'context.json');
        writeFileSync(contextFile, JSON.stringify({ phase_data: request.phaseData }), { mode: 0o600 });
      }
      const logPath = logPathOf(request.sandboxId);
      const fd = openSync(logPath, 'a', 0o600);
      let child: ChildProcess;
      try {
        child = spawn(process.execPath, [entry, 'run', '--phases', request.phases.join(',')], {
          cwd,
          env: sandboxEnv(request, { output, cwd, contextFile, repoCommit, noRepo }, options.env ?? {}),
          stdio: ['ignore', fd, fd],
          detached: true,
        });
      } catch (error) {
        removeOwn();
        throw error;
      } finally {
        closeSync(fd);
      }
      const exited = new Promise<void>((resolve) => {
        child.once('exit', (code, sig) => {
          // The CLI runs its work in a grandchild; make sure nothing of the group outlives it.
          if (child.pid !== undefined) {
            try {
              process.kill(-child.pid, 'SIGKILL');
            } catch {
              /* the group is already gone */
            }
          }
          options.logger.info({ sandboxId: request.sandboxId, code, signal: sig }, 'sandbox process exited');
          try {
            removeOwn();
          } catch (error) {
            options.logger.warn({ sandboxId: request.sandboxId, err: error }, 'could not remove the work directory of a sandbox');
          }
          resolve();
          if (children.get(request.sandboxId)?.process === child) children.delete(request.sandboxId);
          provider.onExit?.(request.sandboxId, code, sig);
        });
      });
      // `spawn` reports a failure to start (ENOENT, EACCES, …) as an 'error' event, never a throw.
      try {
        await once(child, 'spawn');
      } catch (error) {
        removeOwn();
        throw new Error(`could not run ${process.execPath} ${entry}: ${(error as Error).message}`, { cause: error });
      }
      children.set(request.sandboxId, { process: child, exited });
      options.logger.info({ sandboxId: request.sandboxId, pid: child.pid, logPath, repoCommit, noRepo }, 'sandbox started');
      return { pid: child.pid ?? null, logPath, repoCommit };
    },

    async stop(sandboxId: string, reason: string): Promise<void> {
      const child = children.get(sandboxId);
      if (!child || !alive(child)) return;
      options.logger.info({ sandboxId, reason }, 'stopping sandbox');
      signal(child, 'SIGTERM');
      signal(child, 'SIGCONT'); // a stopped (SIGSTOP) process cannot act on SIGTERM otherwise
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        child.exited.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), grace);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut && alive(child)) {
        options.logger.warn({ sandboxId, graceMs: grace }, 'sandbox ignored SIGTERM; sending SIGKILL');
        signal(child, 'SIGKILL');
        await child.exited;
      }
    },

    isAlive(sandboxId: string): boolean {
      const child = children.get(sandboxId);
      return child !== undefined && alive(child);
    },

    async close(): Promise<void> {
      await Promise.all([...children.keys()].map((id) => provider.stop(id, 'server shutting down')));
    },
  };
  return provider;
}
