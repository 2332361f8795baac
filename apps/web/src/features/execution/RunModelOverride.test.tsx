import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
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
    return { status: 200, body: makeSpec() };
  });
  renderWithApp(<SpecActions spec={makeSpec({ status: 'completed' })} onRunStarted={() => undefined} />, { fetch: fake.fetch });
  return { executes: () => fake.calls.filter((c) => c.method === 'POST').map((c) => c.body) };
}

describe('launch with a model override', () => {
  it('without touching the disclosure a re-run sends no model settings', async () => {
    const { executes } = setup();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Re-run spec' }));
    await waitFor(() => expect(executes()).toEqual([{}]));
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
    expect(within(panel).getByLabelText('Model').getAttribute('placeholder')).toBe('claude-sonnet-4-5');
    await user.selectOptions(within(panel).getByLabelText('Executor'), 'openai');
    await user.type(within(panel).getByLabelText('Model'), 'qwen2.5-coder:7b');
    expect(screen.getByRole('button', { name: /^Model: OpenAI-compatible · qwen2.5-coder:7b/ })).toBeTruthy();
    expect(within(panel).getByText(/For this run only/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Re-run spec' }));
    await waitFor(() => expect(executes()).toEqual([{ model_settings: { executor: 'openai', model: 'qwen2.5-coder:7b' } }]));
  });

  it('choosing the planner sends no model; resetting sends nothing', () => {
    expect(executeBody({ executor: 'planner', model: 'ignored' })).toEqual({ model_settings: { executor: 'planner' } });
    expect(executeBody({ executor: '', model: ' gpt-4o ' })).toEqual({ model_settings: { model: 'gpt-4o' } });
    expect(executeBody(NO_OVERRIDE)).toEqual({});
  });
});
