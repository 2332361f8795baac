/** The test runner, its command and the test layout, from manifests, configs, imports and file names. Pure: no I/O. */
import { frameworkFor, TEST_RUNNER_CONFIGS } from './catalog';
import { basenameOf, dirnameOf, extensionOf, inTestDir, isTestFileName, testPatternOf } from './languages';
import type { ManifestFact, TestLayoutFact } from './types';
import type { Collected } from './resolve';

const RUNNER_PREFERENCE = ['Vitest', 'Jest', 'Mocha', 'AVA', 'node:test', 'tap', 'bun test', 'pytest', 'unittest', 'go test', 'cargo test', 'JUnit 5', 'JUnit 4', 'TestNG', 'Spock', 'RSpec', 'Minitest', 'PHPUnit', 'Karma', 'Playwright', 'Cypress'];
const NOT_RUNNERS: ReadonlySet<string> = new Set(['testify', 'Ginkgo', 'Testing Library', 'globals']);

function testCommand(runner: string | null, manifests: readonly ManifestFact[], files: ReadonlySet<string>): string | null {
  if (!runner) return null;
  const rootNpm = manifests.find((m) => m.kind === 'npm' && dirnameOf(m.path) === '');
  const pm = files.has('pnpm-lock.yaml') ? 'pnpm' : files.has('yarn.lock') ? 'yarn' : files.has('bun.lockb') || files.has('bun.lock') ? 'bun' : 'npm';
  switch (runner) {
    case 'Vitest':
    case 'Jest':
    case 'Mocha':
    case 'AVA':
    case 'node:test':
    case 'tap':
      if (rootNpm?.scripts?.['test'] && !/no test specified/.test(rootNpm.scripts['test'])) return `${pm} test`;
      return runner === 'Vitest' ? 'npx vitest run' : runner === 'Jest' ? 'npx jest' : runner === 'Mocha' ? 'npx mocha' : runner === 'AVA' ? 'npx ava' : runner === 'tap' ? 'npx tap' : 'node --test';
    case 'bun test':
      return 'bun test';
    case 'pytest':
      return files.has('uv.lock') ? 'uv run pytest' : files.has('poetry.lock') ? 'poetry run pytest' : 'pytest';
    case 'unittest':
      return 'python -m unittest';
    case 'go test':
      return 'go test ./...';
    case 'cargo test':
      return 'cargo test';
    case 'JUnit 5':
    case 'JUnit 4':
    case 'TestNG':
    case 'Spock':
      if (manifests.some((m) => m.kind === 'maven')) return files.has('mvnw') ? './mvnw test' : 'mvn test';
      if (manifests.some((m) => m.kind === 'gradle')) return files.has('gradlew') ? './gradlew test' : 'gradle test';
      return null;
    case 'RSpec':
      return 'bundle exec rspec';
    case 'Minitest':
      return files.has('bin/rails') ? 'bin/rails test' : 'bundle exec rake test';
    case 'PHPUnit':
      return 'vendor/bin/phpunit';
    default:
      return null;
  }
}

export function resolveTests(collected: Collected): TestLayoutFact {
  const files = collected.files.filter((f) => !f.fixture && !f.vendored && !f.generated && f.language !== null && isTestFileName(f.path));
  const votes = new Map<string, number>();
  const vote = (runner: string, n = 1) => votes.set(runner, (votes.get(runner) ?? 0) + n);
  const declared = new Set<string>();
  for (const m of collected.manifests) {
    for (const dep of [...m.dependencies, ...(m.devDependencies ?? [])]) {
      const fw = frameworkFor(dep);
      if (fw?.role === 'test') declared.add(fw.name);
    }
    for (const script of Object.values(m.scripts ?? {})) {
      if (/\bvitest\b/.test(script)) declared.add('Vitest');
      if (/\bjest\b/.test(script)) declared.add('Jest');
      if (/\bmocha\b/.test(script)) declared.add('Mocha');
      if (/\bnode\s+(--[\w-]+\s+)*--test\b/.test(script)) declared.add('node:test');
    }
  }
  for (const f of collected.files) {
    if (f.fixture || f.vendored || f.path.split('/').length > 4) continue;
    const config = TEST_RUNNER_CONFIGS.find((c) => c.pattern.test(basenameOf(f.path)));
    if (config) declared.add(config.runner);
  }
  for (const f of files) {
    const signals = collected.raw.get(f.path)?.testSignals ?? [];
    for (const s of signals) {
      if (s === 'globals') {
        const guess = ['Jest', 'Vitest', 'Mocha'].find((r) => declared.has(r));
        if (guess) vote(guess);
      } else if (!NOT_RUNNERS.has(s)) vote(s);
    }
    const ext = extensionOf(f.path);
    if (signals.length === 0) {
      if (ext === 'py') vote(declared.has('pytest') ? 'pytest' : 'unittest', 0.5);
      if (ext === 'go') vote('go test');
      if (ext === 'rs') vote('cargo test');
      if (/_spec\.rb$/.test(f.path)) vote('RSpec', 0.5);
      if (/_test\.rb$/.test(f.path)) vote('Minitest', 0.5);
    }
  }
  // conftest.py files are pytest even when no test imports pytest.
  for (const r of collected.raw.values()) {
    // conftest.py and pytest imports outside test files (plugins, fixtures) still say pytest.
    if (r.testSignals?.includes('pytest')) declared.add('pytest');
    if (r.testSignals?.includes('cargo test')) declared.add('cargo test');
  }
  for (const runner of declared) if (!votes.has(runner)) votes.set(runner, 0);
  if (votes.has('pytest') && votes.has('unittest') && declared.has('pytest')) {
    votes.set('pytest', votes.get('pytest')! + votes.get('unittest')!);
    votes.delete('unittest');
  }
  if (votes.has('JUnit 5') && votes.has('JUnit 4') && votes.get('JUnit 4') === 0) votes.delete('JUnit 4');
  const pref = (r: string) => (RUNNER_PREFERENCE.indexOf(r) < 0 ? RUNNER_PREFERENCE.length : RUNNER_PREFERENCE.indexOf(r));
  const e2e = new Set(['Playwright', 'Cypress']);
  const runners = [...votes.keys()].filter((r) => !NOT_RUNNERS.has(r)).sort((a, b) => Number(e2e.has(a)) - Number(e2e.has(b)) || votes.get(b)! - votes.get(a)! || pref(a) - pref(b));
  const runner = runners[0] ?? null;
  let separate = 0;
  let colocated = 0;
  const dirs = new Map<string, number>();
  const patterns = new Map<string, number>();
  for (const f of files) {
    patterns.set(testPatternOf(f.path), (patterns.get(testPatternOf(f.path)) ?? 0) + 1);
    if (inTestDir(f.path)) {
      separate++;
      const segments = f.path.split('/');
      const at = segments.findIndex((s, i) => i < segments.length - 1 && /^(test|tests|__tests__|spec|e2e|integration-tests)$/.test(s));
      const dir = segments.slice(0, at + 1).join('/');
      dirs.set(dir, (dirs.get(dir) ?? 0) + 1);
    } else colocated++;
  }
  const total = files.length;
  const layout: TestLayoutFact['layout'] = total === 0 ? 'none' : separate >= total * 0.8 ? 'separate' : colocated >= total * 0.8 ? 'colocated' : 'mixed';
  const pattern = [...patterns].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? null;
  const examples: string[] = [];
  const exampleDirs = new Set<string>();
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    if (examples.length >= 3) break;
    if (exampleDirs.has(dirnameOf(f.path))) continue;
    exampleDirs.add(dirnameOf(f.path));
    examples.push(f.path);
  }
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) if (examples.length < 3 && !examples.includes(f.path)) examples.push(f.path);
  const allFiles = new Set(collected.files.map((f) => f.path));
  return {
    runner,
    runners,
    layout,
    dirs: [...dirs].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([d]) => d),
    pattern,
    files: total,
    examples,
    command: testCommand(runner, collected.manifests, allFiles),
  };
}

