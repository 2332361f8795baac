import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { createSpeclineClient } from '@specline/client';
import { ApiProvider } from '../../lib/api';
import { EventTimeline } from './EventTimeline';
import { createFeedTransport, SpecFeedProvider } from './feedContext';
import { filtersFromParams, paramsWithFilters, useTimelineUrlFilters } from './timelineUrl';
import { FakeEventsApi, makeEvent } from './__tests__/fakeEventsApi';

const SPEC = 'spec-url';

describe('timeline filters as query parameters', () => {
  it('reads types, phase, failures and q, ignoring what is not valid, and writes them back keeping the other parameters', () => {
    const parsed = filtersFromParams(new URLSearchParams('tab=execution&types=spec.phase_failed,not a type,spec.progress,spec.progress&phase=design&failures=1&q=timeout'));
    expect(parsed).toEqual({ types: ['spec.phase_failed', 'spec.progress'], phase: 'design', failuresOnly: true, search: 'timeout' });
    expect(filtersFromParams(new URLSearchParams('phase=nope&failures=yes'))).toEqual({ types: [], phase: null, failuresOnly: false, search: '' });

    const written = paramsWithFilters(new URLSearchParams('tab=execution&run=r1&q=old'), { types: ['spec.progress', 'spec.phase_failed'], phase: null, failuresOnly: false, search: '' });
    expect(written.toString()).toBe('tab=execution&run=r1&types=spec.phase_failed%2Cspec.progress');
  });
});

function Page() {
  const url = useTimelineUrlFilters();
  return <EventTimeline specId={SPEC} isExecuting={false} filters={url.filters} onFiltersChange={(next) => url.setFilters(next)} />;
}

function setup(path: string) {
  const api = new FakeEventsApi(SPEC);
  api.events = [
    makeEvent(SPEC, 1, 'spec.execution_started', { title: 't', description: '', phases: ['explore', 'design'] }),
    makeEvent(SPEC, 2, 'spec.phase_started', { phase: 'explore', attempt: 1 }, 'explore'),
    makeEvent(SPEC, 3, 'spec.progress', { message: 'Reading the codebase' }, 'explore'),
    makeEvent(SPEC, 4, 'spec.phase_started', { phase: 'design', attempt: 1 }, 'design'),
    makeEvent(SPEC, 5, 'spec.phase_failed', { phase: 'design', reason: 'timeout', error: 'model timed out', retry_count: 2 }, 'design'),
    makeEvent(SPEC, 6, 'agent.completed', { spec_id: SPEC, success: false, phase_data: {}, failed_phase: 'design', error: 'model timed out' }),
  ];
  const client = createSpeclineClient({ fetch: api.fetch });
  const transport = createFeedTransport({ client, fetch: api.fetch });
  const router = createMemoryRouter([{ path: '/specs/:id', element: <Page /> }], { initialEntries: [path] });
  render(
    <ApiProvider client={client}>
      <SpecFeedProvider transport={transport}>
        <RouterProvider router={router} />
      </SpecFeedProvider>
    </ApiProvider>,
  );
  return { api, router, search: () => new URLSearchParams(router.state.location.search) };
}

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

const seqs = () => screen.queryAllByTestId('timeline-row').map((row) => Number(row.getAttribute('data-spec-seq')));

describe('<EventTimeline> with its filters in the URL', () => {
  it('a shared link opens the filtered view; changes go into the URL; Back and Forward restore them', async () => {
    const { router, search } = setup('/specs/spec-url?tab=execution&phase=design');
    await waitFor(() => expect(seqs()).toEqual([5, 4]));
    expect(screen.getByLabelText<HTMLSelectElement>('Phase').value).toBe('design');

    // "Failures only" is a history entry of its own.
    fireEvent.click(screen.getByLabelText('Failures only'));
    await waitFor(() => expect(search().get('failures')).toBe('1'));
    await waitFor(() => expect(seqs()).toEqual([5]));
    expect(search().get('tab')).toBe('execution');

    // Typing replaces the entry (no history entry per keystroke).
    fireEvent.click(screen.getByLabelText('Failures only'));
    await waitFor(() => expect(search().get('failures')).toBeNull());
    fireEvent.change(screen.getByLabelText('Search events'), { target: { value: 'timed out' } });
    await waitFor(() => expect(search().get('q')).toBe('timed out'));
    await waitFor(() => expect(seqs()).toEqual([5]));

    // Back: the view before the last discrete change ("failures only" on), the search gone with its entry.
    await act(() => router.navigate(-1));
    await waitFor(() => expect(search().get('failures')).toBe('1'));
    expect(search().get('q')).toBeNull();
    expect(screen.getByLabelText<HTMLInputElement>('Search events').value).toBe('');
    expect(screen.getByLabelText<HTMLInputElement>('Failures only').checked).toBe(true);
    await waitFor(() => expect(seqs()).toEqual([5]));

    // Forward: the search is back, in the box too.
    await act(() => router.navigate(1));
    await waitFor(() => expect(screen.getByLabelText<HTMLInputElement>('Search events').value).toBe('timed out'));
    expect(search().get('failures')).toBeNull();

    // Clear filters empties the URL's filter parameters, nothing else.
    fireEvent.click(screen.getByText('Clear filters'));
    await waitFor(() => expect(search().toString()).toBe('tab=execution'));
    await waitFor(() => expect(seqs()).toEqual([6, 5, 4, 3, 2, 1]));
  });

  it('types in the link select event types (paged from the server with that filter)', async () => {
    const { api } = setup('/specs/spec-url?types=spec.phase_started');
    await waitFor(() => expect(seqs()).toEqual([4, 2]));
    expect(api.requests.some((r) => r.query.getAll('event_types').includes('spec.phase_started'))).toBe(true);
  });
});
