/**
 * One job of the run queue on a worker (issue 11): claim the run's next attempt from the server, check
 * the code out from the server's git bundle (or an empty directory: SPEC_NO_REPO), run the sandbox CLI
 * as a child — the same environment, HTTP reporting and token as the local launcher gives it — and
 * watch it: every poll asks the server whether the attempt is still live (cancelled, superseded by
 * another worker, ended), and stops the child when not. When the child exits the server hears how, and
 * the checkout is removed. A lost Redis lock never stops the child: the sandbox reports over HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { WorkerConfig } from '../config';
import { defaultSandboxEntry, sandboxEnv } from '../launcher/localProvider';
import type { LaunchRequest } from '../launcher/provider';
import { createGit, gitEnv } from '../launcher/workspace';
import type { RunJob } from '../queue/jobs';
import type { ServerApi } from './serverApi';

const WATCHDOG = fileURLToPath(new URL('./watchdog.mjs', import.meta.url));
const STOP_GRACE_MS = 5_000;

export interface AttemptDeps {
  config: WorkerConfig;
  api: ServerApi;
  logger: Logger;
  /** `worker:<host>:<pid>:<random>`. */
  owner: string;
  /** Live children by sandbox id (shutdown stops them). */
  children: Map<string, ChildProcess>;
  entry?: string;
}

export type AttemptResult = { outcome: 'ended'; detail: string } | { outcome: 'ran'; sandboxId: string; exitCode: number | null; signal: string | null };

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** Kills a child's process group at once (no report: its run resumes elsewhere). */
export function killChild(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) signalGroup(child, 'SIGKILL');
}

/** Stops a child's process group: SIGTERM, then SIGKILL after the grace. */
export function stopChild(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  signalGroup(child, 'SIGTERM');
  signalGroup(child, 'SIGCONT');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), STOP_GRACE_MS);
  timer.unref();
  child.once('exit', () => clearTimeout(timer));
}

export async function runAttempt(deps: AttemptDeps, job: RunJob): Promise<AttemptResult> {
  const { config, api, logger, owner } = deps;
  const claim = await api.claim({ spec_id: job.spec_id, run_id: job.run_id, worker: owner });
  if (claim.outcome === 'ended') {
    logger.info({ specId: job.spec_id, runId: job.run_id, detail: claim.detail }, 'nothing to run: the run has ended');
    return claim;
  }
  const sandboxId = claim.sandbox_id;
  const log = logger.child({ specId: claim.spec_id, runId: claim.run_id, sandboxId, attempt: claim.attempt });
  const workDir = path.join(config.dir, 'work', sandboxId);
  const outputDir = path.join(config.dir, 'sandboxes', sandboxId);
  const logPath = path.join(config.dir, 'sandboxes', `${sandboxId}.log`);
  mkdirSync(outputDir, { recursive: true });
  let child: ChildProcess | undefined;
  let stopped: string | undefined;
  // While the code is checked out the server hears from the worker (the lease); afterwards from the sandbox.
  let state: 'preparing' | 'running' = 'preparing';
  const poll = setInterval(() => {
    api
      .status(sandboxId, { state, ...(child?.pid ? { pid: child.pid, log_path: logPath } : {}) })
      .then((answer) => {
        if (answer.live || stopped) return;
        stopped = answer.detail;
        log.warn({ detail: answer.detail }, 'the attempt is no longer live; stopping its sandbox');
        if (child) stopChild(child);
      })
      .catch((error: unknown) => log.debug({ err: error }, 'could not ask the server about the attempt; asking again at the next poll'));
  }, config.pollSeconds * 1000);
  try {
    let cwd = workDir;
    let repoCommit: string | null = null;
    rmSync(workDir, { recursive: true, force: true });
    if (claim.repo) {
      const bundle = `${workDir}.bundle`;
      mkdirSync(path.dirname(workDir), { recursive: true });
      try {
        await api.bundle(sandboxId, bundle);
        const git = createGit(gitEnv(config.sandboxEnv));
        const timeoutMs = 300_000;
        await git(['clone', '--quiet', '--no-checkout', '--', bundle, workDir], { timeoutMs });
        await git(['-C', workDir, 'checkout', '--quiet', '--detach', claim.repo.commit], { timeoutMs });
        await git(['-C', workDir, 'remote', 'remove', 'origin'], { timeoutMs });
        repoCommit = claim.repo.commit;
      } finally {
        rmSync(bundle, { force: true });
      }
    } else {
      mkdirSync(workDir, { recursive: true });
    }
    cwd = workDir;
    let contextFile: string | undefined;
    if (Object.keys(claim.phase_data).length > 0) {
      contextFile = path.join(outputDir, 'context.json');
      writeFileSync(contextFile, JSON.stringify({ phase_data: claim.phase_data }), { mode: 0o600 });
    }
    const request: LaunchRequest = {
      sandboxId,
      specId: claim.spec_id,
      token: claim.token,
      callbackUrl: claim.callback_url,
      title: claim.title,
      description: claim.description,
      phases: claim.phases,
      phaseData: claim.phase_data,
      heartbeatIntervalSeconds: claim.heartbeat_interval_seconds,
      leaseSeconds: claim.lease_seconds,
      approvalMode: claim.approval_mode,
      ...(claim.review_feedback ? { reviewFeedback: claim.review_feedback } : {}),
      modelEnv: claim.model_env,
    };
    if (stopped) return { outcome: 'ended', detail: stopped };
    const fd = openSync(logPath, 'a', 0o600);
    try {
      child = spawn(process.execPath, [WATCHDOG, deps.entry ?? defaultSandboxEntry(), 'run', '--phases', claim.phases.join(',')], {
        cwd,
        env: sandboxEnv(request, { output: outputDir, cwd, contextFile, repoCommit, noRepo: !claim.repo }, config.sandboxEnv),
        stdio: ['ignore', fd, fd],
        detached: true,
      });
    } finally {
      closeSync(fd);
    }
    const running = child;
    deps.children.set(sandboxId, running);
    const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
      running.once('exit', (code, signal) => resolve({ code, signal }));
      running.once('error', () => resolve({ code: 127, signal: null }));
    });
    state = 'running';
    log.info({ pid: running.pid, phases: claim.phases, logPath }, 'sandbox started');
    api.status(sandboxId, { state, ...(running.pid ? { pid: running.pid } : {}), log_path: logPath }).catch(() => undefined);
    const { code, signal } = await exit;
    // The CLI runs its work in a grandchild: nothing of the group outlives the run.
    signalGroup(running, 'SIGKILL');
    deps.children.delete(sandboxId);
    log.info({ code, signal }, 'sandbox exited');
    await api.exited(sandboxId, { exit_code: code, signal, worker: owner, log_path: logPath }).catch((error: unknown) => {
      log.warn({ err: error }, 'could not tell the server how the sandbox ended; its lease decides');
    });
    return { outcome: 'ran', sandboxId, exitCode: code, signal };
  } finally {
    clearInterval(poll);
    rmSync(workDir, { recursive: true, force: true });
  }
}
