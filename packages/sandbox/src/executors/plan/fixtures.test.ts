/**
 * The planner on the fixture repositories (packages/sandbox/fixtures/repos): for a few requests each,
 * the plan names the existing files of the touched resource, every path it modifies exists, new
 * paths are in the repository's language and directories, tests use the repository's runner and
 * layout, the design's shape follows the kind of request, and the whole pipeline passes the
 * evaluators with the request and the repository.
 */
import { DesignOutput, RequirementsOutput, TasksOutput, type Phase } from '@specline/protocol';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CodeIndex } from '../../codeindex/types';
import { evaluate } from '../../evaluators/index';
import type { PhaseContext } from '../../types';
import { loadCodeIndex } from '../../codeindex/index';
import { createPlannerExecutor } from '../planner';

const REPOS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/repos');
const indexes = new Map<string, CodeIndex>();
const indexOf = (repo: string): CodeIndex => indexes.get(repo)!;

beforeAll(async () => {
  for (const repo of ['fastapi-shop', 'express-prisma-api', 'spring-clinic']) indexes.set(repo, await loadCodeIndex(path.join(REPOS, repo)));
});

type Plan = { requirements: RequirementsOutput & Record<string, unknown>; design: DesignOutput & Record<string, unknown>; tasks: TasksOutput & Record<string, unknown>; data: Record<string, Record<string, unknown>> };

async function plan(repo: string, title: string, description = '', options: { hasCodebase?: boolean } = {}): Promise<Plan> {
  const index = indexOf(repo);
  const planner = createPlannerExecutor();
  const spec = { id: 'spec', title, description };
  const data: Record<string, Record<string, unknown>> = { explore: { languages: index.languages, ...(options.hasCodebase === false ? { has_codebase: false } : {}) } };
  for (const phase of ['requirements', 'design', 'tasks', 'sync'] as Phase[]) {
    const context: PhaseContext = { spec, cwd: index.root, ...(options.hasCodebase === false ? { hasCodebase: false } : { index }), phaseData: { ...data }, attempt: 1, maxAttempts: 3, progress: () => {} };
    data[phase] = (await planner.execute(phase, context, null, new AbortController().signal)).output;
  }
  return { requirements: RequirementsOutput.parse(data['requirements']), design: DesignOutput.parse(data['design']), tasks: TasksOutput.parse(data['tasks']), data };
}

const components = (p: Plan) => p.design.components as (Plan['design']['components'][number] & { change: string; existing_symbols: string[]; reason: string; kind: string; files?: { path: string; change: string }[] })[];
const taskFiles = (p: Plan) => p.tasks.tasks.flatMap((t) => (t['files'] as string[] | undefined) ?? []);
const testTasks = (p: Plan) => p.tasks.tasks.filter((t) => t['type'] === 'test');

/** The grounding invariants every plan on a fixture keeps. */
function expectGrounded(p: Plan, repo: string, ext: string, spec: { title: string; description?: string }) {
  const index = indexOf(repo);
  for (const c of components(p)) {
    expect(c.reason, c.id).not.toBe('');
    if (c.change === 'modify') expect(index.exists(c.file_path!), `${c.id} modifies ${c.file_path}`).toBe(true);
    if (c.change === 'create') {
      expect(index.exists(c.file_path!), `${c.id} creates ${c.file_path}, which exists`).toBe(false);
      expect(index.isDir(path.posix.dirname(c.file_path!)), `${c.id}: ${c.file_path} is in an existing directory`).toBe(true);
      expect(c.file_path!.endsWith(`.${ext}`) || /\.(html|sql|prisma|properties)$/.test(c.file_path!), `${c.file_path} is .${ext}`).toBe(true);
    }
  }
  for (const t of p.tasks.tasks) {
    for (const f of (t['files_to_modify'] as string[]) ?? []) expect(index.exists(f), `${t.id} modifies ${f}`).toBe(true);
    // A new file goes in an existing directory, or in a new one whose parent exists (a mirrored test package).
    for (const f of (t['files_to_create'] as string[]) ?? []) expect(index.isDir(path.posix.dirname(f)) || index.isDir(path.posix.dirname(path.posix.dirname(f))), `${t.id} creates ${f} next to existing code`).toBe(true);
    expect(t.requirements.length, t.id).toBeGreaterThan(0);
  }
  // No file of another language anywhere in the plan.
  for (const f of [...components(p).map((c) => c.file_path ?? ''), ...taskFiles(p)]) expect(f === '' || f.endsWith(`.${ext}`) || /\.(html|sql|prisma|properties|md)$/.test(f), f).toBe(true);
  // Test tasks come after an implementation task and name the runner.
  for (const t of testTasks(p)) expect(t.depends_on.length, t.id).toBeGreaterThan(0);
  // The pipeline passes the evaluators with the request and the repository.
  const order: Phase[] = ['requirements', 'design', 'tasks', 'sync'];
  for (const phase of order) {
    const context = Object.fromEntries(order.slice(0, order.indexOf(phase)).map((x) => [x, p.data[x]!]));
    const result = evaluate(phase, p.data[phase], { explore: p.data['explore']!, ...context }, { spec: { title: spec.title, description: spec.description ?? '' }, repo: index });
    expect({ phase, passed: result.passed, errors: result.problems.filter((x) => x.severity === 'error') }).toEqual({ phase, passed: true, errors: [] });
  }
}

describe('planner on fastapi-shop (FastAPI + SQLModel + pytest)', () => {
  it('"Add password reset by email" finds the existing recovery flow and extends it instead of planning a second one', async () => {
    const p = await plan('fastapi-shop', 'Add password reset by email');
    const existing = p.requirements['existing_implementation'] as { summary: string; files: string[]; routes: string[] };
    expect(existing.files).toEqual(['src/shop/auth/password_reset.py']);
    expect(existing.routes).toEqual(['POST /api/v1/password-recovery/{email}', 'POST /api/v1/reset-password/']);
    expect(existing.summary).toContain('already implemented in src/shop/auth/password_reset.py'.replace('already', 'Already'));
    expect(p.requirements.requirements[0]!.text).toContain('`POST /api/v1/password-recovery/{email}`');
    expect(p.requirements.requirements[0]!.text).toContain('`EMAIL_RESET_TOKEN_EXPIRE_HOURS`');
    expect(p.design.architecture_overview).toMatch(/already implemented in src\/shop\/auth\/password_reset\.py: `POST \/api\/v1\/password-recovery\/\{email\}`/);
    expect(p.design.architecture_overview).toContain('adds no second one');
    // Only existing files change; nothing new but tests.
    expect(components(p).every((c) => c.change === 'modify')).toBe(true);
    const flow = components(p).find((c) => c.file_path === 'src/shop/auth/password_reset.py')!;
    expect(flow.existing_symbols).toEqual(expect.arrayContaining(['recover_password', 'reset_password', 'generate_password_reset_token', 'verify_password_reset_token']));
    expect(p.design.api_endpoints.map((e) => `${e.method} ${e.path} ${String(e['change'])}`)).toEqual(['POST /api/v1/password-recovery/{email} modify', 'POST /api/v1/reset-password/ modify']);
    expect(p.tasks.tasks.some((t) => /^Review and extend .*`src\/shop\/auth\/password_reset\.py`/.test(t.title))).toBe(true);
    expect(p.tasks.tasks.flatMap((t) => t['files_to_create'] as string[])).toEqual([]);
    expect(testTasks(p).map((t) => t['files'])).toEqual([['tests/auth/test_password_reset.py']]);
    expect(p.design.testing_strategy).toMatch(/^pytest tests .*`tests\/auth\/test_password_reset\.py` \(extended\)/);
    expect(p.tasks['total_estimated_hours']).toBeLessThanOrEqual(12);
    expectGrounded(p, 'fastapi-shop', 'py', { title: 'Add password reset by email' });
  });

  it('"Rate-limit login attempts" changes the login route and the settings, and adds a limiter next to the dependencies', async () => {
    const p = await plan('fastapi-shop', 'Rate-limit login attempts');
    expect(p.requirements['existing_implementation']).toBeNull();
    const byFile = new Map(components(p).map((c) => [c.file_path, c]));
    expect(byFile.get('src/shop/api/routes/login.py')).toMatchObject({ change: 'modify', existing_symbols: ['login_access_token'] });
    expect(byFile.get('src/shop/core/config.py')).toMatchObject({ change: 'modify', existing_symbols: ['Settings'] });
    expect(byFile.get('src/shop/api/login_rate_limit.py')).toMatchObject({ change: 'create', kind: 'middleware' });
    expect(p.design.api_endpoints.map((e) => `${e.method} ${e.path}`)).toEqual(['POST /api/v1/login/access-token']);
    expect(p.requirements.requirements[0]!.text).toBe(
      'WHEN a client has made 5 failed login attempts for one email from one address within 15 minutes, THE SYSTEM SHALL answer further login attempts for that email and address on `POST /api/v1/login/access-token` with HTTP 429 (Too Many Requests) and a Retry-After header, without checking the password, until the window ends.',
    );
    expect(p.requirements.requirements.map((r) => r.text).join(' ')).toContain('`LOGIN_MAX_ATTEMPTS`');
    expect(testTasks(p).flatMap((t) => t['files'] as string[])).toEqual(['tests/api/test_login_rate_limit.py', 'tests/api/test_login.py']);
    expectGrounded(p, 'fastapi-shop', 'py', { title: 'Rate-limit login attempts' });
  });

  it('"Add orders" is a new resource: model next to the others, queries in crud.py, a router next to the routers, mounted in api/main.py', async () => {
    const p = await plan('fastapi-shop', 'Add orders', 'Customers can place orders for items.');
    expect(components(p).map((c) => [c.kind, c.change, c.file_path])).toEqual([
      ['model', 'create', 'src/shop/models/order.py'],
      ['service', 'modify', 'src/shop/crud.py'],
      ['route', 'create', 'src/shop/api/routes/orders.py'],
      ['registration', 'modify', 'src/shop/api/main.py'],
    ]);
    expect(p.design.api_endpoints.map((e) => `${e.method} ${e.path}`)).toEqual(['GET /api/v1/orders', 'POST /api/v1/orders', 'GET /api/v1/orders/{id}', 'PUT /api/v1/orders/{id}', 'DELETE /api/v1/orders/{id}']);
    expect(testTasks(p).flatMap((t) => t['files'] as string[])).toEqual(['tests/api/test_orders.py']);
    expectGrounded(p, 'fastapi-shop', 'py', { title: 'Add orders', description: 'Customers can place orders for items.' });
  });
});

describe('planner on express-prisma-api (Express + Prisma + Vitest)', () => {
  it('"Add pagination to the posts list" changes the posts route, its query and its test, and creates nothing', async () => {
    const p = await plan('express-prisma-api', 'Add pagination to the posts list');
    expect(components(p).map((c) => [c.kind, c.change, c.file_path])).toEqual([
      ['service', 'modify', 'src/services/postService.ts'],
      ['route', 'modify', 'src/routes/posts.ts'],
    ]);
    expect(components(p)[0]!.existing_symbols).toContain('listPublished');
    expect(p.design.api_endpoints.map((e) => `${e.method} ${e.path} ${String(e['change'])}`)).toEqual(['GET /api/posts modify']);
    expect(p.requirements.requirements[0]!.text).toBe('WHEN a client sends `GET /api/posts` with `page` and `pageSize`, THE SYSTEM SHALL answer 200 with that page of posts, newest first, and the total number of posts in the body.');
    expect(testTasks(p).map((t) => [t.title, t['files']])).toEqual([['Extend Vitest tests in `test/posts.test.ts`', ['test/posts.test.ts']]]);
    expect(p.tasks.tasks.flatMap((t) => t['files_to_create'] as string[])).toEqual([]);
    // A one-route change is a few hours, not a week.
    expect(p.tasks['total_estimated_hours']).toBeLessThanOrEqual(8);
    expectGrounded(p, 'express-prisma-api', 'ts', { title: 'Add pagination to the posts list' });
  });

  it('"Rate-limit login attempts" adds middleware in src/middleware (tested next to it, as auth.ts is) and applies it to POST /api/auth/login', async () => {
    const p = await plan('express-prisma-api', 'Rate-limit login attempts');
    expect(components(p).map((c) => [c.kind, c.change, c.file_path])).toEqual([
      ['settings', 'modify', 'src/config.ts'],
      ['middleware', 'create', 'src/middleware/loginRateLimit.ts'],
      ['route', 'modify', 'src/routes/auth.ts'],
    ]);
    expect(p.design.api_endpoints.map((e) => `${e.method} ${e.path}`)).toEqual(['POST /api/auth/login']);
    expect(testTasks(p).flatMap((t) => t['files'] as string[])).toEqual(['src/middleware/loginRateLimit.test.ts', 'test/auth.test.ts']);
    expect(p.design.testing_strategy).toContain('Vitest');
    expect(p.design.testing_strategy).toContain('supertest');
    expectGrounded(p, 'express-prisma-api', 'ts', { title: 'Rate-limit login attempts' });
  });

  it('"Let authors comment on posts" gives the existing Comment model its routes, modelled on the posts router', async () => {
    const p = await plan('express-prisma-api', 'Let authors comment on posts');
    expect(components(p).map((c) => [c.kind, c.change, c.file_path])).toEqual([
      ['service', 'create', 'src/services/commentService.ts'],
      ['route', 'create', 'src/routes/comments.ts'],
      ['registration', 'modify', 'src/app.ts'],
    ]);
    expect(components(p)[1]!.reason).toBe('modelled on src/routes/posts.ts');
    expect(p.design.api_endpoints.map((e) => `${e.method} ${e.path}`)).toEqual(expect.arrayContaining(['POST /api/posts/:id/comments', 'GET /api/posts/:id/comments']));
    expect(p.design.data_models.find((m) => m.name === 'Comment')).toMatchObject({ change: 'none', file_path: 'prisma/schema.prisma' });
    expect(testTasks(p).flatMap((t) => t['files'] as string[])).toEqual(['test/comments.test.ts']);
    expectGrounded(p, 'express-prisma-api', 'ts', { title: 'Let authors comment on posts' });
  });
});

describe('planner on spring-clinic (Spring Boot + JPA + Thymeleaf + JUnit 5)', () => {
  it('"Let owners book visits online" adds a Visit entity, controller and form in the owner package, nested under the owner\'s pets', async () => {
    const p = await plan('spring-clinic', 'Let owners book visits online');
    const base = 'src/main/java/org/example/clinic/owner';
    expect(components(p).map((c) => [c.kind, c.change, c.file_path])).toEqual([
      ['model', 'create', `${base}/Visit.java`],
      ['model', 'modify', `${base}/Pet.java`],
      ['repository', 'create', `${base}/VisitRepository.java`],
      ['route', 'create', `${base}/VisitController.java`],
      ['template', 'create', 'src/main/resources/templates/owners/createOrUpdateVisitForm.html'],
      ['template', 'modify', 'src/main/resources/templates/owners/ownerDetails.html'],
    ]);
    expect(components(p).find((c) => c.kind === 'route')!.reason).toBe(`modelled on ${base}/OwnerController.java`);
    expect(p.design.api_endpoints.map((e) => `${e.method} ${e.path}`)).toEqual(['GET /owners/{ownerId}/pets/{petId}/visits/new', 'POST /owners/{ownerId}/pets/{petId}/visits/new']);
    expect(p.design.data_models[0]).toMatchObject({ name: 'Visit', change: 'create', table: 'visits' });
    expect(testTasks(p).flatMap((t) => t['files'] as string[])).toEqual(['src/test/java/org/example/clinic/owner/VisitControllerTests.java']);
    expect(p.design.testing_strategy).toMatch(/^JUnit 5 tests .*@WebMvcTest.*MockMvc/);
    expect(p.requirements.requirements.map((r) => r.text).join(' ')).toContain('`GET /owners/{ownerId}/pets/{petId}/visits/new`');
    expectGrounded(p, 'spring-clinic', 'java', { title: 'Let owners book visits online' });
  });

  it('"Add pagination to the vets list" changes VetController and VetRepository and adds the missing controller test in the mirrored package', async () => {
    const p = await plan('spring-clinic', 'Add pagination to the vets list');
    expect(components(p).map((c) => [c.kind, c.change, c.file_path])).toEqual([
      ['service', 'modify', 'src/main/java/org/example/clinic/vet/VetRepository.java'],
      ['route', 'modify', 'src/main/java/org/example/clinic/vet/VetController.java'],
    ]);
    expect(p.requirements.requirements[0]!.text).toContain('`page` and `size`');
    expect(testTasks(p).flatMap((t) => t['files'] as string[])).toEqual(['src/test/java/org/example/clinic/vet/VetControllerTests.java']);
    expectGrounded(p, 'spring-clinic', 'java', { title: 'Add pagination to the vets list' });
  });
});

describe('the design shape follows the kind of request', () => {
  it('differs between an existing flow, a rule, an endpoint change and a new resource', async () => {
    const shapes = await Promise.all([
      plan('fastapi-shop', 'Add password reset by email'),
      plan('fastapi-shop', 'Rate-limit login attempts'),
      plan('express-prisma-api', 'Add pagination to the posts list'),
      plan('spring-clinic', 'Let owners book visits online'),
    ]);
    const signature = (p: Plan) => components(p).map((c) => `${c.kind}:${c.change}`).join(',');
    expect(new Set(shapes.map(signature)).size).toBe(4);
    expect(shapes.map((p) => p.design['change_kind'])).toEqual(['flow', 'rule', 'endpoint', 'flow']);
  });
});

describe('without a code base', () => {
  it('plans from the request alone, names no file and says so', async () => {
    const p = await plan('fastapi-shop', 'Rate-limit login attempts', '', { hasCodebase: false });
    expect(components(p).every((c) => c.file_path === undefined)).toBe(true);
    expect(taskFiles(p)).toEqual([]);
    expect(p.design.architecture_overview).toContain('No repository is connected');
    expect(p.requirements['has_codebase']).toBe(false);
    expect(p.requirements['notes']).toEqual([expect.stringMatching(/^No repository is connected: this plan is written from the request alone and names no existing file/)]);
    const order: Phase[] = ['requirements', 'design', 'tasks', 'sync'];
    for (const phase of order) {
      const context = Object.fromEntries(order.slice(0, order.indexOf(phase)).map((x) => [x, p.data[x]!]));
      const result = evaluate(phase, p.data[phase], context, { spec: { title: 'Rate-limit login attempts', description: '' } });
      expect({ phase, errors: result.problems.filter((x) => x.severity === 'error') }).toEqual({ phase, errors: [] });
    }
  });
});

describe('determinism', () => {
  it('gives the same plan for the same request and repository', async () => {
    const [a, b] = await Promise.all([plan('express-prisma-api', 'Add pagination to the posts list'), plan('express-prisma-api', 'Add pagination to the posts list')]);
    expect(a.data).toEqual(b.data);
  });
});
