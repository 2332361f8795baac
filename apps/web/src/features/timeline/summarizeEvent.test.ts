import { describe, expect, it } from 'vitest';
import { EventPayloads, KNOWN_EVENT_TYPES, type KnownEventType } from '@specline/protocol';
import { EVENT_META, eventLook, getEventMeta, GENERIC_META, TONE_CLASSES } from './eventMeta';
import { summarizeEvent } from './summarizeEvent';

/** One realistic payload per catalogue type and the summary it must give. A new type without a row here fails. */
const SAMPLES: Record<KnownEventType, { data: Record<string, unknown>; phase?: string; summary: string }> = {
  'spec.execution_started': { data: { title: 'Rate limiter', description: 'd', phases: ['explore', 'requirements', 'design', 'tasks', 'sync'] }, summary: '“Rate limiter” · 5 phases' },
  'spec.execution_completed': {
    data: { phases_completed: ['explore', 'requirements'], markdown_artifacts: {}, ticket_creation: { tickets_created: 3, tasks_created: 12, errors: [] } },
    summary: '2 phases completed · 3 tickets, 12 tasks created',
  },
  'spec.execution_failed': { data: { failed_phase: 'design', error: 'model returned no JSON' }, phase: 'design', summary: 'model returned no JSON · in Design' },
  'spec.phase_started': { data: { phase: 'design', attempt: 2 }, phase: 'design', summary: 'Design · attempt 2' },
  'spec.phase_completed': { data: { phase: 'explore', eval_score: 0.92, duration_seconds: 3.14, retry_count: 0, phase_output: {} }, phase: 'explore', summary: 'score 0.92 · 3.1 s' },
  'spec.phase_failed': {
    data: { phase: 'requirements', reason: 'evaluation_failed', eval_feedback: 'Issues found:\n- REQ-002 has no acceptance criteria', eval_score: 0.41, retry_count: 3 },
    phase: 'requirements',
    summary: 'evaluation failed: Issues found: REQ-002 has no acceptance criteria · score 0.41',
  },
  'spec.phase_retry': {
    data: { phase: 'design', retry_count: 1, max_retries: 3, reason: 'evaluation_failed', eval_score: 0.55, eval_feedback: '- Missing data models\n- No API' },
    phase: 'design',
    summary: 'attempt 2/3 · score 0.55 · Missing data models',
  },
  'spec.heartbeat': { data: { phases_completed: ['explore'], current_phase: 'requirements' }, summary: 'running Requirements · 1 phase done' },
  'spec.progress': { data: { message: 'Evaluation score: 0.81', eval_passed: true }, phase: 'design', summary: 'Evaluation score: 0.81' },
  'spec.artifact_created': { data: { artifact_type: 'requirements_md', path: '.specline/requirements.md' }, summary: 'requirements_md · .specline/requirements.md' },
  'spec.requirements_generated': { data: { path: 'requirements.md', requirement_count: 7 }, summary: '7 requirements · requirements.md' },
  'spec.design_generated': { data: { path: 'design.md', component_count: 1 }, summary: '1 component · design.md' },
  'spec.tasks_generated': { data: { path: 'tasks.md', task_count: 12 }, summary: '12 tasks · tasks.md' },
  'spec.sync_started': { data: { items_to_sync: 15 }, summary: '15 items to sync' },
  'spec.sync_completed': { data: { items_synced: 15 }, summary: '15 items synced' },
  'spec.tasks_queued': { data: { task_count: 12 }, summary: '12 tasks queued' },
  'spec.tickets_creation_started': { data: { ticket_count: 3, task_count: 12 }, summary: '3 tickets, 12 tasks to create' },
  'spec.tickets_creation_completed': { data: { tickets_created: 2, tasks_created: 12, errors: ['TKT-003: duplicate title'] }, summary: '2 tickets, 12 tasks created · 1 error: TKT-003: duplicate title' },
  'spec.ticket_created': { data: { ticket_id: 't-1', title: 'Token bucket store', local_id: 'TKT-001' }, summary: 'Token bucket store · TKT-001' },
  'spec.task_created': { data: { task_id: 'k-1', title: 'Write the Redis adapter', ticket_id: 't-1' }, summary: 'Write the Redis adapter' },
  'spec.awaiting_approval': { data: { phase: 'requirements', next_phase: 'design', phases_completed: ['explore', 'requirements'] }, summary: 'Requirements waits for your approval · then Design' },
  'agent.completed': { data: { spec_id: 's', success: true, phase_data: {}, phases_completed: ['explore', 'requirements', 'design', 'tasks', 'sync'] }, summary: 'succeeded · 5 phases completed' },
};

describe('eventMeta and summarizeEvent cover the whole catalogue', () => {
  it.each(KNOWN_EVENT_TYPES)('%s has its own icon, label, colour and summary', (type) => {
    const sample = SAMPLES[type];
    expect(sample, `add a sample for ${type}`).toBeDefined();
    // The sample is a payload the protocol accepts, so the summary is tested on real shapes.
    expect(EventPayloads[type].safeParse(sample.data).success).toBe(true);
    const meta = EVENT_META[type];
    expect(meta).toBeDefined();
    expect(meta.label).not.toBe(GENERIC_META.label);
    expect(meta.icon).not.toBe(GENERIC_META.icon);
    expect(TONE_CLASSES[meta.tone]).toBeDefined();
    expect(summarizeEvent({ event_type: type, phase: (sample.phase ?? null), event_data: sample.data })).toBe(sample.summary);
  });

  it('labels are unique', () => {
    const labels = KNOWN_EVENT_TYPES.map((t) => EVENT_META[t].label);
    expect(new Set(labels).size).toBe(labels.length);
  });
});

describe('summarizeEvent picks errors and reasons before phase names', () => {
  it('phase_failed with an execution error shows the error, not the phase', () => {
    const text = summarizeEvent({ event_type: 'spec.phase_failed', phase: 'design', event_data: { phase: 'design', reason: 'execution_error', error: 'sandbox OOM', retry_count: 3 } });
    expect(text).toBe('execution error: sandbox OOM');
  });

  it('a failed agent.completed shows the error and looks like a failure', () => {
    const event = { event_type: 'agent.completed', phase: null, event_data: { spec_id: 's', success: false, phase_data: {}, failed_phase: 'tasks', error: 'timeout after 600 s' } };
    expect(summarizeEvent(event)).toBe('failed: timeout after 600 s · in Tasks');
    expect(eventLook(event).tone).toBe('danger');
    expect(eventLook({ ...event, event_data: { ...event.event_data, success: true } }).tone).toBe('success');
  });

  it('phase_retry with an error and no feedback shows the error', () => {
    expect(summarizeEvent({ event_type: 'spec.phase_retry', event_data: { phase: 'explore', retry_count: 2, max_retries: 3, reason: 'execution_error', error: 'rate limited' } })).toBe(
      'attempt 3/3 · rate limited',
    );
  });

  it('unknown types get the generic look labelled with their type, and an error/message summary', () => {
    expect(getEventMeta('agent.tool_completed')).toMatchObject({ label: 'agent.tool_completed', icon: GENERIC_META.icon, tone: 'neutral' });
    expect(summarizeEvent({ event_type: 'agent.tool_completed', event_data: { phase: 'design', error: 'tool crashed', message: 'm' } })).toBe('tool crashed');
    expect(summarizeEvent({ event_type: 'x.y', event_data: { count: 2 } })).toBe('{"count":2}');
  });
});
