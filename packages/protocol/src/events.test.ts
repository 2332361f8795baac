import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KNOWN_EVENT_TYPES, SpecEvent, isEventOfType, isFailureEvent } from './events';
import { parsePhase, phaseIndex, phaseList } from './phases';

function envelope(event_type: string, data: Record<string, unknown>, phase: string | null = null) {
  return { event_id: randomUUID(), seq: 1, event_type, timestamp: '2026-11-25T10:00:00.000Z', spec_id: 'spec-1', phase, data };
}

describe('SpecEvent', () => {
  it('accepts a catalogue event with a valid payload and keeps extra payload fields', () => {
    const parsed = SpecEvent.parse(envelope('spec.phase_started', { phase: 'design', attempt: 2, note: 'kept' }, 'design'));
    expect(parsed.data).toEqual({ phase: 'design', attempt: 2, note: 'kept' });
  });

  it('rejects a catalogue event whose payload is wrong, naming the path under data', () => {
    const result = SpecEvent.safeParse(envelope('spec.phase_completed', { phase: 'design', eval_score: 1.5, duration_seconds: 1, retry_count: 0, phase_output: {} }));
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['data.eval_score']);
  });

  it('accepts unknown but well-formed event types as generic events', () => {
    const parsed = SpecEvent.parse(envelope('agent.tool_used', { tool: 'grep' }));
    expect(parsed.event_type).toBe('agent.tool_used');
  });

  it.each(['Spec.Started', 'nodots', 'spec..x', 'spec.', '1spec.x'])('rejects the malformed event type %s', (type) => {
    expect(SpecEvent.safeParse(envelope(type, {})).success).toBe(false);
  });

  it('requires a uuid event_id and a positive seq', () => {
    expect(SpecEvent.safeParse({ ...envelope('spec.progress', { message: 'x' }), event_id: 'abc' }).success).toBe(false);
    expect(SpecEvent.safeParse({ ...envelope('spec.progress', { message: 'x' }), seq: 0 }).success).toBe(false);
  });

  it('has a payload schema for every catalogue type of DESIGN §3', () => {
    // DESIGN §3's 21, plus spec.awaiting_approval (review gates).
    expect(KNOWN_EVENT_TYPES).toHaveLength(22);
    expect(KNOWN_EVENT_TYPES).toContain('spec.awaiting_approval');
    expect(KNOWN_EVENT_TYPES).toContain('agent.completed');
  });

  it('narrows with isEventOfType', () => {
    const event = SpecEvent.parse(envelope('spec.heartbeat', { phases_completed: ['explore'], current_phase: 'design' }));
    expect(isEventOfType(event, 'spec.heartbeat') && event.data.current_phase).toBe('design');
  });

  it('classifies failures: phase failures, retries, execution failures and unsuccessful completions', () => {
    expect(isFailureEvent({ event_type: 'spec.phase_failed', event_data: {} })).toBe(true);
    expect(isFailureEvent({ event_type: 'spec.phase_retry', event_data: {} })).toBe(true);
    expect(isFailureEvent({ event_type: 'agent.completed', event_data: { success: false } })).toBe(true);
    expect(isFailureEvent({ event_type: 'agent.completed', event_data: { success: true } })).toBe(false);
    expect(isFailureEvent({ event_type: 'spec.progress', event_data: {} })).toBe(false);
  });
});

describe('phases', () => {
  it('parses phase names case-insensitively', () => {
    expect(parsePhase('EXPLORE')).toBe('explore');
    expect(parsePhase(' Design ')).toBe('design');
    expect(parsePhase('nonsense')).toBeUndefined();
  });

  it('puts prd after explore only when enabled', () => {
    expect(phaseList()).toEqual(['explore', 'requirements', 'design', 'tasks', 'sync']);
    expect(phaseList({ prd: true })).toEqual(['explore', 'prd', 'requirements', 'design', 'tasks', 'sync']);
    expect(phaseIndex('prd')).toBeLessThan(phaseIndex('requirements'));
  });
});
