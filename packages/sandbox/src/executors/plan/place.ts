/**
 * Where new files go: where the repository keeps files of that role, named as their neighbours are.
 * A new file for a resource copies the path of the analogous file of an existing resource
 * (`OwnerController.java` → `VisitController.java`, `tests/api/test_items.py` → `tests/api/test_orders.py`);
 * a file with no analogue goes into the directory that holds that role (routers, middleware, services)
 * in the language's naming. Tests follow the repository's layout and file pattern.
 */
import type { Grounding, Role } from './ground';
import { dirsOf } from './ground';
import { baseName, concept, concepts, dirName, extOf, inStyle, styleOf, substituteName, type NameStyle } from './words';

export interface Placed {
  path: string;
  change: 'modify' | 'create';
  /** Why here: "next to the other routers in src/shop/api/routes", "the test of src/routes/posts.ts". */
  reason: string;
}

/** The naming style for several-word file names in `dir` (from its files), else the language's. */
export function styleIn(g: Grounding, dir: string): NameStyle {
  const counts = new Map<NameStyle, number>();
  for (const file of g.repo.sourceFiles) {
    if (dirName(file) !== dir && !dirName(file).startsWith(`${dir}/`)) continue;
    const style = styleOf(baseName(file));
    if (style) counts.set(style, (counts.get(style) ?? 0) + 1);
  }
  const local = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
  if (local && !(g.repo.ext === 'java' && local !== 'PascalCase')) return local;
  return languageStyle(g.repo.ext);
}

export function languageStyle(ext: string): NameStyle {
  switch (ext) {
    case 'py':
    case 'rs':
    case 'rb':
      return 'snake_case';
    case 'java':
    case 'kt':
    case 'cs':
    case 'scala':
      return 'PascalCase';
    case 'go':
      return 'snake_case';
    default:
      return 'camelCase';
  }
}

function fileName(g: Grounding, dir: string, words: readonly string[], suffix = ''): string {
  const style = styleIn(g, dir);
  const name = inStyle([...words, ...(suffix ? suffix.split(' ') : [])], style);
  return `${dir === '' ? '' : `${dir}/`}${name}.${g.repo.ext}`;
}

/** Files of a role, from the facts and names the repository has. */
export function filesOfRole(g: Grounding, role: Role): string[] {
  const repo = g.repo;
  const finders: Partial<Record<Role, () => string[]>> = {
    route: () => [...new Set(repo.routes.map((r) => r.file))].filter((f) => !repo.testFiles.includes(f)),
    model: () => [...new Set(repo.models.map((m) => m.file))],
    service: () => repo.sourceFiles.filter((f) => /service|crud|usecase/i.test(baseName(f)) || /\/services?\//.test(f)),
    repository: () => repo.sourceFiles.filter((f) => /repositor|store|dao$/i.test(baseName(f))),
    middleware: () => repo.sourceFiles.filter((f) => /\/middlewares?\//.test(f) || /middleware|interceptor|guard/i.test(baseName(f)) || repo.auth.some((a) => a.file === f && a.kind === 'middleware')),
    notification: () => repo.sourceFiles.filter((f) => /e-?mail|mailer|notif/i.test(baseName(f))),
    template: () => repo.files.filter((f) => /(^|\/)templates\/.+\.(html|jinja2?|hbs|ejs|mustache)$/.test(f)),
  };
  return finders[role]?.() ?? [];
}

/** The test runner the repository uses, as people name it. */
export function testRunner(g: Grounding): string {
  const runner = g.repo.tests.runner ?? g.repo.tests.runners[0];
  if (runner) return runner;
  switch (g.repo.ext) {
    case 'py':
      return 'pytest';
    case 'java':
    case 'kt':
      return 'JUnit 5';
    case 'go':
      return 'go test';
    case 'rs':
      return 'cargo test';
    default:
      return g.repo.frameworks.find((f) => /^(vitest|jest|mocha|ava)$/i.test(f)) ?? 'Vitest';
  }
}

export function testCommand(g: Grounding): string {
  if (g.repo.tests.command) return g.repo.tests.command;
  const runner = testRunner(g).toLowerCase();
  if (runner.includes('pytest')) return 'pytest';
  if (runner.includes('unittest')) return 'python -m unittest';
  if (runner.includes('junit')) return g.repo.files.includes('build.gradle') || g.repo.files.includes('build.gradle.kts') ? './gradlew test' : './mvnw test';
  if (runner.includes('go')) return 'go test ./...';
  if (runner.includes('cargo')) return 'cargo test';
  if (runner.includes('vitest')) return 'npx vitest run';
  if (runner.includes('jest')) return 'npx jest';
  return 'npm test';
}

/** `test_items.py` → `items`; `OwnerControllerTests.java` → `OwnerController`; `posts.test.ts` → `posts`; `user_test.go` → `user`. */
export function testedName(testPath: string): string {
  return baseName(testPath).replace(/^test_/, '').replace(/_test$/, '').replace(/(?:Tests?|IT|Spec)$/, '');
}

const PACKAGE_FILES = /^(?:__init__|conftest|index|mod|package-info)$/;

/**
 * Existing tests of a source file: test files named after it, except one that sits next to another
 * source file of that name (`src/middleware/auth.test.ts` tests `src/middleware/auth.ts`, not
 * `src/routes/auth.ts`). Tests next to the source come first.
 */
export function testsOf(g: Grounding, source: string): string[] {
  const name = baseName(source).toLowerCase();
  if (PACKAGE_FILES.test(name)) return [];
  return g.repo.testFiles
    .filter((t) => testedName(t).toLowerCase() === name)
    .filter((t) => dirName(t) === dirName(source) || !g.repo.sourceFiles.some((f) => f !== source && dirName(f) === dirName(t) && baseName(f).toLowerCase() === name))
    .sort((a, b) => Number(dirName(b) === dirName(source)) - Number(dirName(a) === dirName(source)) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Test files that test something (not `__init__.py`, `conftest.py`). */
function realTests(g: Grounding): string[] {
  return g.repo.testFiles.filter((t) => !PACKAGE_FILES.test(baseName(t)));
}

/** The test directory that mirrors a source directory best: `src/shop/api` → `tests/api` when it exists. */
function mirrorDir(g: Grounding, sourceDir: string, roots: readonly string[]): string | undefined {
  const segments = sourceDir.split('/').filter((s) => s !== '');
  for (const root of roots) {
    for (let i = 0; i < segments.length; i++) {
      const candidate = `${root}/${segments.slice(i).join('/')}`;
      if (g.repo.isDir(candidate) && realTests(g).some((t) => dirName(t) === candidate)) return candidate;
    }
  }
  return undefined;
}

/** The test file pattern (`test_*.py`, `*.test.ts`, `*Tests.java`, `*_test.go`) the repository uses. */
export function testPattern(g: Grounding): string {
  if (g.repo.tests.pattern) return g.repo.tests.pattern;
  switch (g.repo.ext) {
    case 'py':
      return 'test_*.py';
    case 'java':
      return g.repo.testFiles.some((t) => /Test\.java$/.test(t)) && !g.repo.testFiles.some((t) => /Tests\.java$/.test(t)) ? '*Test.java' : '*Tests.java';
    case 'go':
      return '*_test.go';
    default: {
      const spec = g.repo.testFiles.some((t) => /\.spec\.[jt]sx?$/.test(t)) && !g.repo.testFiles.some((t) => /\.test\.[jt]sx?$/.test(t));
      return `*.${spec ? 'spec' : 'test'}.${g.repo.ext}`;
    }
  }
}

function testNameFor(g: Grounding, source: string): string {
  const stem = baseName(source);
  const pattern = testPattern(g);
  const ext = extOf(source) || g.repo.ext;
  if (pattern.startsWith('test_')) return `test_${stem}.${ext}`;
  if (/_test\./.test(pattern)) return `${stem}_test.${ext}`;
  const java = /^\*(Tests?|IT)\.(\w+)$/.exec(pattern);
  if (java) return `${stem}${java[1]!}.${java[2]!}`;
  const js = /^\*\.(test|spec)\.\w+$/.exec(pattern);
  return `${stem}.${js?.[1] ?? 'test'}.${ext}`;
}

/**
 * The test file for a source file: an existing one when the repository has it (modify); else the
 * place the test of a neighbouring file has, renamed (create); else the repository's layout.
 */
export function placeTest(g: Grounding, source: string): Placed {
  const own = testsOf(g, source);
  if (own.length > 0) return { path: own[0]!, change: 'modify', reason: `the existing test of ${source}` };
  const name = testNameFor(g, source);
  // A neighbour (same directory) with a test shows where tests of this directory go.
  const dir = dirName(source);
  const neighbours = g.repo.sourceFiles.filter((f) => dirName(f) === dir && f !== source && !PACKAGE_FILES.test(baseName(f))).sort();
  for (const neighbour of neighbours) {
    const test = testsOf(g, neighbour)[0];
    if (test) return { path: `${dirName(test) === '' ? '' : `${dirName(test)}/`}${name}`, change: 'create', reason: `next to ${test}, the test of its neighbour ${neighbour}` };
  }
  if (g.repo.ext === 'java' && /(^|\/)src\/main\//.test(source)) return { path: `${dirName(source).replace(/(^|\/)src\/main\//, '$1src/test/')}/${name}`, change: 'create', reason: 'the Maven/Gradle test tree mirrors the package' };
  if (g.repo.ext === 'go') return { path: `${dir}/${name}`, change: 'create', reason: 'Go tests sit next to the code' };
  const layout = g.repo.tests.layout;
  const testDirs = dirsOf(realTests(g));
  if (layout === 'colocated' || (layout !== 'separate' && testDirs.length === 0 && g.repo.ext !== 'py')) return { path: `${dir === '' ? '' : `${dir}/`}${name}`, change: 'create', reason: 'tests sit next to the code in this repository' };
  const rootCounts = new Map<string, number>();
  for (const t of realTests(g)) rootCounts.set(t.split('/')[0]!, (rootCounts.get(t.split('/')[0]!) ?? 0) + 1);
  const roots = [...rootCounts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([r]) => r).filter((r) => testDirs.some((d) => d === r || d.startsWith(`${r}/`)));
  const mirrored = mirrorDir(g, dir, roots);
  if (mirrored) return { path: `${mirrored}/${name}`, change: 'create', reason: `${mirrored}/ holds the tests of this part of the code` };
  const testDir = roots[0] ?? g.repo.tests.dirs[0] ?? (g.repo.ext === 'py' ? 'tests' : 'test');
  return { path: `${testDir}/${name}`, change: 'create', reason: `the repository keeps its tests in ${testDir}/` };
}

/** Directory names that hold files of a role by convention. */
const CONVENTIONAL_DIRS: Readonly<Partial<Record<Role, readonly string[]>>> = {
  route: ['routes', 'routers', 'api', 'handlers', 'controllers', 'endpoints'],
  middleware: ['middleware', 'middlewares', 'plugins', 'hooks', 'guards', 'interceptors'],
  service: ['services', 'service', 'domain', 'usecases', 'lib'],
  model: ['models', 'entities', 'db', 'schema'],
  repository: ['repositories', 'repository', 'stores', 'db'],
  job: ['jobs', 'tasks', 'workers', 'cron'],
  notification: ['notifications', 'mail', 'email', 'emails'],
  template: ['templates', 'views'],
  settings: ['config', 'core', 'settings'],
  client: ['clients', 'integrations', 'lib'],
};

/** The directory most files of a role live in; else a conventional directory of the source root that exists. */
export function roleDir(g: Grounding, role: Role): string | undefined {
  const fromFiles = dirsOf(filesOfRole(g, role))[0];
  if (fromFiles !== undefined) return fromFiles;
  for (const name of CONVENTIONAL_DIRS[role] ?? []) {
    const dir = `${g.repo.sourceRoot}/${name}`;
    if (g.repo.isDir(dir)) return dir;
  }
  return undefined;
}

/**
 * A new file for `role` named after `words`: the analogue resource's file of that role renamed
 * when there is one, else a file in the role's directory, else `fallbackDir`.
 */
export function placeNew(g: Grounding, role: Role, words: readonly string[], options: { suffix?: string; fallbackDir?: string; near?: string; analogue?: boolean } = {}): Placed {
  const analogue = options.analogue === false ? undefined : g.analogue;
  const multi = languageStyle(g.repo.ext);
  if (analogue) {
    const files = filesOfRole(g, role).filter((f) => concepts(baseName(f)).includes(analogue) && (options.near === undefined || dirName(f) === options.near));
    for (const file of files.sort()) {
      const renamed = substituteName(file, analogue, words, styleIn(g, dirName(file)) === 'lowercase' ? multi : styleIn(g, dirName(file)));
      if (renamed && renamed !== file) return { path: renamed, change: g.repo.exists(renamed) ? 'modify' : 'create', reason: `modelled on ${file}` };
    }
  }
  const dir = options.near ?? roleDir(g, role) ?? options.fallbackDir;
  if (dir !== undefined) {
    const path = fileName(g, dir, words, options.suffix);
    return { path, change: g.repo.exists(path) ? 'modify' : 'create', reason: options.near !== undefined ? `in ${dir}, next to the code it works with` : `next to the other ${roleNoun(role)} in ${dir}` };
  }
  return { path: fileName(g, g.repo.sourceRoot, words, options.suffix), change: 'create', reason: `under ${g.repo.sourceRoot}, the source directory of the code` };
}

const ROLE_NOUNS: Readonly<Partial<Record<Role, string>>> = { route: 'routers', model: 'models', service: 'services', repository: 'repositories', middleware: 'middleware', template: 'templates' };

function roleNoun(role: Role): string {
  return ROLE_NOUNS[role] ?? `${role} files`;
}

/** Does the resource word name an existing model? */
export function hasModel(g: Grounding, word: string): boolean {
  return g.repo.models.some((m) => concept(m.name) === concept(word));
}
