import { DEFAULT_EXECUTOR_MODELS, type Project } from '@specline/protocol';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { makeProject } from '../../test/fixtures';
import { fakeFetch, renderWithApp, type Call } from '../../test/render';
import { OWNERS_ONLY, ProjectSettingsPage } from './ProjectSettingsPage';
import { bodyFrom, draftFrom, problemsFromError } from './settings/settingsForm';
import { ApiError } from '@specline/client';

const SECRET = 'sk-live-0123456789abcd';
const withKey = makeProject({
  repo_url: 'https://github.com/acme/billing.git',
  repo_ref: 'main',
  model_settings: { executor: 'anthropic', model: null, base_url: null, api_key_set: true, api_key_last4: 'abcd' },
});

type Answer = { status: number; body?: unknown };

/** The settings page over a fake server: GET answers the current project; PATCH answers `patch(body)` and becomes the new current one. */
function setup(initial: Project, patch: (body: Record<string, unknown>, current: Project) => Answer = (body, current) => ({ status: 200, body: applyPatch(current, body) })) {
  let current = initial;
  const fake = fakeFetch((call: Call) => {
    // The members section below the form (its own tests: settings/MembersSection.test.tsx).
    if (call.method === 'GET' && call.path === `/api/v1/projects/${initial.id}/members`) return { status: 200, body: { members: [] } };
    if (call.method === 'GET' && call.path === '/api/v1/auth/me') return { status: 200, body: { id: 'u1', email: 'me@example.test', name: 'Me', created_at: initial.created_at } };
    if (call.path !== `/api/v1/projects/${initial.id}`) return undefined;
    if (call.method === 'GET') return { status: 200, body: current };
    if (call.method === 'PATCH') {
      const answer = patch(call.body as Record<string, unknown>, current);
      if (answer.status === 200) current = answer.body as Project;
      return answer;
    }
    return undefined;
  });
  const view = renderWithApp(<ProjectSettingsPage />, { fetch: fake.fetch, path: `/projects/${initial.id}/settings`, routePath: '/projects/:projectId/settings' });
  return { ...view, calls: fake.calls, patches: () => fake.calls.filter((c) => c.method === 'PATCH').map((c) => c.body) };
}

/** What the server does with a PATCH: the key is stored and only its last four characters come back. */
function applyPatch(project: Project, body: Record<string, unknown>): Project {
  const next: Project = { ...project, model_settings: { ...project.model_settings }, updated_at: new Date(Date.parse(project.updated_at) + 1000).toISOString() };
  if (typeof body['name'] === 'string') next.name = body['name'];
  if ('repo_url' in body) next.repo_url = body['repo_url'] as string | null;
  if ('repo_ref' in body) next.repo_ref = body['repo_ref'] as string | null;
  const model = (body['model_settings'] ?? {}) as Record<string, unknown>;
  if ('executor' in model) next.model_settings.executor = model['executor'] as Project['model_settings']['executor'];
  if ('model' in model) next.model_settings.model = model['model'] as string | null;
  if ('base_url' in model) next.model_settings.base_url = model['base_url'] as string | null;
  if ('api_key' in model) {
    const key = model['api_key'] as string | null;
    next.model_settings.api_key_set = key !== null;
    next.model_settings.api_key_last4 = key === null ? null : key.slice(-4);
  }
  return next;
}

/** Every value the page holds in an input, and its text: the key must be in neither. */
function everythingShown(container: HTMLElement): string {
  const values = [...container.querySelectorAll('input')].map((input) => input.value);
  return `${container.innerHTML}\n${values.join('\n')}`;
}

// Typing whole URLs and keys with userEvent takes seconds on a loaded machine: a generous per-test limit.
describe('ProjectSettingsPage', { timeout: 30_000 }, () => {
  it('shows loading, then the settings; the stored key only as "A key is set (…abcd)", never pre-filled', async () => {
    const { container } = setup(withKey);
    expect(screen.getByText('Loading settings…')).toBeTruthy();
    expect(await screen.findByRole('heading', { name: 'Project settings' })).toBeTruthy();
    expect(screen.getByLabelText<HTMLInputElement>('Repository URL').value).toBe('https://github.com/acme/billing.git');
    expect(screen.getByLabelText<HTMLInputElement>('Branch, tag or commit').value).toBe('main');
    expect(screen.getByLabelText<HTMLSelectElement>('Executor').value).toBe('anthropic');
    expect(screen.getByLabelText('Model').getAttribute('placeholder')).toBe(`${DEFAULT_EXECUTOR_MODELS.anthropic} (provider default)`);
    expect(screen.getByTestId('api-key-status').textContent).toBe('A key is set (…abcd)');
    // No password input until Replace is chosen: nothing could be pre-filled.
    expect(container.querySelector('input[type="password"]')).toBeNull();
    expect(screen.getByRole('button', { name: 'Save settings' }).hasAttribute('disabled')).toBe(true);
  });

  it('Remove sends api_key: null and nothing else; afterwards no key is set', async () => {
    const { patches } = setup(withKey);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Remove' }));
    expect(screen.getByText('The key (…abcd) will be removed when you save.')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(patches()).toEqual([{ model_settings: { api_key: null } }]));
    expect(await screen.findByLabelText('API key')).toBeTruthy();
    expect(screen.queryByText(/A key is set/)).toBeNull();
  });

  it('Remove can be taken back before saving', async () => {
    const { patches } = setup(withKey);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Remove' }));
    await user.click(screen.getByRole('button', { name: 'Keep the key' }));
    expect(screen.getByTestId('api-key-status').textContent).toBe('A key is set (…abcd)');
    expect(screen.getByRole('button', { name: 'Save settings' }).hasAttribute('disabled')).toBe(true);
    expect(patches()).toEqual([]);
  });

  it('sets OpenAI with a model, base URL and key: only changed fields are sent, and the key is never rendered back', async () => {
    const { container, patches } = setup(makeProject());
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByLabelText('Executor'), 'openai');
    expect(screen.getByLabelText('Model').getAttribute('placeholder')).toBe(`${DEFAULT_EXECUTOR_MODELS.openai} (provider default)`);
    await user.type(screen.getByLabelText('Model'), 'qwen2.5-coder:7b');
    await user.type(screen.getByLabelText('Base URL'), 'http://localhost:11434/v1');
    const key = screen.getByLabelText('API key');
    expect(key.getAttribute('type')).toBe('password');
    await user.type(key, SECRET);
    await user.click(screen.getByRole('button', { name: 'Save settings' }));

    await waitFor(() =>
      expect(patches()).toEqual([{ model_settings: { executor: 'openai', model: 'qwen2.5-coder:7b', base_url: 'http://localhost:11434/v1', api_key: SECRET } }]),
    );
    expect(await screen.findByText('A key is set (…abcd)')).toBeTruthy();
    expect(await screen.findByText('Saved')).toBeTruthy();
    expect(everythingShown(container)).not.toContain(SECRET);
    expect(container.querySelector('input[type="password"]')).toBeNull();
  });

  it('Replace asks for a new key and sends it; the old one stays until then', async () => {
    const { container, patches } = setup(withKey);
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Replace' }));
    const input = screen.getByLabelText<HTMLInputElement>('New API key');
    expect(input.value).toBe('');
    expect(screen.getByText('The current key (…abcd) is used until you save a new one.')).toBeTruthy();
    await user.type(input, 'sk-new-key-wxyz');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(patches()).toEqual([{ model_settings: { api_key: 'sk-new-key-wxyz' } }]));
    expect(await screen.findByText('A key is set (…wxyz)')).toBeTruthy();
    expect(everythingShown(container)).not.toContain('sk-new-key-wxyz');
  });

  it('clearing the repository sends null; the server’s repo_not_allowed message is shown next to the field', async () => {
    const { patches } = setup(withKey, (body) =>
      'repo_url' in body && body['repo_url'] !== null
        ? { status: 422, body: { detail: '/etc is not under an allowed root (SPECLINE_REPO_ROOTS: /srv/repos)', code: 'repo_not_allowed' } }
        : { status: 200, body: applyPatch(withKey, body) },
    );
    const user = userEvent.setup();
    const url = await screen.findByLabelText('Repository URL');
    await user.clear(url);
    await user.type(url, 'file:///etc');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    const message = await screen.findByText('/etc is not under an allowed root (SPECLINE_REPO_ROOTS: /srv/repos).');
    expect(url.getAttribute('aria-invalid')).toBe('true');
    expect(url.getAttribute('aria-describedby')).toContain(message.id);
    expect(screen.getByText('The settings were not saved: see the highlighted fields.')).toBeTruthy();

    await user.clear(url);
    expect(url.getAttribute('aria-invalid')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(patches().at(-1)).toEqual({ repo_url: null }));
  });

  it('checks the base URL before sending, and maps the API’s field errors to their fields', async () => {
    const { patches } = setup(makeProject(), () => ({ status: 422, body: { detail: 'request validation failed', code: 'validation_failed', errors: [{ path: 'body.model_settings.model', message: 'model not offered by this server' }] } }));
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Base URL'), 'localhost:11434');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(await screen.findByText('Enter an http:// or https:// URL, like http://localhost:11434/v1.')).toBeTruthy();
    expect(patches()).toEqual([]);

    await user.clear(screen.getByLabelText('Base URL'));
    await user.type(screen.getByLabelText('Model'), 'gpt-9');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    const message = await screen.findByText('Model not offered by this server.');
    expect(screen.getByLabelText('Model').getAttribute('aria-describedby')).toContain(message.id);
  });

  it('a member sees the settings read-only: every control disabled and a sentence saying only owners can change them', async () => {
    const { patches } = setup({ ...withKey, role: 'member' });
    expect(await screen.findByRole('note')).toHaveProperty('textContent', expect.stringContaining(OWNERS_ONLY));
    for (const label of ['Name', 'Repository URL', 'Branch, tag or commit', 'Executor', 'Model', 'Base URL']) {
      expect(screen.getByLabelText(label).matches(':disabled'), label).toBe(true);
    }
    const key = screen.getByTestId('api-key-field');
    expect(within(key).getByText('A key is set (…abcd)')).toBeTruthy();
    expect(within(key).getByRole('button', { name: 'Replace' }).matches(':disabled')).toBe(true);
    expect(within(key).getByRole('button', { name: 'Remove' }).matches(':disabled')).toBe(true);
    expect(screen.getByRole('button', { name: 'Save settings' }).matches(':disabled')).toBe(true);
    expect(patches()).toEqual([]);
  });

  it('a failed load is an error with Retry; a 403 on save says only owners can change settings', async () => {
    let fail = true;
    const fake = fakeFetch((call) => {
      if (call.method === 'GET') return fail ? { status: 500, body: { detail: 'database unavailable', code: 'internal' } } : { status: 200, body: makeProject() };
      return { status: 403, body: { detail: 'owner role required', code: 'forbidden' } };
    });
    renderWithApp(<ProjectSettingsPage />, { fetch: fake.fetch, path: '/projects/p1/settings', routePath: '/projects/:projectId/settings' });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not load the project settings');
    fail = false;
    const user = userEvent.setup();
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    await user.type(await screen.findByLabelText('Model'), 'x');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(await screen.findByText('Only project owners can change these settings.')).toBeTruthy();
  });
});

describe('settingsForm', () => {
  it('sends only what changed; empty text clears a value to null; server default is executor null', () => {
    const draft = { ...draftFrom(withKey), executor: '' as const, repo_ref: '  ', name: ' Billing ' };
    expect(bodyFrom(withKey, draft)).toEqual({ repo_ref: null, model_settings: { executor: null } });
    expect(bodyFrom(withKey, draftFrom(withKey))).toEqual({});
    // Remove when no key is set sends nothing; a blank replacement sends nothing.
    expect(bodyFrom(makeProject(), { ...draftFrom(makeProject()), apiKey: { action: 'remove' } })).toEqual({});
    expect(bodyFrom(withKey, { ...draftFrom(withKey), apiKey: { action: 'replace', value: '  ' } })).toEqual({});
  });

  it('reads an error code this client does not know from the raw body the client kept', () => {
    const raw = new ApiError({ status: 422, code: 'validation_failed', detail: 'HTTP 422 Unprocessable Entity: {"detail":"/tmp/x is outside the allowed roots","code":"repo_not_allowed"}', request: 'PATCH /api/v1/projects/p1' });
    expect(problemsFromError(raw)).toEqual({ fields: { repo_url: '/tmp/x is outside the allowed roots.' }, general: null });
    const network = new ApiError({ status: 0, code: 'network_error', detail: 'could not reach the server: offline', request: 'PATCH /api/v1/projects/p1' });
    expect(problemsFromError(network).general).toBe('The settings were not saved: could not reach the server: offline');
  });
});
