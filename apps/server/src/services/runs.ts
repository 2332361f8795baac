/** Starting, cancelling and watching sandbox runs. Implemented in `launcher/runManager.ts`. */
import type { ExecuteSpecResponse, ModelSettingsInput } from '@specline/protocol';
import type { RunPlanOptions } from './runPlans';

/** `RunPlanOptions` (issue 10): the run's kind, the phase it continues from, its approval mode, a reviewer's comment. */
export interface StartRunOptions extends RunPlanOptions {
  userId: string | null;
  prd?: boolean;
  /** This run's model settings over the project's (never stored; the key only reaches the sandbox's environment). */
  modelSettings?: ModelSettingsInput | undefined;
}

export interface RunManager {
  /** Atomically moves the spec to `executing` and launches a sandbox; `already_running` if one is live. */
  start(specId: string, options: StartRunOptions): Promise<ExecuteSpecResponse>;
  /** Stops the live run of a spec; the spec ends `cancelled`. */
  cancel(specId: string, userId: string | null): Promise<void>;
  /** Marks runs left `executing` by a previous server process (or whose sandbox died) as failed. */
  reconcile(): Promise<number>;
  /** One pass of the reaper: fails runs whose heartbeats stopped. Returns how many it failed. */
  reap(): Promise<number>;
  /** Called by ingestion when a run's terminal event was stored: revokes the token, marks the sandbox ended. */
  finished(sandboxId: string, outcome: 'completed' | 'failed' | 'cancelled'): Promise<void>;
  close(): Promise<void>;
}
