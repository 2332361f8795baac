/** Test support: valid protocol events in a realistic order. Not exported from the package. */
import { randomUUID } from 'node:crypto';
import type { Phase, SpecEvent } from '@specline/protocol';

export interface EventFactory {
  /** One event of any type, with the next `seq`. */
  make(event_type: string, data: Record<string, unknown>, phase?: Phase | null): SpecEvent;
  /** `n` events cycling through a run's typical types (a heartbeat among them). */
  many(n: number): SpecEvent[];
}

export function eventFactory(specId = 'spec-1', start = Date.UTC(2025, 0, 1, 12, 0, 0)): EventFactory {
  let seq = 0;
  const make = (event_type: string, data: Record<string, unknown>, phase: Phase | null = null): SpecEvent => {
    seq++;
    return { event_id: randomUUID(), seq, event_type, timestamp: new Date(start + seq * 1000).toISOString(), spec_id: specId, phase, data };
  };
  const cycle: (() => SpecEvent)[] = [
    () => make('spec.phase_started', { phase: 'explore', attempt: 1 }, 'explore'),
    () => make('spec.progress', { message: `step ${seq + 1}` }, 'explore'),
    () => make('spec.phase_retry', { phase: 'explore', retry_count: 1, max_retries: 3, reason: 'evaluation_failed', eval_score: 0.4, eval_feedback: 'tech_stack: empty' }, 'explore'),
    () => make('spec.heartbeat', { phases_completed: [], current_phase: 'explore' }),
    () => make('spec.phase_completed', { phase: 'explore', eval_score: 0.91, duration_seconds: 1.5, retry_count: 1, phase_output: { codebase_summary: 'x' } }, 'explore'),
    () => make('spec.phase_failed', { phase: 'design', reason: 'execution_error', error: 'boom', retry_count: 2 }, 'design'),
  ];
  return {
    make,
    many(n) {
      const events: SpecEvent[] = [];
      for (let i = 0; i < n; i++) events.push(cycle[i % cycle.length]!());
      return events;
    },
  };
}
