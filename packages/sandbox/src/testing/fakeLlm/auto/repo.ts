/**
 * Facts the auto agent draws from a file list: source files and their dominant extension, the
 * naming style of a directory, where tests live and how they are named, the test runner, the stack.
 */
import { featureWords, toCase } from '../../../executors/text';

const SOURCE_EXT = new Set(['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.py', '.go', '.rs', '.java', '.kt', '.rb', '.php', '.cs', '.swift', '.scala', '.vue', '.svelte']);
const SKIP_DIR = /(^|\/)(node_modules|dist|build|coverage|vendor|target|\.git|\.next|__pycache__)(\/|$)/;
const STOPWORDS = new Set([
  'the', 'and', 'with', 'that', 'this', 'from', 'into', 'when', 'then', 'each', 'every', 'shall', 'should', 'must', 'will', 'have', 'has',
  'their', 'they', 'them', 'there', 'which', 'while', 'where', 'after', 'before', 'system', 'feature', 'user', 'users', 'phase', 'output',
  'requirements', 'design', 'tasks', 'explore', 'json', 'schema', 'write', 'return', 'returns', 'make', 'add', 'support', 'allow', 'able',
  'about', 'over', 'under', 'only', 'also', 'more', 'than', 'your', 'same', 'such', 'what', 'using', 'used', 'within', 'without',
]);

export function extOf(path: string): string {
  const base = path.split('/').pop() ?? path;
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

export function dirOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

export function baseOf(path: string): string {
  const base = path.split('/').pop() ?? path;
  const ext = extOf(base);
  return ext ? base.slice(0, -ext.length) : base;
}

export function isTestFile(path: string): boolean {
  return /(^|\/)(__tests__|tests?|spec)\//.test(path) || /\.(test|spec)\.[a-z]+$/i.test(path) || /_test\.go$/.test(path) || /(^|\/)test_[^/]+\.py$/.test(path);
}

export function sourceFiles(files: readonly string[]): string[] {
  return files.filter((f) => SOURCE_EXT.has(extOf(f)) && !SKIP_DIR.test(f) && !/\.d\.ts$/.test(f) && !/(^|\/)[^/]*\.config\.[a-z]+$/.test(f));
}

export function dominantExt(files: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const f of sourceFiles(files).filter((f) => !isTestFile(f))) counts.set(extOf(f), (counts.get(extOf(f)) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? '.ts';
}

/** The file-naming style of the source files in `dir` (camelCase when it cannot tell). */
export function namingStyle(files: readonly string[], dir: string): string {
  const names = sourceFiles(files)
    .filter((f) => dirOf(f) === dir && !isTestFile(f))
    .map(baseOf)
    .filter((b) => /[a-z]/.test(b) && b !== 'index');
  if (names.some((n) => n.includes('-'))) return 'kebab-case';
  if (names.some((n) => n.includes('_'))) return 'snake_case';
  if (names.some((n) => /^[A-Z]/.test(n))) return 'PascalCase';
  if (names.some((n) => /[a-z][A-Z]/.test(n))) return 'camelCase';
  return extOf(names[0] ?? '') === '.py' ? 'snake_case' : 'camelCase';
}

/** A new file for `words` in `dir`, named in that directory's style. */
export function newFilePath(files: readonly string[], dir: string, words: readonly string[], ext: string): string {
  const style = ext === '.py' || ext === '.rb' || ext === '.rs' ? 'snake_case' : ext === '.go' ? 'lowercase' : namingStyle(files, dir);
  const at = (w: readonly string[]) => `${dir ? `${dir}/` : ''}${toCase(w, style)}${ext}`;
  return files.includes(at(words)) ? at([...words, 'core']) : at(words);
}

/** The test file for `path`, following the convention the existing tests use. */
export function testPathFor(files: readonly string[], path: string): string {
  const ext = extOf(path);
  const dir = dirOf(path);
  const base = baseOf(path);
  if (ext === '.go') return `${dir ? `${dir}/` : ''}${base}_test.go`;
  if (ext === '.py') {
    const testsDir = files.find((f) => /(^|\/)tests\/test_[^/]+\.py$/.test(f));
    return testsDir ? `${dirOf(testsDir)}/test_${base}.py` : `${dir ? `${dir}/` : ''}test_${base}.py`;
  }
  const tests = files.filter(isTestFile);
  const spec = tests.filter((f) => /\.spec\.[a-z]+$/.test(f)).length > tests.filter((f) => /\.test\.[a-z]+$/.test(f)).length;
  const inTestsDir = tests.find((f) => /(^|\/)__tests__\//.test(f));
  const suffix = `${spec ? '.spec' : '.test'}${ext}`;
  if (inTestsDir && !tests.some((f) => dirOf(f) === dir)) return `${dir ? `${dir}/` : ''}__tests__/${base}${suffix}`;
  return `${dir ? `${dir}/` : ''}${base}${suffix}`;
}

const RUNNERS = ['Vitest', 'Jest', 'Mocha', 'pytest', 'unittest', 'go test', 'cargo test', 'JUnit', 'RSpec', 'PHPUnit', 'Playwright'];

/** The test runner: as the prompt's repository overview states it (`- Runner: Vitest`), else from the file names. */
export function testRunner(files: readonly string[], overview = ''): string {
  const stated = /\brunner\b\s*[:=]\s*\**\s*([A-Za-z][\w .-]{1,30}?)\s*(?:[,(\n]|$)/im.exec(overview)?.[1]?.trim();
  const known = (name: string | undefined) => RUNNERS.find((r) => name !== undefined && r.toLowerCase() === name.toLowerCase());
  if (known(stated)) return known(stated)!;
  // Else the runner the overview names first (`Frameworks: Fastify, Vitest`).
  const named = RUNNERS.map((r) => ({ r, at: overview.search(new RegExp(`(?<![\\w-])${r.replace(' ', '\\s+')}(?![\\w-])`, 'i')) }))
    .filter((x) => x.at >= 0)
    .sort((a, b) => a.at - b.at)[0];
  if (named) return named.r;
  const has = (re: RegExp) => files.some((f) => re.test(f));
  if (has(/(^|\/)vitest\.config\.[a-z]+$/) || has(/(^|\/)vite\.config\.[a-z]+$/)) return 'Vitest';
  if (has(/(^|\/)jest\.config\.[a-z]+$/)) return 'Jest';
  if (has(/(^|\/)(pytest\.ini|conftest\.py|pyproject\.toml)$/)) return 'pytest';
  if (has(/(^|\/)go\.mod$/)) return 'go test';
  if (has(/(^|\/)Cargo\.toml$/)) return 'cargo test';
  if (has(/\.(test|spec)\.[jt]sx?$/)) return 'the existing JavaScript test runner';
  return 'the existing test runner';
}

export function techStack(files: readonly string[], overview = ''): string[] {
  const has = (re: RegExp) => files.some((f) => re.test(f));
  const exts = new Set(sourceFiles(files).map(extOf));
  const out: string[] = [];
  if (exts.has('.ts') || exts.has('.tsx') || has(/(^|\/)tsconfig[^/]*\.json$/)) out.push('TypeScript');
  if (has(/(^|\/)package\.json$/)) out.push('Node.js');
  if (exts.has('.py')) out.push('Python');
  if (exts.has('.go')) out.push('Go');
  if (exts.has('.rs')) out.push('Rust');
  if (exts.has('.java') || exts.has('.kt')) out.push('JVM');
  if (exts.has('.rb')) out.push('Ruby');
  if (exts.has('.tsx') || exts.has('.jsx')) out.push('React');
  const runner = testRunner(files, overview);
  if (!runner.startsWith('the ')) out.push(runner);
  if (out.length === 0 && exts.has('.js')) out.push('JavaScript');
  return out;
}

/** A word from the brief to search the code for: one that also names a file, else the longest. */
export function keywordFor(text: string, files: readonly string[]): string {
  const words = [...new Set(text.toLowerCase().match(/[a-z][a-z0-9]{3,}/g) ?? [])].filter((w) => !STOPWORDS.has(w));
  const inPaths = words.filter((w) => files.some((f) => f.toLowerCase().includes(w)));
  const pick = inPaths[0] ?? [...words].sort((a, b) => b.length - a.length)[0];
  return pick ?? featureWords(text, 1)[0] ?? 'main';
}

/** The file to read first: a source file named after the keyword, else an entry point, else a README. */
export function pickReadPath(files: readonly string[], keyword: string): string | undefined {
  const sources = sourceFiles(files).filter((f) => !isTestFile(f) && !/(^|\/)__init__\.py$/.test(f));
  const k = keyword.toLowerCase();
  return (
    sources.find((f) => baseOf(f).toLowerCase().includes(k)) ??
    sources.find((f) => f.toLowerCase().includes(k)) ??
    sources.find((f) => /(^|\/)(index|main|app|server|cli)\.[a-z]+$/.test(f)) ??
    sources[0] ??
    files.find((f) => /readme/i.test(f)) ??
    files[0]
  );
}

/** Whether the project or the brief is about an HTTP service. */
export function looksHttp(files: readonly string[], text: string): boolean {
  return (
    /\b(?:HTTP|https?|endpoints?|routes?|REST|status code|headers?|(?:GET|POST|PUT|PATCH|DELETE) \/)/i.test(text) ||
    /\b(?:return|respond|answer)s?\s+(?:with\s+)?(?:HTTP\s+)?[1-5]\d\d\b/i.test(text) ||
    files.some((f) => /(^|\/)(routes?|controllers?|handlers?|api|server|plugins?)(\/|\.)/i.test(f))
  );
}

/** Exported names of a source file (JavaScript/TypeScript exports, Python top-level defs, exported Go funcs). */
export function exportsOf(content: string): string[] {
  const js = [...content.matchAll(/\bexport\s+(?:default\s+)?(?:async\s+)?(?:function|class|const|interface|type)\s+([A-Za-z_$][\w$]*)/g)].map((m) => m[1]!);
  const py = [...content.matchAll(/^(?:async\s+)?(?:def|class)\s+([A-Za-z]\w*)/gm)].map((m) => m[1]!);
  const go = [...content.matchAll(/^func\s+(?:\([^)]*\)\s*)?([A-Z]\w*)/gm)].map((m) => m[1]!);
  return [...new Set([...js, ...py, ...go])].slice(0, 4);
}

/** HTTP routes declared in source text: `app.post('/api/login'`, `router.get("/x"`, `@app.post("/x")`. */
export function routesIn(content: string): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  const patterns = [/\b\w+\.(get|post|put|patch|delete)\(\s*['"`](\/[^'"`]*)['"`]/gi, /@\w+\.(get|post|put|patch|delete)\(\s*['"](\/[^'"]*)['"]/gi];
  for (const pattern of patterns) {
    for (const m of content.matchAll(pattern)) {
      const route = { method: m[1]!.toUpperCase(), path: m[2]! };
      if (!out.some((r) => r.method === route.method && r.path === route.path)) out.push(route);
    }
  }
  return out;
}
