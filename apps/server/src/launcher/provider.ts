/** Where sandboxes run. `local` runs the sandbox CLI as a child process; others (a cloud) plug in here. */
import type { RepoSource } from './workspace';

export interface LaunchRequest {
  sandboxId: string;
  specId: string;
  /** The sandbox's own token: bound to (sandboxId, specId). */
  token: string;
  callbackUrl: string;
  title: string;
  description: string;
  phases: string[];
  /** Outputs of earlier phases, for a resumed or single-phase run. */
  phaseData: Record<string, unknown>;
  heartbeatIntervalSeconds: number;
  /**
   * The run's lease (`SANDBOX_LEASE_SECONDS`): the server fails the run only after this long without a
   * batch from it; the sandbox's reporter derives its retry budget from it (protocol `reporterBudget`).
   */
  leaseSeconds?: number;
  /** `review`: the run stops after REQUIREMENTS and DESIGN (`SPEC_APPROVAL_MODE`); absent → `auto`. */
  approvalMode?: 'auto' | 'review';
  /** A reviewer's rejection comment: the first phase's first attempt gets it as feedback (`SPEC_REVIEW_FEEDBACK`). */
  reviewFeedback?: string;
  /** Run only this phase (`SPEC_PHASE`); absent → the whole run. */
  phase?: string;
  /** The project's repository: the run explores a checkout of it. Null/absent → no code base (`SPEC_NO_REPO=1`). */
  repo?: RepoSource | null;
  /**
   * Model settings as the sandbox's environment (`SPEC_EXECUTOR`, `SPEC_MODEL`, the provider's API key
   * and base URL). Secrets: only ever passed as environment, never logged, never written to a file.
   */
  modelEnv?: Record<string, string>;
  /** Aborted when the run ends before its sandbox started (a cancel during the clone). */
  signal?: AbortSignal;
}

export interface LaunchedSandbox {
  pid: number | null;
  logPath: string | null;
  /** The commit checked out for the run (`SPEC_REPO_COMMIT`), or null without a repository. */
  repoCommit?: string | null;
}

export interface SandboxProvider {
  readonly name: string;
  launch(request: LaunchRequest): Promise<LaunchedSandbox>;
  /** Stops a running sandbox; resolves when it is gone (or was not running). */
  stop(sandboxId: string, reason: string): Promise<void>;
  /** Is the sandbox still alive as far as the provider knows? */
  isAlive(sandboxId: string): boolean;
  /** Stops every sandbox it started (server shutdown). */
  close(): Promise<void>;
  /**
   * Called when a sandbox process ends (on its own or stopped). `exitCode` is null when a signal
   * ended it; `signal` then names it. The run manager sets this.
   */
  onExit?: (sandboxId: string, exitCode: number | null, signal: string | null) => void;
}

/** Provider that launches nothing: for tests that drive ingestion themselves, and `SANDBOX_PROVIDER=none`. */
export function createNoopProvider(): SandboxProvider & { launched: LaunchRequest[] } {
  const launched: LaunchRequest[] = [];
  return {
    name: 'none',
    launched,
    launch(request) {
      launched.push(request);
      return Promise.resolve({ pid: null, logPath: null });
    },
    stop: () => Promise.resolve(),
    isAlive: () => false,
    close: () => Promise.resolve(),
  };
}
