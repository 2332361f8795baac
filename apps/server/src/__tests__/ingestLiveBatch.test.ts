/**
 * The one-statement path for a batch without side effects (services/ingestInsert.ts `insertLiveBatch`)
 * is taken only for event types the run-state reducer ignores: every protocol event type outside
 * `EFFECT_EVENT_TYPES` must leave the state exactly as it was, whatever its payload.
 */
import { EventPayloads } from '@specline/protocol';
import { describe, expect, it } from 'vitest';
import { EFFECT_EVENT_TYPES, reduceRunEffects, type RunState } from '../services/runEffects';

const initial: RunState = {
  status: 'executing',
  currentPhase: 'explore',
  phases: ['explore', 'requirements'],
  phaseStatus: { explore: { state: 'running', attempt: 1, max_attempts: null, eval_score: null, reason: null, error: null, started_at: null, completed_at: null } },
  progress: 10,
  lastError: null,
  usage: null,
  lastHeartbeatAt: null,
};

describe('event types without side effects', () => {
  const inert = [...Object.keys(EventPayloads).filter((t) => !EFFECT_EVENT_TYPES.has(t)), 'spec.progress', 'custom.anything'];

  it.each(inert)('%s changes no run state, patches no phase data and ends nothing', (type) => {
    const payloads = [{}, { phase: 'requirements', message: 'x', current_phase: 'design', success: true, phase_data: { design: { a: 1 } } }];
    for (const data of payloads) {
      const out = reduceRunEffects(initial, [{ spec_seq: 1, event_type: type, data, emitted_at: new Date(0) }], { now: new Date(1), runStartedBefore: true });
      expect(out.changed).toBe(false);
      expect(out.phaseDataPatch).toEqual({});
      expect(out.completed).toEqual([]);
      expect(out.terminal).toBeNull();
    }
  });

  it('every type the reducer acts on is in EFFECT_EVENT_TYPES', () => {
    for (const type of EFFECT_EVENT_TYPES) expect(Object.keys(EventPayloads)).toContain(type);
    expect(EFFECT_EVENT_TYPES.has('spec.progress')).toBe(false);
    expect(EFFECT_EVENT_TYPES.has('spec.heartbeat')).toBe(true);
    expect(EFFECT_EVENT_TYPES.has('agent.completed')).toBe(true);
  });
});
