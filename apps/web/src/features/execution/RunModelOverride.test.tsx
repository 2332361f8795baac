import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DEFAULT_EXECUTOR_MODELS } from '@specline/protocol';
import { describe, expect, it } from 'vitest';
import { makeProject, makeSpec } from '../../test/fixtures';
import { fakeFetch, renderWithApp } from '../../test/render';
import { SpecActions } from '../specs/SpecActions';
import { executeBody, NO_OVERRIDE } from './RunModelOverride';

const project = makeProject({ model_settings: { executor: 'anthropic', model: null, base_url: null, api_key_set: true, api_key_last4: 'abcd' } });

function setup() {
  const fake = fakeFetch((call) => {
    if (call.path === '/api/v1/projects/p1') return { status: 200, body: project };
    if (call.method === 'POST' && call.path === '/api/v1/specs/s1/execute') return { status: 202, body: { spec_id: 's1', status: 'started', message: 'started', current_phase: 'explore', sandbox_id: 'sb' } };
    if (call.method === 'POST' && call.path === '/api/v1/specs/s1/rerun') return { status: 202, body: { ...makeSpec({ status: 'executing' }), message: 'started', run_id: 'run-2' } };
    return { status: 200, body: makeSpec() };
  });
  renderWithApp(<SpecActions spec={makeSpec({ status: 'completed' })} onRunStarted={() => undefined} />, { fetch: fake.fetch });
  return { executes: () => fake.calls.filter((c) => c.method === 'POST').map((c) => ({ path: c.path, body: c.body })) };
}

/** Re-run asks first: start from the first phase, then confirm. */
async function confirmRerunFromExplore(user: ReturnType<typeof userEvent.setup>) {
  await user.click(screen.getByRole('button', { name: 'Re-run spec' }));
  const dialog = await screen.findByRole('dialog', { name: 'Re-run this spec?' });
  await user.selectOptions(within(dialog).getByLabelText('Start from'), 'explore');
  await user.click(within(dialog).getByRole('button', { name: 'Re-run from Explore' }));
}

describe('launch with a model override', () => {
  it('without touching the disclosure a re-run (confirmed) sends no model settings', async () => {
    const { executes } = setup();
    await confirmRerunFromExplore(userEvent.setup());
    await waitFor(() => expect(executes()).toEqual([{ path: '/api/v1/specs/s1/rerun', body: { from_phase: 'explore' } }]));
  });

  it('the Model disclosure overrides executor and model for this run only', async () => {
    const { executes } = setup();
    const user = userEvent.setup();
    const toggle = screen.getByRole('button', { name: 'Model' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    await user.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const panel = screen.getByRole('group', { name: 'Model for this run' });
    expect(await within(panel).findByRole('option', { name: 'Project setting (Anthropic)' })).toBeTruthy();
    expect(within(panel).getByLabelText('Model').getAttribute('placeholder')).toBe(DEFAULT_EXECUTOR_MODELS.anthropic);
    await user.selectOptions(within(panel).getByLabelText('Executor'), 'openai');
    await user.type(within(panel).getByLabelText('Model'), 'qwen2.5-coder:7b');
    expect(screen.getByRole('button', { name: /^Model: OpenAI-compatible · qwen2.5-coder:7b/ })).toBeTruthy();
    expect(within(panel).getByText(/For this run only/)).toBeTruthy();
    await confirmRerunFromExplore(user);
    await waitFor(() => expect(executes()).toEqual([{ path: '/api/v1/specs/s1/execute', body: { model_settings: { executor: 'openai', model: 'qwen2.5-coder:7b' } } }]));
  });

  it('the approval mode override goes with the run: on execute, and on a re-run from a later phase', async () => {
    const { executes } = setup();
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Model' }));
    const panel = screen.getByRole('group', { name: 'Model for this run' });
    await user.selectOptions(within(panel).getByLabelText('Approval mode'), 'review');
    expect(screen.getByRole('button', { name: /^Model: Review mode/ })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Re-run spec' }));
    const dialog = await screen.findByRole('dialog', { name: 'Re-run this spec?' });
    expect(within(dialog).getByTestId('rerun-summary').textContent).toContain('Approval mode for this run: Review.');
    await user.selectOptions(within(dialog).getByLabelText('Start from'), 'design');
    await user.click(within(dialog).getByRole('button', { name: 'Re-run from Design' }));
    await waitFor(() => expect(executes()).toEqual([{ path: '/api/v1/specs/s1/rerun', body: { from_phase: 'design', approval_mode: 'review' } }]));
    expect(executeBody({ ...NO_OVERRIDE, approvalMode: 'auto' })).toEqual({ approval_mode: 'auto' });
  });

  it('choosing the planner sends no model; resetting sends nothing', () => {
    expect(executeBody({ executor: 'planner', model: 'ignored' })).toEqual({ model_settings: { executor: 'planner' } });
    expect(executeBody({ executor: '', model: ' gpt-4o ' })).toEqual({ model_settings: { model: 'gpt-4o' } });
    expect(executeBody(NO_OVERRIDE)).toEqual({});
  });
});
