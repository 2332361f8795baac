import { describe, expect, it } from 'vitest';
import { parseIngestBody, type NormalizedEvent } from './ingest';
import { LEGACY_SYNC_SUMMARY_TYPE, legacyEventKey } from './legacy';

/** The original reporter's wire body. */
const wire = (event_type: string, data: Record<string, unknown> = {}) => ({ event_type, event_data: { ...data, spec_id: 'spec-1' }, source: 'agent' });
/** The plain `Event` JSON, `phase` at the top level as the seed's example has it. */
const plain = (event_type: string, phase: string | null, data?: Record<string, unknown>) => ({ event_type, timestamp: '2025-01-16T14:30:00Z', spec_id: 'spec-1', phase, ...(data ? { data } : {}) });

function one(body: unknown): NormalizedEvent {
  const result = parseIngestBody(body);
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.issues)}`);
  return result.events[0]!;
}

describe('legacy producers: every catalogue type in both shapes', () => {
  it('phase_started without data gets attempt 1 and its phase from either place', () => {
    expect(one(plain('spec.phase_started', 'explore'))).toMatchObject({ shape: 'plain', phase: 'explore', data: { phase: 'explore', attempt: 1, legacy_defaults: ['attempt'] } });
    expect(one(wire('spec.phase_started', { phase: 'design' }))).toMatchObject({ shape: 'legacy', phase: 'design', data: { phase: 'design', attempt: 1 } });
  });

  it("the seed's own phase_completed example (top-level phase, no phase_output) is accepted in both shapes", () => {
    const data = { eval_score: 0.92, duration_seconds: 45.3, retry_count: 0 };
    const fromPlain = one(plain('spec.phase_completed', 'requirements', data));
    expect(fromPlain).toMatchObject({ phase: 'requirements', data: { ...data, phase: 'requirements', phase_output: {}, phase_output_missing: true } });
    const fromWire = one(wire('spec.phase_completed', { ...data, phase: 'requirements' }));
    expect(fromWire.data).toMatchObject({ phase_output_missing: true, phase: 'requirements' });
    const withOutput = one(wire('spec.phase_completed', { ...data, phase: 'explore', phase_output: { codebase_summary: 'x' } }));
    expect(withOutput.data['phase_output']).toEqual({ codebase_summary: 'x' });
    expect(withOutput.data['phase_output_missing']).toBeUndefined();
  });

  it('phase_failed and phase_retry with the phase only at the top level', () => {
    expect(one(plain('spec.phase_failed', 'tasks', { reason: 'execution_error', error: 'boom', retry_count: 3 })).data).toMatchObject({ phase: 'tasks', retry_count: 3 });
    expect(one(plain('spec.phase_retry', 'design', { reason: 'evaluation_failed', retry_count: 1, max_retries: 3 })).data).toMatchObject({ phase: 'design', max_attempts: 3 });
  });

  it('an integer heartbeat.phases_completed becomes the list of the first N phases, the count kept', () => {
    const event = one(wire('spec.heartbeat', { phases_completed: 2, current_phase: 'prd' }));
    expect(event.data).toMatchObject({ phases_completed: ['explore', 'prd'], phases_completed_count: 2, current_phase: 'prd' });
  });

  it('ticket_created / task_created with local_id / api_id', () => {
    expect(one(wire('spec.ticket_created', { local_id: 'TKT-001', api_id: 't-9', title: 'Webhooks' })).data).toMatchObject({ ticket_id: 't-9', local_id: 'TKT-001', title: 'Webhooks' });
    expect(one(wire('spec.task_created', { local_id: 'TSK-002', api_id: 'k-4', ticket_api_id: 't-9', title: 'Sign payloads' })).data).toMatchObject({ task_id: 'k-4', ticket_id: 't-9' });
  });

  it('execution_completed with ticket_creation: null', () => {
    const event = one(wire('spec.execution_completed', { phases_completed: ['explore'], markdown_artifacts: {}, ticket_creation: null }));
    expect(event.data).toMatchObject({ ticket_creation: { tickets_created: 0, tasks_created: 0, errors: [] }, ticket_creation_reported: false });
  });

  it('the wire agent.completed keeps spec_id in its payload (it used to be refused)', () => {
    const event = one(wire('agent.completed', { success: true, phase_data: { explore: {} }, phases_completed: ['explore'] }));
    expect(event).toMatchObject({ event_type: 'agent.completed', spec_id: 'spec-1', data: { spec_id: 'spec-1', success: true } });
  });

  it('the sync-summary agent.completed is stored as spec.sync_summary, so only the final one completes the run', () => {
    const event = one(wire('agent.completed', { success: false, phase_data: {}, sync_summary: { status: 'blocked' } }));
    expect(event.event_type).toBe(LEGACY_SYNC_SUMMARY_TYPE);
    expect(event.data).toMatchObject({ original_event_type: 'agent.completed', sync_summary: { status: 'blocked' } });
  });

  it('sync_started / sync_completed with ticket and task counts', () => {
    expect(one(wire('spec.sync_started', { ticket_count: 2, task_count: 5, dry_run: false })).data['items_to_sync']).toBe(7);
    expect(one(wire('spec.sync_completed', { tickets_created: 2, tasks_created: 4, tasks_updated: 1 })).data['items_synced']).toBe(7);
  });

  it('still refuses what cannot be mapped, naming where', () => {
    const result = parseIngestBody(wire('spec.phase_completed', { phase: 'explore', eval_score: 'high' }));
    expect(result.ok === false && result.issues[0]?.path).toBe('event_data.eval_score');
  });

  it('never rewrites Specline envelope events', () => {
    const envelope = { event_id: '0b6f4f5e-2f7a-4d8e-9b1c-3a2d4e5f6a7b', seq: 1, event_type: 'spec.phase_started', timestamp: '2026-01-01T00:00:00Z', spec_id: 's', phase: 'explore', data: {} };
    expect(parseIngestBody(envelope).ok).toBe(false);
  });
});

describe('legacyEventKey', () => {
  const event = { event_type: 'spec.phase_failed', timestamp: null, phase: 'explore' as const, data: { message: 'hi', b: 1, a: { y: 1, x: 2 } } };
  it('is stable under key order and distinguishes position and content', () => {
    const reordered = { ...event, data: { a: { x: 2, y: 1 }, b: 1, message: 'hi' } };
    expect(legacyEventKey(event, 0)).toBe(legacyEventKey(reordered, 0));
    expect(legacyEventKey(event, 0)).not.toBe(legacyEventKey(event, 1));
    expect(legacyEventKey(event, 0)).not.toBe(legacyEventKey({ ...event, data: { message: 'ho' } }, 0));
  });
  it('gives heartbeats and progress lines no key (a fresh id each time)', () => {
    expect(legacyEventKey({ event_type: 'spec.heartbeat', timestamp: null, phase: null, data: {} }, 0)).toBeNull();
    expect(legacyEventKey({ event_type: 'spec.progress', timestamp: null, phase: 'explore', data: { message: 'Tool use: Read' } }, 0)).toBeNull();
  });
});
