import type { Spec } from '@specline/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { exploreMarkdown, nestHeadings, phaseText, specMarkdown, statusText } from '../services/specExport';
import { specs } from '../store/schema';
import { BACKENDS, createProject, createTestServer, registerUser, type TestServer, type TestUser } from './harness';

const explore = {
  codebase_summary: 'A small bookshop API.',
  project_type: 'web service',
  tech_stack: ['Python', 'FastAPI'],
  frameworks: ['FastAPI', 'SQLAlchemy'],
  languages: [
    { name: 'Python', files: 12 },
    { name: 'Markdown', files: 1 },
  ],
  entry_points: ['app/main.py'],
  entry_point_details: [{ path: 'app/main.py', kind: 'asgi app', line: 3 }],
  test_structure: 'tests/',
  test_layout: { runner: 'pytest', runners: ['pytest'], layout: 'separate', dirs: ['tests'], pattern: 'test_*.py', files: 4, examples: [], command: 'pytest' },
  routes: [{ method: 'GET', path: '/books', file: 'app/routes.py', line: 10 }],
  data_models: [{ name: 'Book', file: 'app/models.py', line: 5, fields: ['id', 'title'] }],
  key_files: [{ path: 'app/main.py', purpose: 'creates the app' }],
  structure: {},
  conventions: {},
  feature_summary: { name: 'x', one_liner: 'y', scope_in: [], scope_out: [] },
};

describe('the Markdown export (pure parts)', () => {
  it('names phases and statuses as the web shows them, never the legacy stage', () => {
    expect(phaseText({ current_phase: null })).toBe('Not started');
    expect(phaseText({ current_phase: 'sync' })).toBe('Sync');
    expect(statusText({ status: 'executing', archived: false })).toBe('Running');
    expect(statusText({ status: 'queued', queue_position: 2, archived: false })).toBe('Queued · position 2');
    expect(statusText({ status: 'completed', archived: true })).toBe('Completed (archived)');
  });

  it('nests embedded headings under their section, leaving code fences alone', () => {
    expect(nestHeadings('### Order\n- `id`: uuid\n### Refund\ntext', 3)).toBe('#### Order\n- `id`: uuid\n#### Refund\ntext');
    expect(nestHeadings('## A\n### B', 3)).toBe('#### A\n##### B');
    expect(nestHeadings('#### Already deeper', 3)).toBe('#### Already deeper');
    expect(nestHeadings('```\n# not a heading\n```\n# Heading', 1)).toBe('```\n# not a heading\n```\n## Heading');
    expect(nestHeadings('no headings', 3)).toBe('no headings');
  });

  it('writes the EXPLORE section: summary, stack, languages with counts, entry points, tests, routes, models, key files', () => {
    const text = exploreMarkdown(explore).join('\n');
    expect(text).toContain('## Explore\n\nA small bookshop API.');
    expect(text).toContain('- **Stack and frameworks:** Python, FastAPI, SQLAlchemy');
    expect(text).toContain('- **Languages:** Python (12 files), Markdown (1 file)');
    expect(text).toContain('### Entry points\n\n- `app/main.py` (asgi app)');
    expect(text).toContain('- **Runner:** pytest (`pytest`)');
    expect(text).toContain('| GET | /books | `app/routes.py:10` |');
    expect(text).toContain('- **Book** (`app/models.py:5`): id, title');
    expect(text).toContain('- `app/main.py`: creates the app');
    expect(exploreMarkdown(undefined)).toEqual(['## Explore', '', '_Not run yet._', '']);
    expect(exploreMarkdown({ codebase_summary: 42 })).toEqual(['## Explore', '', '_Not run yet._', '']);
  });

  it('puts the data model’s entities one level below "### Data model"', () => {
    const spec = {
      id: 'spec-1',
      title: 'Add refunds',
      description: '',
      status: 'completed',
      phase: 'Implementation',
      current_phase: 'sync',
      archived: false,
      progress: 100,
      requirements_approved: true,
      design_approved: true,
      requirements: [],
      tasks: [],
      design: { architecture: 'Overview', data_model: '### Refund\n- `id`: uuid — key', api_spec: [], components: [], error_handling: '', testing_strategy: '', architecture_diagram: null },
    } as unknown as Spec;
    const md = specMarkdown(spec, explore);
    expect(md).toContain('### Data model\n\n#### Refund\n- `id`: uuid — key');
    expect(md).toContain('- **Phase:** Sync');
    expect(md).not.toContain('Implementation');
    expect(md.indexOf('## Explore')).toBeLessThan(md.indexOf('## Requirements'));
  });
});

describe.each(BACKENDS)('GET /specs/{id}/export?format=markdown on %s', (backend) => {
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  beforeAll(async () => {
    server = await createTestServer(backend);
    alice = await registerUser(server.app, 'alice');
    bob = await registerUser(server.app, 'bob');
  });
  afterAll(async () => {
    await server.close();
  });

  it('includes the stored EXPLORE output and says "Not started" for a draft; a stranger gets 404', async () => {
    const project = await createProject(server.app, alice);
    const spec = (await server.app.inject({ method: 'POST', url: '/api/v1/specs', headers: alice.headers, payload: { title: 'Draft', project_id: project.id } })).json<{ id: string }>();
    const url = `/api/v1/specs/${spec.id}/export?format=markdown`;
    const draft = await server.app.inject({ method: 'GET', url, headers: alice.headers });
    expect(draft.statusCode).toBe(200);
    expect(draft.body).toContain('- **Phase:** Not started');
    expect(draft.body).toContain('- **Status:** Draft');
    expect(draft.body).toContain('## Explore\n\n_Not run yet._');
    await server.context.db.update(specs).set({ phaseData: { explore }, currentPhase: 'explore' }).where(eq(specs.id, spec.id));
    const explored = await server.app.inject({ method: 'GET', url, headers: alice.headers });
    expect(explored.body).toContain('- **Phase:** Explore');
    expect(explored.body).toContain('- **Languages:** Python (12 files), Markdown (1 file)');
    expect(explored.body).not.toContain('Phase: Implementation');
    const asBob = await server.app.inject({ method: 'GET', url, headers: bob.headers });
    expect(asBob.statusCode).toBe(404);
  });
});
