import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpeclineClient } from '@specline/client';
import type { StoredEvent } from '@specline/protocol';
import { ApiProvider } from '../../lib/api';
import type { Schedule } from './eventFeed';
import { EventTimeline } from './EventTimeline';
import { createFeedTransport, SpecFeedProvider } from './feedContext';
import { FakeEventsApi, makeEvent } from './__tests__/fakeEventsApi';

const SPEC = 'spec-t';

function runEvents(): StoredEvent[] {
  return [
    makeEvent(SPEC, 1, 'spec.execution_started', { title: 'Rate limiter', description: '', phases: ['explore', 'requirements'] }),
    makeEvent(SPEC, 2, 'spec.phase_started', { phase: 'explore', attempt: 1 }, 'explore'),
    makeEvent(SPEC, 3, 'spec.heartbeat', { phases_completed: [], current_phase: 'explore' }),
    makeEvent(SPEC, 4, 'spec.progress', { message: 'Reading the codebase' }, 'explore'),
    makeEvent(SPEC, 5, 'spec.phase_retry', { phase: 'explore', retry_count: 1, max_retries: 3, reason: 'evaluation_failed', eval_score: 0.5, eval_feedback: 'too vague' }, 'explore'),
    makeEvent(SPEC, 6, 'spec.heartbeat', { phases_completed: [], current_phase: 'explore' }),
    makeEvent(SPEC, 7, 'spec.phase_completed', { phase: 'explore', eval_score: 0.9, duration_seconds: 2, retry_count: 1, phase_output: {} }, 'explore'),
    makeEvent(SPEC, 8, 'spec.phase_started', { phase: 'requirements', attempt: 1 }, 'requirements'),
    makeEvent(SPEC, 9, 'spec.phase_failed', { phase: 'requirements', reason: 'evaluation_failed', eval_feedback: 'REQ-002 has no criteria', retry_count: 3 }, 'requirements'),
    makeEvent(SPEC, 10, 'spec.heartbeat', { phases_completed: ['explore'], current_phase: 'requirements' }),
    makeEvent(SPEC, 11, 'spec.execution_failed', { failed_phase: 'requirements', error: 'requirements failed evaluation' }, 'requirements'),
    makeEvent(SPEC, 12, 'agent.completed', { spec_id: SPEC, success: false, phase_data: {}, failed_phase: 'requirements', error: 'requirements failed evaluation' }),
  ];
}

interface SetupOptions {
  events?: StoredEvent[];
  isExecuting?: boolean;
  streamMode?: FakeEventsApi['streamMode'];
}

function setup({ events = runEvents(), isExecuting = false, streamMode = 'open' }: SetupOptions = {}) {
  const api = new FakeEventsApi(SPEC);
  api.events = events;
  api.streamMode = streamMode;
  const ticks: (() => void)[] = [];
  const schedule: Schedule = (fn) => {
    ticks.push(fn);
    return () => {
      const at = ticks.indexOf(fn);
      if (at >= 0) ticks.splice(at, 1);
    };
  };
  const client = createSpeclineClient({ fetch: api.fetch });
  const transport = createFeedTransport({ client, fetch: api.fetch, stream: { sleep: () => Promise.resolve(), maxConsecutiveFailures: 2 } });
  const ui = (executing: boolean) => (
    <ApiProvider client={client}>
      <SpecFeedProvider transport={transport} schedule={schedule}>
        <EventTimeline specId={SPEC} isExecuting={executing} />
      </SpecFeedProvider>
    </ApiProvider>
  );
  const view = render(ui(isExecuting));
  return { api, ticks, rerender: (executing: boolean) => view.rerender(ui(executing)) };
}

// jsdom has no layout and the shared setup gives every element an 800 px offsetHeight; rows (the
// elements react-virtual measures, marked data-index) get a row-sized height instead.
const offsetHeight = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'offsetHeight');
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'offsetHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.hasAttribute('data-index') ? 40 : 800;
    },
  });
});
afterAll(() => {
  if (offsetHeight) Object.defineProperty(HTMLElement.prototype, 'offsetHeight', offsetHeight);
});

const renderedSeqs = () => screen.queryAllByTestId('timeline-row').map((row) => Number(row.getAttribute('data-spec-seq')));

describe('<EventTimeline>', () => {
  it('renders the backfilled events newest first, one row per event, heartbeats collapsed into a counter', async () => {
    setup();
    await waitFor(() => expect(renderedSeqs()).toEqual([12, 11, 9, 8, 7, 5, 4, 2, 1]));
    expect(screen.queryAllByTestId('timeline-row').some((row) => row.getAttribute('data-event-type') === 'spec.heartbeat')).toBe(false);
    expect(screen.getByTestId('heartbeat-counter').textContent).toMatch(/^3 heartbeats, last /);
    expect(screen.getByTestId('timeline-summary').textContent).toBe('12 events');
    const failed = screen.getAllByTestId('timeline-row').find((row) => row.getAttribute('data-spec-seq') === '9')!;
    expect(within(failed).getByText('Phase failed')).toBeTruthy();
    expect(within(failed).getByText('evaluation failed: REQ-002 has no criteria')).toBeTruthy();
    expect(within(failed).getByText('Requirements')).toBeTruthy();
    expect(failed.querySelector('time')?.getAttribute('dateTime')).toBe(runEvents()[8]!.emitted_at);
  });

  it('"failures only" shows exactly the failures (paged from the server with the filter)', async () => {
    const { api } = setup();
    await waitFor(() => expect(renderedSeqs()).toHaveLength(9));
    fireEvent.click(screen.getByLabelText('Failures only'));
    await waitFor(() => expect(renderedSeqs()).toEqual([12, 11, 9, 5]));
    expect(api.requests.some((r) => r.query.get('failures_only') === 'true')).toBe(true);
    expect(screen.getByTestId('timeline-summary').textContent).toBe('4 of 12 events shown');
  });

  it('combines the phase filter with text search over summary and JSON', async () => {
    setup();
    await waitFor(() => expect(renderedSeqs()).toHaveLength(9));
    fireEvent.change(screen.getByLabelText('Phase'), { target: { value: 'explore' } });
    await waitFor(() => expect(renderedSeqs()).toEqual([7, 5, 4, 2]));
    fireEvent.change(screen.getByLabelText('Search events'), { target: { value: 'too vague' } });
    await waitFor(() => expect(renderedSeqs()).toEqual([5]));
    fireEvent.click(screen.getByText('Clear filters'));
    await waitFor(() => expect(renderedSeqs()).toHaveLength(9));
  });

  it('expands a row to its pretty JSON', async () => {
    setup();
    await waitFor(() => expect(renderedSeqs()).toHaveLength(9));
    const toggle = screen.getByRole('button', { name: /Show details of event 11/ });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(toggle);
    const shown = screen.getByRole('button', { name: /Hide details of event 11/ });
    expect(shown.getAttribute('aria-expanded')).toBe('true');
    const json = document.getElementById(shown.getAttribute('aria-controls')!)!;
    expect(json.querySelector('pre')?.textContent).toContain('"error": "requirements failed evaluation"');
    expect(within(json).getByRole('button', { name: 'Copy JSON' })).toBeTruthy();
  });

  it('tails the stream from the highest loaded spec_seq and adds live events at the top, once', async () => {
    const { api } = setup({ events: runEvents().slice(0, 4), isExecuting: true });
    await waitFor(() => expect(screen.getByTestId('timeline-summary').textContent).toBe('4 events · live'));
    const streamRequest = api.requests.find((r) => r.path.endsWith('/stream'))!;
    expect(streamRequest.query.get('after')).toBe('4');
    act(() => api.emit(...runEvents().slice(4, 6)));
    await waitFor(() => expect(renderedSeqs()).toEqual([5, 4, 2, 1]));
    expect(screen.getByTestId('heartbeat-counter').textContent).toMatch(/^2 heartbeats/);
    expect(screen.getByTestId('timeline-summary').textContent).toBe('6 events · live');
  });

  it('falls back to polling with the after cursor when the stream gives up, and stops at the end of the run', async () => {
    const { api, ticks } = setup({ events: runEvents().slice(0, 4), isExecuting: true, streamMode: 'fail' });
    await waitFor(() => expect(screen.getByTestId('timeline-summary').textContent).toBe('4 events · polling every 2 s'));
    await waitFor(() => expect(ticks).toHaveLength(1));
    expect(api.requests.filter((r) => r.path.endsWith('/stream'))).toHaveLength(2);
    const polls = () => api.requests.filter((r) => r.query.get('order') === 'asc');
    expect(polls().map((r) => r.query.get('after'))).toEqual(['4']);

    api.events.push(...runEvents().slice(4, 8));
    act(() => ticks.shift()!());
    await waitFor(() => expect(renderedSeqs()).toEqual([8, 7, 5, 4, 2, 1]));
    expect(polls().map((r) => r.query.get('after'))).toEqual(['4', '4']);

    api.events.push(...runEvents().slice(8));
    act(() => ticks.shift()!());
    await waitFor(() => expect(renderedSeqs()[0]).toBe(12));
    // agent.completed ends the run: no further poll is scheduled.
    expect(ticks).toHaveLength(0);
    expect(polls().map((r) => r.query.get('after'))).toEqual(['4', '4', '8']);
  });

  it('shows an empty state, and an error state with a working retry', async () => {
    const { api } = setup({ events: [] });
    expect(await screen.findByText('No events yet — events appear here as the run progresses')).toBeTruthy();

    const failing = new FakeEventsApi(SPEC);
    let calls = 0;
    const original = failing.fetch;
    failing.fetch = (input, init) => (++calls === 1 ? Promise.resolve(Response.json({ detail: 'database down', code: 'internal' }, { status: 500 })) : original(input, init));
    failing.events = runEvents().slice(0, 2);
    const client = createSpeclineClient({ fetch: failing.fetch });
    render(
      <ApiProvider client={client}>
        <SpecFeedProvider transport={createFeedTransport({ client, fetch: failing.fetch })}>
          <EventTimeline specId={SPEC} isExecuting={false} />
        </SpecFeedProvider>
      </ApiProvider>,
    );
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not load events');
    expect(alert.textContent).toContain('database down');
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(screen.getAllByTestId('timeline-row').map((r) => r.getAttribute('data-spec-seq'))).toEqual(['2', '1']));
    expect(api.events).toEqual([]);
  });

  it('keeps the DOM small for a 100,000-event spec and pages older events with the before cursor when scrolled down', async () => {
    const many = Array.from({ length: 100_000 }, (_, i) => makeEvent(SPEC, i + 1, 'spec.progress', { message: `step ${i + 1}` }, 'design'));
    const { api } = setup({ events: many });
    await waitFor(() => expect(renderedSeqs()[0]).toBe(100_000));
    expect(screen.getByTestId('timeline-summary').textContent).toBe(`${(100_000).toLocaleString()} events`);
    expect(screen.getAllByTestId('timeline-row').length).toBeLessThan(200);
    const list = screen.getByLabelText('Events, newest first');
    // Scroll past the oldest loaded row (jsdom does not clamp): the page before it is requested.
    list.scrollTop = 200 * 100;
    fireEvent.scroll(list);
    await waitFor(() => expect(api.requests.some((r) => r.query.get('before') === String(100_000 - 199))).toBe(true));
    await waitFor(() => expect(screen.getAllByTestId('timeline-row').some((row) => Number(row.getAttribute('data-spec-seq')) < 99_801)).toBe(true));
    expect(screen.getAllByTestId('timeline-row').length).toBeLessThan(200);
  });

  it('keeps the reader in place when live events arrive while scrolled down, and offers "Jump to newest (N new)"', async () => {
    const events = Array.from({ length: 60 }, (_, i) => makeEvent(SPEC, i + 1, 'spec.progress', { message: `step ${i + 1}` }, 'design'));
    const { api } = setup({ events, isExecuting: true });
    await waitFor(() => expect(screen.getByTestId('timeline-summary').textContent).toBe('60 events · live'));
    const list = screen.getByLabelText('Events, newest first');
    // Rows are 40 px once measured: scrolled 10 rows down, the row at the top is #50.
    list.scrollTop = 400;
    fireEvent.scroll(list);
    await waitFor(() => expect(renderedSeqs()).toContain(50));

    act(() => api.emit(makeEvent(SPEC, 61, 'spec.progress', { message: 'new 1' }), makeEvent(SPEC, 62, 'spec.progress', { message: 'new 2' })));
    const jump = await screen.findByRole('button', { name: 'Jump to newest (2 new)' });
    // The two new rows above were not measured yet (estimated 58 px each): the offset moved by exactly that.
    expect(list.scrollTop).toBe(400 + 2 * 58);

    fireEvent.click(jump);
    expect(list.scrollTop).toBe(0);
    fireEvent.scroll(list); // a browser fires this itself after a programmatic scroll; jsdom does not
    await waitFor(() => expect(screen.queryByRole('button', { name: /Jump to newest/ })).toBeNull());
    await waitFor(() => expect(renderedSeqs()[0]).toBe(62));
  });

  it('does not move the list when the reader is at the top: new events simply appear first', async () => {
    const { api } = setup({ events: runEvents().slice(0, 4), isExecuting: true });
    await waitFor(() => expect(screen.getByTestId('timeline-summary').textContent).toBe('4 events · live'));
    const list = screen.getByLabelText('Events, newest first');
    act(() => api.emit(makeEvent(SPEC, 5, 'spec.progress', { message: 'fresh' })));
    await waitFor(() => expect(renderedSeqs()[0]).toBe(5));
    expect(list.scrollTop).toBe(0);
    expect(screen.queryByRole('button', { name: /Jump to newest/ })).toBeNull();
  });
});
