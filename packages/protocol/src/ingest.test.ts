import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseIngestBody } from './ingest';

const valid = (seq: number) => ({
  event_id: randomUUID(),
  seq,
  event_type: 'spec.progress',
  timestamp: '2026-11-25T10:00:00Z',
  spec_id: 'spec-1',
  phase: 'explore',
  data: { message: `step ${seq}` },
});

describe('parseIngestBody', () => {
  it('accepts one envelope event', () => {
    const result = parseIngestBody(valid(1));
    expect(result).toMatchObject({ ok: true, batch: false, events: [{ shape: 'envelope', seq: 1, spec_id: 'spec-1', source: 'agent' }] });
  });

  it('accepts a batch and keeps order', () => {
    const result = parseIngestBody({ events: [valid(1), valid(2), valid(3)] });
    expect(result.ok && result.events.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('reports every bad event of a batch by index and path, and accepts none', () => {
    const bad1 = { ...valid(2), data: { message: 42 } };
    const bad2 = { ...valid(4), phase: 'nowhere' };
    const result = parseIngestBody({ events: [valid(1), bad1, valid(3), bad2] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => [i.index, i.path])).toEqual([
      [1, 'events[1].data.message'],
      [3, 'events[3].phase'],
    ]);
  });

  it('normalises the plain Event of the original spec-sandbox (no event_id, no seq)', () => {
    const result = parseIngestBody({ event_type: 'spec.phase_started', timestamp: '2026-01-16T14:30:00Z', spec_id: 'spec-1', phase: 'explore', data: { phase: 'explore', attempt: 1 } });
    expect(result).toMatchObject({ ok: true, events: [{ shape: 'plain', event_id: null, seq: null, timestamp: '2026-01-16T14:30:00Z', phase: 'explore' }] });
  });

  it('normalises the original wire body, lifting spec_id and phase out of event_data', () => {
    const result = parseIngestBody({ event_type: 'spec.progress', event_data: { message: 'hi', spec_id: 'spec-9', phase: 'design' }, source: 'worker' });
    expect(result).toMatchObject({ ok: true, events: [{ shape: 'legacy', spec_id: 'spec-9', phase: 'design', source: 'worker', data: { message: 'hi', phase: 'design' }, timestamp: null }] });
  });

  it('validates catalogue payloads in the legacy shapes too', () => {
    const result = parseIngestBody({ event_type: 'spec.phase_started', event_data: { phase: 'explore', attempt: 'first' } });
    expect(result.ok === false && result.issues[0]?.path).toBe('event_data.attempt');
  });

  it('rejects empty and oversized batches with a clear message', () => {
    expect(parseIngestBody({ events: [] })).toMatchObject({ ok: false, issues: [{ path: 'events', message: 'a batch holds at least one event' }] });
    const many = Array.from({ length: 501 }, (_, i) => valid(i + 1));
    expect(parseIngestBody({ events: many })).toMatchObject({ ok: false, issues: [{ message: 'a batch holds at most 500 events, got 501' }] });
  });

  it('rejects an event payload over 256 KiB', () => {
    const big = { ...valid(1), data: { message: 'x'.repeat(300 * 1024) } };
    const result = parseIngestBody({ events: [big] });
    expect(result.ok === false && result.issues[0]?.path).toBe('events[0].data');
  });

  it('rejects non-objects', () => {
    expect(parseIngestBody('hello')).toMatchObject({ ok: false, issues: [{ path: '(root)' }] });
    expect(parseIngestBody({ events: 'x' })).toMatchObject({ ok: false, issues: [{ path: 'events' }] });
  });
});
