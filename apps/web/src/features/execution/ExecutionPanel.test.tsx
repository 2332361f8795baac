import { act, render, screen, waitFor, within } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { MemoryRouter } from 'react-router';
import { Toaster } from 'sonner';
import { describe, expect, it } from 'vitest';
import { createSpeclineClient } from '@specline/client';
import type { PhaseStatus, Spec } from '@specline/protocol';
import { ApiProvider } from '../../lib/api';
import { queryKeys } from '../../lib/queryKeys';
import { makeCriterion, makeRequirement, makeSpec, makeTask } from '../../test/fixtures';
import { createFeedTransport, SpecFeedProvider } from '../timeline/feedContext';
import { FakeEventsApi, makeEvent } from '../timeline/__tests__/fakeEventsApi';
import { ExecutionPanel } from './ExecutionPanel';
import { executionMetrics } from './executionMetrics';
import { announce } from './useLiveSpec';

function status(state: PhaseStatus['state'], extra: Partial<PhaseStatus> = {}): PhaseStatus {
  return { state, attempt: 1, max_attempts: 3, eval_score: null, reason: null, error: null, started_at: null, completed_at: null, ...extra };
}

describe('executionMetrics', () => {
  it('counts tasks by status and criteria met, with 0/0 shown as "No criteria" rather than 100 %', () => {
    const spec = makeSpec({
      tasks: [makeTask({ id: 'a', status: 'completed' }), makeTask({ id: 'b', status: 'in_progress' }), makeTask({ id: 'c', status: 'blocked' }), makeTask({ id: 'd' })],
      requirements: [makeRequirement({ criteria: [makeCriterion({ id: 'x', completed: true }), makeCriterion({ id: 'y' })] }), makeRequirement({ id: 'r2', criteria: [makeCriterion({ id: 'z' })] })],
    });
    const metrics = executionMetrics(spec);
    expect(metrics.tasks).toEqual({ total: 4, completed: 1, inProgress: 1, blocked: 1, percent: 25 });
    expect(metrics.criteria).toMatchObject({ total: 3, met: 1, text: '1/3 met' });

    const empty = executionMetrics(makeSpec({ tasks: [], requirements: [makeRequirement({ criteria: [] })] }));
    expect(empty.tasks.percent).toBeNull();
    expect(empty.criteria).toEqual({ total: 0, met: 0, text: 'No criteria', percent: null });
  });

  it('reports attempts per phase from phase_status and usage when present', () => {
    const spec = makeSpec({
      status: 'executing',
      current_phase: 'design',
      phase_status: { explore: status('passed'), requirements: status('passed', { attempt: 2 }), design: status('retrying', { attempt: 3 }) },
      usage: { input_tokens: 12_300, output_tokens: 4_500, cost_usd: 0.4217 },
    });
    const metrics = executionMetrics(spec);
    expect(metrics.attempts.map((a) => `${a.phase} ${a.text}`)).toEqual(['explore 1/3', 'requirements 2/3', 'design 3/3', 'tasks —', 'sync —']);
    expect(metrics.usage?.cost).toBe('$0.422');
    expect(metrics.usage?.tokens).toMatch(/^12\.3K in · 4\.5K out$/);
    expect(executionMetrics(makeSpec({ usage: null })).usage).toBeNull();
  });
});

describe('announce (toasts driven by events)', () => {
  it('toasts each event once, and does not repeat the end of a run announced by execution_failed', () => {
    const shown: string[] = [];
    const show = (id: string, t: { title: string }) => shown.push(`${id} ${t.title}`);
    const events = [
      makeEvent('toast-spec', 1, 'spec.execution_started', { title: 't', description: '', phases: ['explore'] }),
      makeEvent('toast-spec', 2, 'spec.progress', { message: 'working' }),
      makeEvent('toast-spec', 3, 'spec.phase_failed', { phase: 'explore', reason: 'timeout', retry_count: 3 }, 'explore'),
      makeEvent('toast-spec', 4, 'spec.execution_failed', { failed_phase: 'explore', error: 'timed out' }),
      makeEvent('toast-spec', 5, 'agent.completed', { spec_id: 'toast-spec', success: false, phase_data: {}, error: 'timed out' }),
    ];
    announce('toast-spec', events, show);
    announce('toast-spec', events, show);
    expect(shown).toEqual(['toast-spec:1 Run started', 'toast-spec:3 Explore failed', 'toast-spec:4 Run failed']);

    // A new run: its agent.completed is the only end signal, so it toasts.
    announce('toast-spec', [makeEvent('toast-spec', 6, 'spec.execution_started', { title: 't', description: '', phases: ['explore'] })], show);
    announce('toast-spec', [makeEvent('toast-spec', 7, 'agent.completed', { spec_id: 'toast-spec', success: true, phase_data: {} })], show);
    expect(shown.slice(3)).toEqual(['toast-spec:6 Run started', 'toast-spec:7 Run completed']);
  });
});

function renderPanel(spec: Spec, api = new FakeEventsApi(spec.id)) {
  const specRequests: string[] = [];
  let current = spec;
  const fetchImpl: typeof fetch = (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, 'http://app.test');
    if (url.pathname === `/api/v1/specs/${spec.id}`) {
      specRequests.push(url.pathname);
      return Promise.resolve(Response.json(current));
    }
    return api.fetch(input, init);
  };
  const client = createSpeclineClient({ fetch: fetchImpl });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  queryClient.setQueryData(queryKeys.specs.detail(spec.id), spec);
  render(
    <QueryClientProvider client={queryClient}>
      <ApiProvider client={client}>
        <SpecFeedProvider transport={createFeedTransport({ client, fetch: fetchImpl, stream: { sleep: () => Promise.resolve() } })}>
          <MemoryRouter>
            <ExecutionPanel spec={spec} />
          </MemoryRouter>
          <Toaster />
        </SpecFeedProvider>
      </ApiProvider>
    </QueryClientProvider>,
  );
  return { api, specRequests, setServerSpec: (next: Spec) => (current = next) };
}

describe('<ExecutionPanel>', () => {
  it('shows the metrics, the last error of a failed run prominently, and the timeline', async () => {
    const spec = makeSpec({
      id: 'panel-failed',
      status: 'failed',
      current_phase: 'design',
      last_error: 'design: model returned no JSON',
      phase_status: { explore: status('passed'), requirements: status('passed'), design: status('failed', { reason: 'execution_error', attempt: 3 }) },
      tasks: [],
      requirements: [],
      usage: null,
    });
    const api = new FakeEventsApi(spec.id);
    api.events = [makeEvent(spec.id, 1, 'spec.execution_failed', { failed_phase: 'design', error: 'design: model returned no JSON' }, 'design')];
    renderPanel(spec, api);
    const alert = screen.getByTestId('last-error');
    expect(alert.getAttribute('role')).toBe('alert');
    expect(alert.textContent).toContain('Run failed in Design');
    expect(alert.textContent).toContain('design: model returned no JSON');
    expect(within(screen.getByTestId('metric-criteria')).getByText('No criteria')).toBeTruthy();
    expect(within(screen.getByTestId('metric-tasks')).getByText('No tasks yet')).toBeTruthy();
    expect(within(screen.getByTestId('metric-usage')).getByText('Not reported')).toBeTruthy();
    expect(within(screen.getByTestId('metric-attempts')).getByText('3/3')).toBeTruthy();
    await waitFor(() => expect(screen.getAllByTestId('timeline-row')).toHaveLength(1));
  });

  it('follows the run live and toasts a phase transition once', async () => {
    const spec = makeSpec({ id: 'panel-live', status: 'executing', sandbox_id: 'sb-1', current_phase: 'explore', phase_status: { explore: status('running') } });
    const { api } = renderPanel(spec);
    await waitFor(() => expect(screen.getByTestId('timeline-summary').textContent).toBe('0 events · live'));

    act(() => api.emit(makeEvent(spec.id, 1, 'spec.progress', { message: 'Reading files' }, 'explore')));
    await waitFor(() => expect(screen.getAllByTestId('timeline-row')).toHaveLength(1));

    act(() => api.emit(makeEvent(spec.id, 2, 'spec.phase_completed', { phase: 'explore', eval_score: 0.92, duration_seconds: 3.1, retry_count: 0, phase_output: {} }, 'explore')));
    expect(await screen.findByText('Explore passed')).toBeTruthy();
    expect(screen.getAllByText('Explore passed')).toHaveLength(1);
  });
});
