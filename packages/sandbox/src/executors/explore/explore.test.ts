import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExploreOutput } from '@specline/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTree, TS_MONOREPO } from '../__fixtures__/tree';
import { runExplore } from './explore';

const spec = { id: 'spec-1', title: 'Add rate limiting to the public API', description: 'Limit each API key to 100 requests per minute and return 429 with Retry-After. Out of scope: billing for extra requests' };
const options = { maxFiles: 50_000, maxDepth: 32, ignore: [] };

describe('EXPLORE on a TypeScript npm-workspaces monorepo', () => {
  let tree: Awaited<ReturnType<typeof makeTree>>;
  let out: ExploreOutput & Record<string, unknown>;
  const progress: string[] = [];

  beforeAll(async () => {
    tree = await makeTree(TS_MONOREPO);
    out = (await runExplore(tree.root, spec, { ...options, progress: (m) => progress.push(m) }));
  });
  afterAll(() => tree.cleanup());

  it('validates against the protocol schema and says it is the planner', () => {
    expect(ExploreOutput.safeParse(out).success).toBe(true);
    expect(out['generated_by']).toBe('planner');
  });

  it('counts languages by file extension, TypeScript first', () => {
    expect(out.languages?.[0]).toEqual({ name: 'TypeScript', files: 16 });
    expect(out.tech_stack[0]).toBe('TypeScript');
  });

  it('never enters node_modules, .git, dist or coverage', () => {
    expect(out.files_scanned).toBe(25);
    const seen = JSON.stringify([out.key_files, out.entry_points, out.structure, out.manifests?.map((m) => m.path)]);
    expect(seen).not.toContain('node_modules');
    expect(seen).not.toMatch(/"(apps\/server\/)?dist\//);
    expect(seen).not.toContain('coverage/');
    expect(out['ignored_dirs']).toEqual(expect.arrayContaining(['.git', 'coverage', 'dist', 'node_modules']));
  });

  it('resolves npm workspaces (globs included) and parses every manifest', () => {
    expect(out.workspaces).toEqual(['apps/server', 'packages/shared', 'packages/web']);
    expect(out['workspace_tool']).toBe('npm workspaces');
    const server = out.manifests?.find((m) => m.path === 'apps/server/package.json');
    expect(server).toMatchObject({ kind: 'npm', name: '@acme/server', dependencies: ['fastify', 'ioredis', 'zod'] });
    const root = out.manifests?.find((m) => m.path === 'package.json');
    expect(root?.['dev_dependencies']).toEqual(['eslint', 'typescript', 'vitest']);
    const tsconfig = out.manifests?.find((m) => m.path === 'tsconfig.base.json');
    expect(tsconfig?.['compiler_options']).toMatchObject({ strict: true, module: 'ESNext' });
    expect(tsconfig?.['parse_error']).toBeUndefined();
  });

  it('detects frameworks from dependencies and config files', () => {
    expect(out.frameworks).toEqual(expect.arrayContaining(['Fastify', 'React', 'Vite', 'Vitest', 'zod', 'Redis (ioredis)']));
    expect(out.project_type).toContain('monorepo');
    expect(out.project_type).toContain('Fastify');
  });

  it('finds entry points from manifests (dist mapped back to src) and by name', () => {
    expect(out.entry_points).toEqual(expect.arrayContaining(['apps/server/src/main.ts', 'packages/shared/src/index.ts', 'packages/web/src/main.tsx']));
    expect(out.entry_points).not.toContain('dist/main.js');
  });

  it('describes the test layout: runner, count, placement, test dirs', () => {
    expect(out['test_runner']).toBe('Vitest');
    expect(out['test_files']).toBe(5);
    expect(out.test_structure).toMatch(/^Vitest/);
    expect(out.test_structure).toContain('*.test.ts (3)');
    expect(out['test_dirs']).toEqual(['e2e']);
    expect(out.conventions['test_placement']).toMatch(/colocated|mixed/);
  });

  it('names key files with a purpose and describes the top-level structure', () => {
    const paths = out.key_files.map((k) => k.path);
    expect(paths).toEqual(expect.arrayContaining(['README.md', 'package.json', 'tsconfig.base.json', 'vitest.config.ts', 'apps/server/package.json']));
    for (const file of out.key_files) expect(file.purpose.length).toBeGreaterThan(5);
    expect(out.structure['apps/']).toContain('server');
    expect(out.structure['packages/']).toMatch(/workspaces: shared, web/);
    expect(out.structure['apps/server/']).toContain('@acme/server');
  });

  it('reports conventions: naming style per source dir, module system, package manager', () => {
    expect(out.conventions['module_system']).toContain('ESM');
    expect(out.conventions['package_manager']).toBe('npm');
    expect(out.conventions['naming_by_source_dir']).toMatchObject({ 'apps/server/src': 'camelCase' });
    expect(out['source_dirs']).toContain('apps/server/src');
  });

  it('derives the feature summary from the title and description clauses', () => {
    expect(out.feature_summary.name).toBe('Add rate limiting to the public API');
    expect(out.feature_summary.scope_in).toEqual(['Limit each API key to 100 requests per minute', 'Return 429 with Retry-After']);
    expect(out.feature_summary.scope_out).toContain('Billing for extra requests');
    expect(progress[0]).toMatch(/^Indexed 25 files \(0 files with symbols, 0 symbols\): 0 routes, .* 5 test files in \d+ ms$/);
    expect(progress[1]).toMatch(/^Explored 25 files in \d+ ms: languages TypeScript 16/);
  });
});

describe('EXPLORE on a Python project', () => {
  let tree: Awaited<ReturnType<typeof makeTree>>;
  beforeAll(async () => {
    tree = await makeTree({
      'pyproject.toml': [
        '[project]',
        'name = "shop"',
        'dependencies = [',
        '  "fastapi>=0.110",  # web',
        '  "SQLAlchemy[asyncio]~=2.0",',
        ']',
        '[project.optional-dependencies]',
        'dev = ["pytest", "ruff"]',
        '[tool.pytest.ini_options]',
        'testpaths = ["tests"]',
      ].join('\n'),
      'requirements.txt': 'pydantic==2.7\n# comment\n-r base.txt\nuvicorn[standard]>=0.29\n',
      'shop/__init__.py': '',
      'shop/main.py': '',
      'shop/order_service.py': '',
      'shop/price_rules.py': '',
      'tests/test_orders.py': '',
      'tests/conftest.py': '',
      '.venv/lib/site.py': '',
      'shop/__pycache__/main.cpython-312.pyc': '',
    });
  });
  afterAll(() => tree.cleanup());

  it('reads pyproject and requirements.txt, finds FastAPI and pytest, snake_case and separate tests', async () => {
    const out = (await runExplore(tree.root, { id: 's', title: 'Add discounts', description: 'Apply a 10% discount to orders over 100 EUR' }, options)) as ExploreOutput & Record<string, unknown>;
    expect(ExploreOutput.safeParse(out).success).toBe(true);
    expect(out.languages?.[0]).toEqual({ name: 'Python', files: 6 });
    expect(out.files_scanned).toBe(8);
    const pyproject = out.manifests?.find((m) => m.path === 'pyproject.toml');
    expect(pyproject).toMatchObject({ name: 'shop', dependencies: ['fastapi', 'sqlalchemy'] });
    expect(pyproject?.['dev_dependencies']).toEqual(['pytest', 'ruff']);
    expect(out.manifests?.find((m) => m.path === 'requirements.txt')?.dependencies).toEqual(['pydantic', 'uvicorn']);
    expect(out.frameworks).toEqual(expect.arrayContaining(['FastAPI', 'SQLAlchemy', 'Pydantic', 'pytest']));
    expect(out['test_runner']).toBe('pytest');
    expect(out.conventions['test_placement']).toBe('separate test directories');
    expect(out.conventions['file_naming_style']).toBe('snake_case');
    expect(out.entry_points).toContain('shop/main.py');
    expect(out.project_type).toMatch(/^Python web API \(FastAPI/);
  });
});

describe('EXPLORE at scale', () => {
  let big: Awaited<ReturnType<typeof makeTree>>;
  // Building 10,000 files takes a while on a busy machine; the budget is for the setup, not a speed test.
  beforeAll(async () => {
    big = await makeTree({ 'package.json': JSON.stringify({ name: 'big', devDependencies: { jest: '29' } }) });
    for (let d = 0; d < 100; d++) {
      const dir = path.join(big.root, 'src', `module${d}`, 'nested');
      await mkdir(dir, { recursive: true });
      await Promise.all(Array.from({ length: 100 }, (_, f) => writeFile(path.join(dir, f % 10 === 0 ? `item${f}.test.ts` : `item${f}.ts`), '')));
    }
    await mkdir(path.join(big.root, 'node_modules', 'dep'), { recursive: true });
    await writeFile(path.join(big.root, 'node_modules', 'dep', 'index.js'), '');
  }, 120_000);
  afterAll(() => big.cleanup());

  it('scans a generated tree of 10,000+ files and reports the count', async () => {
    const out = await runExplore(big.root, spec, options);
    expect(out.files_scanned).toBe(10_001);
    expect(out.languages).toEqual([{ name: 'TypeScript', files: 10_000 }]);
    expect(out['test_files']).toBe(1_000);
    expect(out['test_runner']).toBe('Jest');
    expect(out['truncated']).toBe(false);
  }, 60_000);

  it('stops at the file cap, says so, and has seen the shallow files first', async () => {
    const capped = await runExplore(big.root, spec, { ...options, maxFiles: 2_500 });
    expect(capped.files_scanned).toBe(2_500);
    expect(capped['truncated']).toBe(true);
    expect(capped.manifests?.[0]?.path).toBe('package.json');
  }, 60_000);

  it('stops with the abort reason when the signal is aborted', async () => {
    const tree = await makeTree({ 'a.ts': '' });
    try {
      const controller = new AbortController();
      const reason = new Error('cancelled by test');
      controller.abort(reason);
      await expect(runExplore(tree.root, spec, { ...options, signal: controller.signal })).rejects.toBe(reason);
    } finally {
      await tree.cleanup();
    }
  });

  it('describes an empty directory as such, still valid', async () => {
    const empty = await makeTree({ 'node_modules/x/index.js': '' });
    try {
      const out = await runExplore(empty.root, spec, options);
      expect(ExploreOutput.safeParse(out).success).toBe(true);
      expect(out.files_scanned).toBe(0);
      expect(out.structure).toEqual({ '(root)': 'empty: no files outside ignored directories (a new project?)' });
      expect(out.languages).toEqual([]);
    } finally {
      await empty.cleanup();
    }
  });

  it('names the directory when the working directory cannot be read', async () => {
    await expect(runExplore('/nonexistent/planner-dir', spec, options)).rejects.toThrow(/\/nonexistent\/planner-dir/);
  });
});

describe('EXPLORE on this repository', () => {
  it('names TypeScript, the npm workspaces, vitest and real key files', async () => {
    const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');
    const out = (await runExplore(repoRoot, spec, options)) as ExploreOutput & Record<string, unknown>;
    expect(out.languages?.[0]?.name).toBe('TypeScript');
    expect(out.workspaces).toEqual(expect.arrayContaining(['packages/protocol', 'packages/sandbox', 'apps/server', 'apps/web']));
    expect(out['workspace_tool']).toBe('npm workspaces');
    expect(out['test_runner']).toBe('Vitest');
    expect(out.test_structure).toMatch(/^Vitest/);
    const keyPaths = out.key_files.map((k) => k.path);
    expect(keyPaths).toEqual(expect.arrayContaining(['package.json', 'tsconfig.base.json', 'vitest.config.ts', 'packages/protocol/package.json']));
    expect(out.frameworks).toEqual(expect.arrayContaining(['Fastify', 'React', 'Vitest', 'zod']));
    // The fixture repositories are test data: none of their facts are this repository's.
    expect(out.routes?.some((r) => r.file.includes('fixtures/'))).toBe(false);
    expect(out.languages?.some((l) => l.name === 'Java')).toBe(false);
  }, 60_000); // indexing the whole repository on a busy machine: a budget, not a speed test
});
