/**
 * Pacing: wraps an executor so every attempt takes at least `stepDelayMs`. The deterministic planner
 * finishes a phase in milliseconds; demos and browser tests pace it so a person (or a test) can watch a
 * run unfold. The wait honours cancellation. Off (0) by default.
 */
import type { Clock, PhaseExecutor } from '../types';

export function withPacing(executor: PhaseExecutor, options: { stepDelayMs: number; clock: Clock }): PhaseExecutor {
  if (options.stepDelayMs <= 0) return executor;
  return {
    name: executor.name,
    async execute(phase, context, feedback, signal) {
      context.progress(`Pacing: waiting ${options.stepDelayMs} ms before ${phase} (--step-delay-ms)`);
      await options.clock.sleep(options.stepDelayMs, signal);
      return executor.execute(phase, context, feedback, signal);
    },
  };
}
