/**
 * The real server as a child process: `npx tsx apps/server/src/main.ts` in its own process group
 * (so the whole npx → tsx → node tree is stopped together), output kept in a log file, ready when
 * `/api/v1/health` answers `ok`. With a profile directory it runs `node --cpu-prof --import tsx …`
 * instead (one node process, so the profile is the server's).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpClient } from './http';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface ServerOptions {
  repoRoot: string;
  /** The server's main module, relative to `repoRoot`. */
  entry: string;
  env: Record<string, string>;
  logFile: string;
  /** When set: `node --cpu-prof --cpu-prof-dir=<dir>` runs the server directly. */
  profileDir?: string | undefined;
  readyTimeoutMs?: number;
  /** `taskset -c <cpus>`: the server (and everything it starts) runs on these CPUs only, e.g. `0`. */
  cpus?: string | undefined;
}

export interface ServerProcess {
  pid: number;
  baseUrl: string;
  /** Resolves with the exit code (or signal name) when the child exits. */
  exited: Promise<string>;
  logTail(lines?: number): string;
  /** SIGTERM to the process group, then SIGKILL after `graceMs`. Resolves with how it ended. */
  stop(graceMs?: number): Promise<string>;
}

export async function startServer(options: ServerOptions): Promise<ServerProcess> {
  const port = Number(options.env['PORT']);
  const baseUrl = `http://127.0.0.1:${port}`;
  const log = createWriteStream(options.logFile);
  const [bare, bareArgs] = options.profileDir
    ? ['node', [`--cpu-prof`, `--cpu-prof-dir=${options.profileDir}`, '--import', 'tsx', options.entry]]
    : ['npx', ['--no-install', 'tsx', options.entry]];
  const [command, args] = options.cpus ? ['taskset', ['-c', options.cpus, bare, ...bareArgs]] : [bare, bareArgs];
  const child: ChildProcess = spawn(command, args, {
    cwd: options.repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: stop() signals npx, tsx and node together
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<string>((resolve) => {
    child.on('exit', (code, signal) => resolve(signal ?? String(code)));
  });
  let gone: string | undefined;
  void exited.then((how) => {
    gone = how;
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not spawn the server (${command} ${args.join(' ')})`);

  const logTail = (lines = 40) => {
    try {
      return readFileSync(options.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no server log)';
    }
  };

  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };

  const server: ServerProcess = {
    pid,
    baseUrl,
    exited,
    logTail,
    async stop(graceMs = 25_000) {
      if (gone !== undefined) return gone;
      signalGroup('SIGTERM');
      const how = await Promise.race([exited, sleep(graceMs).then(() => undefined)]);
      if (how !== undefined) return how;
      signalGroup('SIGKILL');
      return `killed after ${graceMs} ms: ${await exited}`;
    },
  };

  const http = new HttpClient(baseUrl, 2);
  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
  try {
    for (;;) {
      if (gone !== undefined) throw new Error(`the server exited (${gone}) before it was ready:\n${logTail()}`);
      const res = await http.request('GET', '/api/v1/health').catch(() => undefined);
      if (res?.status === 200 && (res.body as { status?: string } | undefined)?.status === 'ok') break;
      if (Date.now() > deadline) {
        await server.stop(2_000);
        throw new Error(`the server did not answer /api/v1/health with ok within ${options.readyTimeoutMs ?? 90_000} ms:\n${logTail()}`);
      }
      await sleep(200);
    }
  } finally {
    http.close();
  }
  return server;
}
