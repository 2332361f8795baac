/**
 * The `local` sandbox provider: runs the sandbox CLI (`specline-sandbox run --phases …`) as a child process of
 * the server with the HTTP reporter. Each child gets its own process group (so anything it starts
 * is stopped with it) and its stdout/stderr appended to `<dataDir>/sandboxes/<id>.log`, which is
 * kept after the run for diagnosis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants as fsConstants, mkdirSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { LaunchedSandbox, LaunchRequest, SandboxProvider } from './provider';

export interface LocalProviderOptions {
  /** Logs go to `<dataDir>/sandboxes/<id>.log`, outputs to `<dataDir>/sandboxes/<id>/`. */
  dataDir: string;
  /** Working directory of the sandbox (the code base it explores); default the repository root. */
  workdir?: string | undefined;
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
export function sandboxEnv(request: LaunchRequest, dirs: { output: string; cwd: string; contextFile: string | undefined }, base: Record<string, string>): Record<string, string> {
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
  if (request.phase) env['SPEC_PHASE'] = request.phase;
  if (dirs.contextFile) env['CONTEXT_FILE'] = dirs.contextFile;
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
  const cwd = options.workdir ? path.resolve(options.workdir) : REPO_ROOT;
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
          env: sandboxEnv(request, { output, cwd, contextFile }, options.env ?? {}),
          stdio: ['ignore', fd, fd],
          detached: true,
        });
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
          resolve();
          if (children.get(request.sandboxId)?.process === child) children.delete(request.sandboxId);
          provider.onExit?.(request.sandboxId, code, sig);
        });
      });
      // `spawn` reports a failure to start (ENOENT, EACCES, …) as an 'error' event, never a throw.
      try {
        await once(child, 'spawn');
      } catch (error) {
        throw new Error(`could not run ${process.execPath} ${entry}: ${(error as Error).message}`, { cause: error });
      }
      children.set(request.sandboxId, { process: child, exited });
      options.logger.info({ sandboxId: request.sandboxId, pid: child.pid, logPath }, 'sandbox started');
      return { pid: child.pid ?? null, logPath };
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
