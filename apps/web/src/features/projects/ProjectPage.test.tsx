import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { makeProject, makeSpec, NOW } from '../../test/fixtures';
import { fakeFetch, renderWithApp, type Call } from '../../test/render';
import { ProjectPage } from './ProjectPage';

const project = makeProject();
const emptyTickets = { tickets: [], total: 0, has_more: false };
const { requirements: _r, design: _d, tasks: _t, ...summary } = makeSpec({ progress: 33.3333, status: 'executing', current_phase: 'design' });

function setup(route: (call: Call) => { status: number; body?: unknown } | undefined) {
  const fake = fakeFetch((call) => {
    if (call.path === '/api/v1/projects/p1') return { status: 200, body: project };
    return route(call);
  });
  const view = renderWithApp(<ProjectPage />, { fetch: fake.fetch, path: '/projects/p1', routePath: '/projects/:projectId/*' });
  return { ...view, calls: fake.calls };
}

describe('ProjectPage', () => {
  it('shows a failed spec list as an error with retry, not as "no specs"', async () => {
    let fail = true;
    const { calls } = setup((call) => {
      if (call.path.startsWith('/api/v1/specs/project/p1')) return fail ? { status: 500, body: { detail: 'database unavailable', code: 'internal' } } : { status: 200, body: { specs: [summary], total: 1, has_more: false } };
      if (call.path.startsWith('/api/v1/tickets')) return { status: 200, body: emptyTickets };
      return undefined;
    });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not load specs');
    expect(alert.textContent).toContain('database unavailable');
    expect(screen.queryByText('No specs yet')).toBeNull();

    fail = false;
    await userEvent.setup().click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(await screen.findByRole('link', { name: 'Rate limiting' })).toBeTruthy();
    expect(screen.getByRole('progressbar', { name: 'Progress of Rate limiting' }).getAttribute('aria-valuenow')).toBe('33');
    expect(calls.filter((c) => c.path.startsWith('/api/v1/specs/project/p1'))).toHaveLength(2);
  });

  it('a spec-driven ticket lands on its spec’s Execution tab', async () => {
    const { calls, router } = setup((call) => {
      if (call.path.startsWith('/api/v1/specs/project/p1')) return { status: 200, body: { specs: [], total: 0, has_more: false } };
      if (call.method === 'GET' && call.path.startsWith('/api/v1/tickets')) return { status: 200, body: emptyTickets };
      if (call.method === 'POST' && call.path === '/api/v1/tickets') {
        return {
          status: 201,
          body: {
            id: 't1', title: 'Add rate limits', description: '', status: 'backlog', priority: 'high', phase_id: 'PHASE_IMPLEMENTATION', project_id: 'p1',
            workflow_mode: 'spec_driven', spec_id: 's9', local_id: null, approval_status: 'approved', created_at: NOW, updated_at: NOW,
          },
        };
      }
      return undefined;
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'New ticket' }));
    const dialog = await screen.findByRole('dialog', { name: 'New ticket' });
    await user.type(within(dialog).getByLabelText('Title'), 'Add rate limits');
    await user.selectOptions(within(dialog).getByLabelText('Priority'), 'high');
    await user.click(within(dialog).getByRole('radio', { name: /Spec-driven/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Create ticket' }));
    await waitFor(() => expect(`${router.state.location.pathname}${router.state.location.search}`).toBe('/projects/p1/specs/s9?tab=execution'));
    expect(calls.find((c) => c.method === 'POST')?.body).toEqual({ title: 'Add rate limits', description: '', priority: 'high', workflow_mode: 'spec_driven', project_id: 'p1' });
  });

  it('without a repository says runs plan from the request alone and links to settings to connect one', async () => {
    setup((call) => {
      if (call.path.startsWith('/api/v1/specs/project/p1')) return { status: 200, body: { specs: [], total: 0, has_more: false } };
      if (call.path.startsWith('/api/v1/tickets')) return { status: 200, body: emptyTickets };
      return undefined;
    });
    const notice = await screen.findByTestId('project-repository');
    expect(notice.textContent).toContain('No repository is connected: runs will plan from the request alone.');
    expect(within(notice).getByRole('link', { name: 'Connect one in settings' }).getAttribute('href')).toBe('/projects/p1/settings');
    expect(screen.getByRole('link', { name: 'Settings' }).getAttribute('href')).toBe('/projects/p1/settings');
  });
});

describe('ProjectPage with a repository', () => {
  it('shows the repository URL without its credentials, the ref and the model', async () => {
    const withRepo = makeProject({
      repo_url: 'https://x-access-token:ghp_secret123@github.com/acme/billing.git',
      repo_ref: 'release/2.x',
      model_settings: { executor: 'openai', model: 'qwen2.5-coder:7b', base_url: 'http://localhost:11434/v1', api_key_set: true, api_key_last4: 'wxyz' },
    });
    const fake = fakeFetch((call) => {
      if (call.path === '/api/v1/projects/p1') return { status: 200, body: withRepo };
      if (call.path.startsWith('/api/v1/specs/project/p1')) return { status: 200, body: { specs: [], total: 0, has_more: false } };
      if (call.path.startsWith('/api/v1/tickets')) return { status: 200, body: emptyTickets };
      return undefined;
    });
    const { container } = renderWithApp(<ProjectPage />, { fetch: fake.fetch, path: '/projects/p1', routePath: '/projects/:projectId/*' });
    expect((await screen.findByTestId('project-repo-url')).textContent).toBe('https://github.com/acme/billing.git');
    expect(screen.getByTestId('project-repo-ref').textContent).toBe('release/2.x');
    expect(screen.getByTestId('project-model').textContent).toBe('OpenAI-compatible · qwen2.5-coder:7b');
    expect(container.innerHTML).not.toContain('ghp_secret123');
    expect(container.innerHTML).not.toContain('x-access-token');
  });
});
