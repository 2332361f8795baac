/** EXPLORE on the fixture repositories (Python, TypeScript, Java) and without a code base. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExploreOutput } from '@specline/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCodeIndex } from '../../codeindex/build';
import { evaluateExplore } from '../../evaluators/explore';
import { NO_CODEBASE_SUMMARY, runExplore } from './explore';

const REPOS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../fixtures/repos');
const options = { maxFiles: 50_000, maxDepth: 32, ignore: [] };
type Out = ExploreOutput & Record<string, unknown>;

async function explore(repo: string, title: string, description = ''): Promise<{ out: Out; progress: string[] }> {
  const progress: string[] = [];
  const index = await buildCodeIndex(path.join(REPOS, repo), { commit: null, workers: 0 });
  const out = (await runExplore(path.join(REPOS, repo), { id: 's', title, description }, { ...options, index, progress: (m) => progress.push(m) })) as Out;
  return { out, progress };
}

describe('EXPLORE: fastapi-shop', () => {
  let out: Out;
  let progress: string[];
  beforeAll(async () => {
    ({ out, progress } = await explore('fastapi-shop', 'Add password reset by email', 'Users who forgot their password get a reset link by email.'));
  });

  it('is valid, passes its evaluator, and says it is a Python FastAPI service, never TypeScript', () => {
    expect(ExploreOutput.safeParse(out).success).toBe(true);
    expect(evaluateExplore(out).passed).toBe(true);
    expect(out.has_codebase).toBe(true);
    expect(out.codebase_summary).toMatch(/^A Python FastAPI service \("shop"\) with SQLModel data models\./);
    expect(out.project_type).toBe('Python web API (FastAPI)');
    expect(JSON.stringify([out.codebase_summary, out.project_type, out.tech_stack, out.languages])).not.toContain('TypeScript');
    expect(out.languages?.[0]).toEqual({ name: 'Python', files: 28 });
    expect(out.tech_stack.slice(0, 1)).toEqual(['Python']);
    expect(out.frameworks).toEqual(expect.arrayContaining(['FastAPI', 'SQLModel', 'pytest']));
  });

  it('reports the existing password-recovery route, the models, settings and auth', () => {
    expect(out.routes).toEqual(expect.arrayContaining([expect.objectContaining({ method: 'POST', path: '/api/v1/password-recovery/{email}', file: 'src/shop/auth/password_reset.py', handler: 'recover_password' })]));
    expect(out.routes).toHaveLength(15);
    expect(out.data_models?.map((m) => m.name)).toEqual(['Item', 'User']);
    expect(out.settings?.[0]).toMatchObject({ name: 'Settings', file: 'src/shop/core/config.py' });
    expect(out.auth?.map((a) => a.name)).toEqual(expect.arrayContaining(['reusable_oauth2', 'get_current_user']));
  });

  it('names the entry point, the pytest runner, layout and command', () => {
    expect(out.entry_points[0]).toBe('src/shop/main.py');
    expect(out.entry_point_details?.[0]).toMatchObject({ path: 'src/shop/main.py', kind: 'python_main' });
    expect(out['test_runner']).toBe('pytest');
    expect(out.test_layout).toMatchObject({ runner: 'pytest', layout: 'separate', pattern: 'test_*.py', command: 'pytest' });
    expect(out.test_structure).toMatch(/^pytest: 3 test files named test_\*\.py .*run with `pytest`$/);
  });

  it('gives key files purposes from what they contain', () => {
    const purpose = (p: string) => out.key_files.find((k) => k.path === p)?.purpose;
    expect(purpose('src/shop/auth/password_reset.py')).toMatch(/^HTTP routes \(FastAPI\): POST \/api\/v1\/password-recovery\/\{email\}, POST \/api\/v1\/reset-password\/; Password recovery by email/);
    expect(purpose('src/shop/core/config.py')).toMatch(/^Settings: Settings \(settings class\)/);
    expect(purpose('src/shop/api/deps.py')).toMatch(/^Authentication: reusable_oauth2 \(security scheme\), get_current_user \(dependency\)/);
    expect(purpose('src/shop/models/user.py')).toMatch(/^Data models \(SQLModel\): User/);
    expect(purpose('src/shop/main.py')).toMatch(/^Entry point: runs when executed as a script/);
  });

  it('relates the request to the password-reset module first, with reasons', () => {
    expect(out.related_code?.[0]).toMatchObject({ path: 'src/shop/auth/password_reset.py' });
    expect(out.related_code?.[0]?.reason).toMatch(/^defines generate_password_reset_token, verify_password_reset_token, recover_password, reset_password; routes POST \/api\/v1\/password-recovery\/\{email\}/);
    expect(out.related_code?.find((r) => r.symbol === 'recover_password')?.reason).toMatch(/^defines function recover_password; .*route POST \/api\/v1\/password-recovery\/\{email\}$/);
    expect(out.related_code?.length).toBeLessThanOrEqual(10);
    expect(progress.some((m) => /^Explored 33 files in \d+ ms: .*15 routes, 2 data models/.test(m))).toBe(true);
    expect(progress.some((m) => m.startsWith('Code related to the request: src/shop/auth/password_reset.py'))).toBe(true);
  });
});

describe('EXPLORE: express-prisma-api', () => {
  let out: Out;
  beforeAll(async () => {
    ({ out } = await explore('express-prisma-api', 'Let authors schedule posts', 'A post can be published at a future time.'));
  });

  it('is a TypeScript Express service with Prisma models, routes under their mount prefixes and Vitest', () => {
    expect(evaluateExplore(out).passed).toBe(true);
    expect(out.codebase_summary).toMatch(/^A TypeScript Express service \("blog-api"\) with Prisma data models\./);
    expect(out.routes?.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining(['POST /api/posts/:id/publish', 'POST /api/auth/login', 'GET /api/users/me']));
    expect(out.data_models?.map((m) => `${m.name} ${m.file}`)).toEqual(['User prisma/schema.prisma', 'Post prisma/schema.prisma', 'Comment prisma/schema.prisma']);
    expect(out.auth?.map((a) => a.name)).toEqual(['requireAuth', 'requireAdmin']);
    expect(out.entry_points[0]).toBe('src/server.ts');
    expect(out['test_runner']).toBe('Vitest');
    expect(out.test_layout).toMatchObject({ layout: 'mixed', command: 'npm test' });
    expect(out.related_code?.[0]?.path).toMatch(/^src\/(services\/postService|routes\/posts)\.ts$/);
  });
});

describe('EXPLORE: spring-clinic', () => {
  let out: Out;
  beforeAll(async () => {
    ({ out } = await explore('spring-clinic', "Show an owner's visit history"));
  });

  it('is a Java Spring Boot service with JPA entities, its @SpringBootApplication entry point and JUnit 5 via Maven', () => {
    expect(evaluateExplore(out).passed).toBe(true);
    expect(out.codebase_summary).toMatch(/^A Java Spring Boot service \("clinic"\) with JPA data models\./);
    expect(out.languages?.[0]).toEqual({ name: 'Java', files: 13 });
    expect(out.entry_points[0]).toBe('src/main/java/org/example/clinic/ClinicApplication.java');
    expect(out['test_runner']).toBe('JUnit 5');
    expect(out.test_structure).toMatch(/^JUnit 5: 2 test files named \*Tests\.java/);
    expect(out.test_structure).not.toContain('Unknown runner');
    expect(out.data_models?.map((m) => m.name)).toEqual(['Owner', 'Pet', 'Vet']);
    expect(out.routes).toEqual(expect.arrayContaining([expect.objectContaining({ method: 'GET', path: '/owners/{ownerId}', handler: 'showOwner' })]));
    expect(out.related_code?.[0]).toMatchObject({ path: 'src/main/java/org/example/clinic/owner/OwnerController.java' });
    expect(out.related_code?.[1]).toMatchObject({ path: 'src/main/java/org/example/clinic/owner/OwnerController.java', symbol: 'OwnerController.showOwner' });
    expect(out.related_code?.[1]?.reason).toBe('defines method OwnerController.showOwner; "Shows one owner with their pets."; route GET /owners/{ownerId}');
  });
});

describe('EXPLORE without a code base', () => {
  it('scans nothing, says so, keeps the feature summary, and passes the evaluator', async () => {
    const progress: string[] = [];
    const out = (await runExplore('/nonexistent/never-read', { id: 's', title: 'Add order refunds', description: 'Customers can ask for a refund within 30 days.' }, { ...options, hasCodebase: false, progress: (m) => progress.push(m) })) as Out;
    expect(ExploreOutput.safeParse(out).success).toBe(true);
    expect(out).toMatchObject({ has_codebase: false, repo_commit: null, codebase_summary: NO_CODEBASE_SUMMARY, tech_stack: [], key_files: [], entry_points: [], routes: [], data_models: [], related_code: [], files_scanned: 0 });
    expect(out.feature_summary.name).toBe('Add order refunds');
    expect(out.feature_summary.scope_in).toEqual(['Customers can ask for a refund within 30 days']);
    const result = evaluateExplore(out);
    expect(result.passed).toBe(true);
    expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(progress).toEqual(['No code repository is connected: EXPLORE scans nothing and the plan is written from the request alone']);
  });
});
