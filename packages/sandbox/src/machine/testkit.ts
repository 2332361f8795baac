/**
 * Test helpers for the state machine: an in-memory reporter, a scripted executor and a few waiting
 * aids that use no timers. They implement our own seams (Reporter, PhaseExecutor); nothing outside
 * the process is faked.
 */
import type { Phase, SpecEvent } from '@specline/protocol';
import { flushMicrotasks } from '../clock';
import { cleanDesign, cleanExplore, cleanRequirements, cleanTasks } from '../evaluators/fixtures';
import type { ExecutionResult, PhaseContext, PhaseExecutor, Reporter, RetryFeedback } from '../types';

export class MemoryReporter implements Reporter {
  readonly events: SpecEvent[] = [];
  flushes = 0;
  closed = false;
  private waiters: { predicate: (event: SpecEvent) => boolean; resolve: (event: SpecEvent) => void }[] = [];
  report(event: SpecEvent): Promise<void> {
    this.events.push(event);
    for (const waiter of this.waiters.filter((w) => w.predicate(event))) waiter.resolve(event);
    this.waiters = this.waiters.filter((w) => !w.predicate(event));
    return Promise.resolve();
  }
  /** Resolves with the first event (already reported or to come) that matches. */
  when(predicate: (event: SpecEvent) => boolean): Promise<SpecEvent> {
    const seen = this.events.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ predicate, resolve }));
  }
  flush(): Promise<void> {
    this.flushes++;
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
  types(options: { heartbeats?: boolean } = {}): string[] {
    return this.events.filter((e) => options.heartbeats || e.event_type !== 'spec.heartbeat').map((e) => e.event_type);
  }
  ofType(type: string): SpecEvent[] {
    return this.events.filter((e) => e.event_type === type);
  }
}

export interface ExecutorCall {
  phase: Phase;
  attempt: number;
  feedback: RetryFeedback | null;
  at: number;
  context: PhaseContext;
}

/** What a scripted step does: return an output, throw, or run custom code. */
export type Step = Record<string, unknown> | Error | ((call: ExecutorCall, signal: AbortSignal) => Promise<ExecutionResult>);

export const cleanOutputs: Record<Exclude<Phase, 'sync'>, () => Record<string, unknown>> = {
  explore: cleanExplore,
  prd: () => ({
    overview: { one_liner: 'Rate limits', problem_statement: 'Abuse', solution_summary: 'Per-key windows' },
    goals: ['Stop abuse'],
    user_stories: [{ id: 'US-001', role: 'operator', want: 'limits', benefit: 'stability', acceptance_criteria: ['429 after 100'] }],
    scope: { in_scope: ['API'], out_of_scope: ['UI'] },
  }),
  requirements: cleanRequirements,
  design: cleanDesign,
  tasks: cleanTasks,
};

/**
 * An executor following a script per phase: step n answers attempt n (the last step repeats).
 * Phases without a script return the clean fixture output.
 */
export function scriptedExecutor(script: Partial<Record<Phase, Step[]>>, now: () => number): PhaseExecutor & { calls: ExecutorCall[] } {
  const calls: ExecutorCall[] = [];
  return {
    name: 'scripted',
    calls,
    async execute(phase, context, feedback, signal) {
      const call: ExecutorCall = { phase, attempt: context.attempt, feedback, at: now(), context };
      calls.push(call);
      const steps = script[phase];
      const step = steps?.[Math.min(context.attempt, steps.length) - 1];
      if (step === undefined) {
        if (phase === 'sync') throw new Error('SYNC is computed by code: the executor must not be asked');
        return { output: cleanOutputs[phase]() };
      }
      if (step instanceof Error) throw step;
      if (typeof step === 'function') return step(call, signal);
      return Promise.resolve({ output: step });
    },
  };
}

/** A step that never finishes unless its signal aborts (`respectSignal`), or never at all. */
export function hang(respectSignal: boolean): Step {
  return (_call, signal) =>
    new Promise<ExecutionResult>((_resolve, reject) => {
      if (respectSignal) signal.addEventListener('abort', () => reject(new Error('aborted by signal')), { once: true });
    });
}

/** Lets the event loop turn until `predicate` holds (no timers; fails after `turns`). */
export async function waitFor(predicate: () => boolean, turns = 200_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (predicate()) return;
    await flushMicrotasks();
  }
  throw new Error('waitFor: condition not met');
}

export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
