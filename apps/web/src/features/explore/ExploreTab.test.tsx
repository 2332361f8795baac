import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeProject, makeSpec } from '../../test/fixtures';
import { fakeFetch, renderWithApp } from '../../test/render';
import { ExploreTab } from './ExploreTab';
import { exploreView } from './exploreView';

const EXPLORE = {
  codebase_summary: 'A small Flask bookshop with an orders API.',
  project_type: 'web-api',
  tech_stack: ['Python', 'Flask'],
  frameworks: ['Flask', 'SQLAlchemy'],
  structure: {},
  key_files: [{ path: 'app/orders.py', purpose: 'Order endpoints' }],
  conventions: {},
  entry_points: ['app/__init__.py'],
  entry_point_details: [{ path: 'app/__init__.py', kind: 'app factory', line: 7 }],
  test_structure: 'pytest under tests/',
  test_layout: { runner: 'pytest', runners: ['pytest'], layout: 'separate', dirs: ['tests'], pattern: 'test_*.py', files: 4, examples: ['tests/test_orders.py'], command: 'pytest' },
  feature_summary: { name: 'Order refunds', one_liner: 'Refund an order', scope_in: ['refunds'], scope_out: [] },
  languages: [{ name: 'Markdown', files: 1 }, { name: 'Python', files: 9 }],
  routes: [{ method: 'post', path: '/orders/<id>/refund', file: 'app/orders.py', line: 40, handler: 'refund' }],
  data_models: [{ name: 'Order', file: 'app/models.py', line: 12, table: 'orders', fields: ['id', 'total'] }],
  repo_commit: 'abcdef1234567890',
};

function setup(phaseData: Record<string, unknown>, repoUrl: string | null, specOverrides: Parameters<typeof makeSpec>[0] = {}) {
  const spec = makeSpec({ id: 'spec-1', project_id: 'proj-1', ...specOverrides });
  const fake = fakeFetch((call) => {
    if (call.path === '/api/v1/projects/proj-1') return { status: 200, body: makeProject({ id: 'proj-1', repo_url: repoUrl }) };
    if (call.path === '/api/v1/specs/spec-1/phase-data') return { status: 200, body: { spec_id: 'spec-1', current_phase: null, phase_data: phaseData, phase_status: {}, last_error: null } };
    return undefined;
  });
  return renderWithApp(<ExploreTab spec={spec} />, { fetch: fake.fetch });
}

describe('ExploreTab', () => {
  it('shows every section, files linked to GitHub at the explored commit', async () => {
    setup({ explore: EXPLORE }, 'https://github.com/acme/bookshop.git');
    await screen.findByText('A small Flask bookshop with an orders API.');
    const stack = screen.getByTestId('explore-stack');
    expect(within(stack).getByText('Python')).toBeTruthy();
    expect(within(stack).getByText('SQLAlchemy')).toBeTruthy();
    const entry = await within(screen.getByTestId('explore-entry-points')).findByRole('link', { name: /app\/__init__\.py:7/ });
    expect(entry.getAttribute('href')).toBe('https://github.com/acme/bookshop/blob/abcdef1234567890/app/__init__.py#L7');
    expect(screen.getByText('app factory')).toBeTruthy();
    expect(screen.getByText('9 files')).toBeTruthy();
    expect(screen.getByText('pytest', { selector: 'dd' })).toBeTruthy();
    expect(screen.getByText('/orders/<id>/refund')).toBeTruthy();
    expect(screen.getByText('POST')).toBeTruthy();
    expect(screen.getByText('table orders')).toBeTruthy();
    expect(screen.getByText('Order endpoints')).toBeTruthy();
  });

  it('a local repository has no links: the paths are shown', async () => {
    setup({ explore: EXPLORE }, '/srv/repos/bookshop');
    await screen.findByText('A small Flask bookshop with an orders API.');
    expect(screen.getByText('app/__init__.py:7')).toBeTruthy();
    expect(screen.queryAllByRole('link')).toHaveLength(0);
  });

  it('a legacy output with few fields shows an empty state per section', async () => {
    setup({ explore: { codebase_summary: 'Legacy summary', tech_stack: 'not a list', routes: [{ nope: 1 }] } }, null);
    await screen.findByText('Legacy summary');
    expect(screen.getByText('EXPLORE recognised no stack.')).toBeTruthy();
    expect(screen.getByText('No entry points found.')).toBeTruthy();
    expect(screen.getByText('No HTTP routes found.')).toBeTruthy();
    expect(screen.getByText('No key files named.')).toBeTruthy();
  });

  it('before EXPLORE has run: a clear empty state', async () => {
    setup({}, null, { status: 'executing', phase_status: { explore: { state: 'running', attempt: 1, max_attempts: 3, eval_score: null, reason: null, error: null, started_at: null, completed_at: null } } });
    expect(await screen.findByText('EXPLORE is reading the repository')).toBeTruthy();
  });
});

describe('exploreView', () => {
  it('falls back to the plain entry points and sorts languages by files', () => {
    const view = exploreView({ entry_points: ['main.go'], languages: [{ name: 'A', files: 1 }, { name: 'B', files: 5 }] });
    expect(view.entryPoints).toEqual([{ path: 'main.go', kind: null, line: null }]);
    expect(view.languages.map((l) => l.name)).toEqual(['B', 'A']);
    expect(view.tests).toBeNull();
  });
});
