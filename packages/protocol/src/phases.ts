import { z } from 'zod';

/** Every phase the state machine knows, in run order. `prd` is optional and off by default. */
export const ALL_PHASES = ['explore', 'prd', 'requirements', 'design', 'tasks', 'sync'] as const;
/** The default run: EXPLORE → REQUIREMENTS → DESIGN → TASKS → SYNC. */
export const DEFAULT_PHASES = ['explore', 'requirements', 'design', 'tasks', 'sync'] as const satisfies readonly Phase[];

export const Phase = z.enum(ALL_PHASES);
export type Phase = z.infer<typeof Phase>;

/** Position of a phase in the canonical order; used to make `current_phase` only move forward. */
export function phaseIndex(phase: Phase): number {
  return ALL_PHASES.indexOf(phase);
}

/** Parses a phase name case-insensitively (`EXPLORE` and `explore` both work); `undefined` when unknown. */
export function parsePhase(name: string): Phase | undefined {
  const result = Phase.safeParse(name.trim().toLowerCase());
  return result.success ? result.data : undefined;
}

/** Builds the phase list of a run: the default phases, with `prd` after `explore` when enabled. */
export function phaseList(options: { prd?: boolean } = {}): Phase[] {
  return options.prd ? ['explore', 'prd', 'requirements', 'design', 'tasks', 'sync'] : [...DEFAULT_PHASES];
}

/**
 * `awaiting_approval`: a review-mode run stopped after REQUIREMENTS or DESIGN; a person approves or rejects that phase.
 * `queued`: a run was asked for but waits for a slot (a user's, project's or the server's concurrent-run
 * limit) or for a worker of the run queue; it starts by itself, in order (issue 11).
 */
export const SpecStatus = z.enum(['draft', 'queued', 'executing', 'awaiting_approval', 'completed', 'failed', 'cancelled']);
export type SpecStatus = z.infer<typeof SpecStatus>;

/**
 * How a run treats the review gates: `auto` runs every phase straight through; `review` stops after
 * REQUIREMENTS and after DESIGN until a person approves (or rejects) that phase's output.
 */
export const ApprovalMode = z.enum(['auto', 'review']);
export type ApprovalMode = z.infer<typeof ApprovalMode>;

export const Priority = z.enum(['low', 'medium', 'high', 'critical']);
export type Priority = z.infer<typeof Priority>;
