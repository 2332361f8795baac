/**
 * The descriptive parts of the EXPLORE output, built from the code index's facts: key files with a
 * purpose taken from what they contain, the top-level structure, conventions, the project type and
 * the summary paragraph. Pure: no I/O.
 */
import { CONFIG_FILES, DIR_PURPOSES } from '../../codeindex/catalog';
import type { CodeIndex, LocatedFact } from '../../codeindex/types';
import { basename, depthOf, dirname, type Framework, type TestLayout } from './analyze';
import type { ManifestInfo } from './manifests';
import type { NamingStyle, ScanResult } from './scan';

export interface Facts {
  index: CodeIndex;
  scan: ScanResult;
  manifests: ManifestInfo[];
  languages: { name: string; files: number }[];
  primaryLanguage: string | undefined;
  frameworks: Framework[];
  workspaces: { tool: string | undefined; dirs: string[] };
  packageManager: string | undefined;
  tests: TestLayout;
  entryPoints: string[];
  sourceDirs: { dir: string; files: number }[];
}

function list(items: readonly string[], max = 6): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

function manifestPurpose(m: ManifestInfo, facts: Facts): string {
  const where = dirname(m.path) === '' ? 'Root' : `${dirname(m.path)}`;
  const deps = (n: number) => (m.dependencies.length > 0 ? `; depends on ${list(m.dependencies, n)}` : '');
  switch (m.kind) {
    case 'npm':
      if (m.workspaces) return `${where} npm manifest${m.name ? ` (${m.name})` : ''}: ${facts.workspaces.tool ?? 'workspaces'} ${list(m.workspaces)}${m.scripts ? `; scripts ${list(Object.keys(m.scripts), 8)}` : ''}`;
      return `npm manifest of ${m.name ?? where}${deps(5)}`;
    case 'tsconfig': {
      const options = m.compiler_options ?? {};
      const bits = [options['strict'] === true ? 'strict' : undefined, typeof options['module'] === 'string' ? `module ${options['module']}` : undefined, typeof options['extends'] === 'string' ? `extends ${options['extends']}` : undefined].filter(Boolean);
      if (m.dependencies.length > 0) bits.push(`project references: ${list(m.dependencies, 6)}`);
      return `TypeScript compiler settings${dirname(m.path) === '' ? '' : ` for ${dirname(m.path)}`}${bits.length > 0 ? ` (${bits.join(', ')})` : ''}`;
    }
    case 'pyproject':
      return `Python project metadata${m.name ? ` for ${m.name}` : ''}${deps(6)}`;
    case 'pip-requirements':
      return `Python dependencies (pip)${deps(6)}`;
    case 'go':
      return `Go module ${m.name ?? ''}${deps(4)}`.replace('  ', ' ');
    case 'cargo':
      return `Rust crate manifest${m.name ? ` (${m.name})` : ''}${m.workspaces ? `; workspace members ${list(m.workspaces)}` : ''}${deps(5)}`;
    case 'maven':
      return `Maven project${m.name ? ` ${m.name}` : ''}${deps(4)}`;
    default:
      return `${m.kind} manifest${m.name ? ` of ${m.name}` : ''}${deps(5)}`;
  }
}

const SETTINGS_KIND: Readonly<Record<string, string>> = { settings_class: 'settings class', config_struct: 'config struct', env_reader: 'reads the environment', config_file: 'configuration file' };
const AUTH_KIND: Readonly<Record<string, string>> = {
  security_config: 'security configuration', security_filter_chain: 'security filter chain', security_scheme: 'security scheme', dependency: 'dependency',
  middleware: 'middleware', guard: 'guard', filter: 'filter', decorator: 'decorator', before_action: 'before_action filter',
};
const ENTRY_KIND: Readonly<Record<string, string>> = {
  spring_boot_application: '@SpringBootApplication class', go_cmd: 'Go command (func main)', main: 'main function', python_main: 'runs when executed as a script (__main__)',
  asgi_app: 'ASGI application', wsgi_app: 'WSGI application', django_manage: 'Django management entry point', server_listen: 'starts the HTTP server (listen)',
  package_bin: 'package executable', start_script: 'started by the start script', package_main: 'package entry (main)', rack_config: 'Rack application config',
};

function located(facts: readonly LocatedFact[], kinds: Readonly<Record<string, string>>): string {
  return list(facts.map((f) => `${f.name} (${kinds[f.kind] ?? f.kind})`), 4);
}

/** What a file contains, from the index: its routes, models, settings, auth, entry point kind, doc line. */
export function contentPurpose(index: CodeIndex, file: string): string | undefined {
  const parts: string[] = [];
  const entry = index.facts.entryPoints.filter((e) => e.path === file);
  if (entry.length > 0) parts.push(`Entry point: ${entry.map((e) => ENTRY_KIND[e.kind] ?? e.kind).join(', ')}`);
  const routes = index.facts.routes.filter((r) => r.file === file);
  if (routes.length > 0) parts.push(`HTTP routes (${routes[0]!.framework}): ${list(routes.map((r) => `${r.method} ${r.path}`), 4)}`);
  const models = index.facts.models.filter((m) => m.file === file);
  if (models.length > 0) parts.push(`Data models (${models[0]!.framework}): ${list(models.map((m) => m.name), 6)}`);
  const settings = index.facts.settings.filter((s) => s.file === file);
  if (settings.length > 0) parts.push(`Settings: ${located(settings, SETTINGS_KIND)}`);
  const auth = index.facts.auth.filter((a) => a.file === file);
  if (auth.length > 0) parts.push(`Authentication: ${located(auth, AUTH_KIND)}`);
  const doc = index.file(file)?.doc;
  if (parts.length === 0 && !doc) return undefined;
  return [...parts, ...(doc ? [doc.replace(/\.$/, '')] : [])].join('; ');
}

export function keyFiles(facts: Facts, max = 40): { path: string; purpose: string }[] {
  const out: { path: string; purpose: string }[] = [];
  const { index } = facts;
  const add = (file: string, purpose: string) => {
    if (!out.some((k) => k.path === file)) out.push({ path: file, purpose });
  };
  const fixtures = new Set(index.files.filter((f) => f.fixture || f.vendored).map((f) => f.path));
  const files = facts.scan.files.filter((f) => !fixtures.has(f));
  for (const file of files.filter((f) => depthOf(f) <= 2 && /^readme(\.[a-z]+)?$/i.test(basename(f)))) {
    add(file, dirname(file) === '' ? 'Project overview and setup instructions' : `Overview of ${dirname(file)}`);
  }
  for (const file of files.filter((f) => depthOf(f) === 1 && /^(contributing|architecture|design)(\.[a-z]+)?$/i.test(f))) {
    add(file, /^contributing/i.test(file) ? 'Contribution guidelines' : 'Architecture and design notes');
  }
  const tsconfigs = facts.manifests.filter((m) => m.kind === 'tsconfig');
  for (const m of facts.manifests) {
    if (m.kind === 'tsconfig' && depthOf(m.path) > 1 && tsconfigs.indexOf(m) > 3) continue;
    add(m.path, manifestPurpose(m, facts));
  }
  for (const file of files.filter((f) => depthOf(f) <= 2)) {
    const config = CONFIG_FILES.find((c) => c.pattern.test(basename(file)));
    if (config) add(file, dirname(file) === '' ? config.purpose : `${config.purpose} for ${dirname(file)}`);
  }
  // The files the code facts point at, each with what it holds.
  const factFiles = [
    ...facts.entryPoints,
    ...index.facts.settings.filter((s) => s.kind !== 'config_file').map((s) => s.file),
    ...index.facts.auth.map((a) => a.file),
    ...index.facts.models.map((m) => m.file),
    ...index.facts.routes.map((r) => r.file),
    ...index.facts.settings.filter((s) => s.kind === 'config_file').map((s) => s.file),
  ];
  let factCount = 0;
  for (const file of factFiles) {
    if (factCount >= 20 || out.some((k) => k.path === file)) continue;
    const purpose = contentPurpose(index, file) ?? (facts.entryPoints.includes(file) ? 'Entry point' : undefined);
    if (!purpose) continue;
    add(file, purpose);
    factCount++;
  }
  for (const file of files.filter((f) => depthOf(f) === 3)) {
    const config = CONFIG_FILES.find((c) => c.pattern.test(basename(file)));
    if (config) add(file, `${config.purpose} for ${dirname(file)}`);
  }
  for (const file of files.filter((f) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(f) || /^\.ci\/[^/]+$/.test(f))) add(file, `CI: ${basename(file)}`);
  for (const file of index.facts.tests.examples) add(file, `Test (${index.facts.tests.runner ?? 'tests'}), an example of the test style`);
  for (const file of files.filter((f) => /^docs?\/[^/]+\.md$/i.test(f)).slice(0, 6)) add(file, `Documentation: ${basename(file).replace(/\.md$/i, '')}`);
  return out.slice(0, max);
}

export function structure(facts: Facts): Record<string, string> {
  const out: Record<string, string> = {};
  const { scan, workspaces } = facts;
  const rootFiles = [...scan.topLevel].filter(([, v]) => v.kind === 'file').map(([k]) => k).sort();
  const dirs = [...scan.topLevel].filter(([, v]) => v.kind === 'dir').sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [name, info] of dirs) {
    const children = workspaces.dirs.filter((w) => w.startsWith(`${name}/`)).map((w) => w.slice(name.length + 1));
    const subdirs = children.length > 0 ? children : [...scan.dirFiles.keys()].filter((k) => k.startsWith(`${name}/`)).map((k) => k.slice(name.length + 1));
    const purpose = children.length > 0 ? `${DIR_PURPOSES[name] ?? 'workspaces'} (workspaces: ${list(children, 8)})` : (DIR_PURPOSES[name] ?? 'project files');
    const sub = children.length === 0 && subdirs.length > 0 ? `; contains ${list(subdirs.sort(), 6)}` : '';
    out[`${name}/`] = `${purpose}; ${plural(info.files, 'file')}${sub}`;
  }
  for (const dir of workspaces.dirs) {
    const manifest = facts.manifests.find((m) => m.kind === 'npm' && dirname(m.path) === dir) ?? facts.manifests.find((m) => dirname(m.path) === dir);
    const roles = facts.frameworks.filter((f) => f.sources.some((s) => dirname(s) === dir) && f.role !== 'build').map((f) => f.name);
    const count = scan.dirFiles.get(dir) ?? scan.files.filter((f) => f.startsWith(`${dir}/`)).length;
    out[`${dir}/`] = `workspace${manifest?.name ? ` ${manifest.name}` : ''}${roles.length > 0 ? ` using ${list(roles, 5)}` : ''}; ${plural(count, 'file')}`;
  }
  if (rootFiles.length > 0) out['(root)'] = `${plural(rootFiles.length, 'top-level file')}: ${list(rootFiles, 10)}`;
  else if (scan.files_scanned === 0) out['(root)'] = 'empty: no files outside ignored directories (a new project?)';
  return out;
}

const STYLE_ORDER: readonly NamingStyle[] = ['camelCase', 'kebab-case', 'snake_case', 'PascalCase', 'lowercase'];

/** The most common file-name style among multi-word source file names (single words say nothing about style). */
export function dominantNaming(scan: ScanResult): { style: NamingStyle; count: number; multiWord: number; files: number } | undefined {
  let total = 0;
  let best: { style: NamingStyle; count: number } | undefined;
  for (const style of STYLE_ORDER) {
    const count = scan.naming.get(style) ?? 0;
    total += count;
    if (style !== 'lowercase' && count > 0 && (!best || count > best.count)) best = { style, count };
  }
  if (!best) return total > 0 ? { style: 'lowercase', count: total, multiWord: 0, files: total } : undefined;
  const single = scan.naming.get('lowercase') ?? 0;
  return { style: best.style, count: best.count, multiWord: total - single, files: total };
}

export function testPlacement(tests: TestLayout): string {
  if (tests.files === 0) return 'none found';
  if (tests.colocated >= tests.files * 0.8) return 'colocated next to the source files';
  if (tests.separate >= tests.files * 0.8) return 'separate test directories';
  return 'mixed: colocated unit tests and separate test directories';
}

export function testStructure(tests: TestLayout): string {
  if (tests.files === 0) return tests.runner ? `${tests.runner} is configured but no test files were found${tests.command ? ` (run with \`${tests.command}\`)` : ''}` : 'No test files and no test runner found';
  const patterns = tests.patterns.slice(0, 4).map((p) => `${p.pattern} (${p.files})`).join(', ');
  const dirs = tests.dirs.length > 0 ? `; test directories: ${tests.dirs.slice(0, 5).map((d) => `${d.dir}/ (${d.files})`).join(', ')}` : '';
  const runners = tests.runners.length > 1 ? ` (also ${tests.runners.filter((r) => r !== tests.runner).join(', ')})` : '';
  const command = tests.command ? `; run with \`${tests.command}\`` : '';
  return `${tests.runner ?? 'Unknown runner'}${runners}: ${plural(tests.files, 'test file')} named ${patterns}; placement: ${testPlacement(tests)}${dirs}${command}`;
}

export function conventions(facts: Facts): Record<string, unknown> {
  const naming = dominantNaming(facts.scan);
  const root = facts.manifests.find((m) => m.kind === 'npm' && dirname(m.path) === '');
  const tsconfig = facts.manifests.find((m) => m.kind === 'tsconfig' && m.compiler_options?.['strict'] !== undefined);
  const eslint = facts.scan.files.find((f) => depthOf(f) <= 2 && /^(eslint\.config\.[cm]?[jt]s|\.eslintrc(\.[a-z]+)?)$/.test(basename(f)));
  const prettier = facts.scan.files.find((f) => depthOf(f) <= 2 && /^(\.prettierrc(\.[a-z]+)?|prettier\.config\.[cm]?js)$/.test(basename(f)));
  const patterns: string[] = [];
  if (facts.workspaces.dirs.length > 0) patterns.push(`Monorepo: ${facts.workspaces.tool ?? 'workspaces'} with ${plural(facts.workspaces.dirs.length, 'workspace')}`);
  for (const f of facts.frameworks.filter((x) => x.role === 'http' || x.role === 'frontend' || x.role === 'data' || x.role === 'validation')) {
    patterns.push(`${f.name} (${f.role}) declared in ${list(f.sources, 3)}`);
  }
  if (facts.tests.files > 0) patterns.push(`Tests ${testPlacement(facts.tests)}`);
  const moduleSystem = root?.module_system === 'ESM' ? 'ESM ("type": "module" in package.json)' : root?.module_system ?? facts.manifests.find((m) => m.module_system)?.module_system;
  return {
    ...(naming
      ? {
          naming:
            naming.multiWord === 0
              ? `single-word lower-case file names (${plural(naming.files, 'source file')})`
              : `${naming.style} file names (${naming.count} of ${plural(naming.multiWord, 'multi-word source file name')}; ${naming.files - naming.multiWord} more are single words)`,
        }
      : {}),
    ...(naming ? { file_naming_style: naming.style } : {}),
    testing: testStructure(facts.tests),
    test_placement: testPlacement(facts.tests),
    ...(moduleSystem ? { module_system: moduleSystem } : {}),
    ...(tsconfig ? { type_checking: `TypeScript ${tsconfig.compiler_options?.['strict'] === true ? 'strict mode' : 'non-strict'} (${tsconfig.path})` } : {}),
    ...(facts.packageManager ? { package_manager: facts.packageManager } : {}),
    ...(eslint ? { linting: `ESLint (${eslint})` } : {}),
    ...(prettier ? { formatting: `Prettier (${prettier})` } : {}),
    patterns,
  };
}

export function projectType(facts: Facts): string {
  const language = facts.primaryLanguage ?? 'Unknown-language';
  const roles = new Set(facts.frameworks.map((f) => f.role));
  const named = (role: string) => facts.frameworks.filter((f) => f.role === role).map((f) => f.name);
  const parts: string[] = [];
  if (roles.has('http')) parts.push(`web API (${list(named('http'), 3)})`);
  if (roles.has('frontend')) parts.push(`web front end (${list(named('frontend').slice(0, 2), 2)})`);
  if (roles.has('cli') || facts.manifests.some((m) => m.entries?.some((e) => e.includes('bin')))) parts.push('CLI');
  const kind = parts.length > 0 ? parts.join(' + ') : facts.manifests.length > 0 ? 'library' : 'codebase';
  return facts.workspaces.dirs.length > 0
    ? `${language} monorepo (${facts.workspaces.tool ?? 'workspaces'}, ${plural(facts.workspaces.dirs.length, 'workspace')}): ${kind}`
    : `${language} ${kind}`;
}

/** `A Python FastAPI service`, `A TypeScript React web app`, … (without the article when `bare`). */
export function serviceKind(facts: Facts): string {
  const language = facts.primaryLanguage ?? 'Unknown-language';
  const named = (role: string) => facts.frameworks.filter((f) => f.role === role).map((f) => f.name);
  const http = named('http').filter((n) => !/^JWT|Passport|Socket\.IO|Spring Security|Devise/.test(n));
  if (http.length > 0) return `${language} ${http[0]!} service`;
  if (named('frontend').length > 0) return `${language} ${named('frontend')[0]!} web app`;
  if (named('cli').length > 0 || facts.manifests.some((m) => m.entries?.some((e) => e.includes('bin')))) return `${language} command-line tool`;
  return facts.manifests.length > 0 ? `${language} library` : `${language} code base`;
}

function article(phrase: string): string {
  return /^[AEIOU]/.test(phrase) && !/^(Uni|Use)/.test(phrase) ? `An ${phrase}` : `A ${phrase}`;
}

function routeExamples(index: CodeIndex, max: number): string[] {
  const picked: string[] = [];
  const seenFiles = new Set<string>();
  for (const r of index.facts.routes) {
    if (picked.length >= max) break;
    if (seenFiles.has(r.file)) continue;
    seenFiles.add(r.file);
    picked.push(`${r.method} ${r.path}`);
  }
  return picked;
}

export function codebaseSummary(facts: Facts, name: string | undefined): string {
  const { index } = facts;
  const langs = facts.languages.slice(0, 5).map((l) => `${l.name} (${l.files})`).join(', ');
  const models = index.facts.models;
  const modelFrameworks = [...new Set(models.map((m) => m.framework))];
  const first =
    facts.workspaces.dirs.length > 0
      ? `${name ? `"${name}" is a` : 'A'} ${projectType(facts)}.`
      : `${article(serviceKind(facts))}${name ? ` ("${name}")` : ''}${models.length > 0 ? ` with ${list(modelFrameworks, 2)} data models` : ''}.`;
  const sentences = [first];
  const routes = index.facts.routes;
  if (routes.length > 0) {
    const frameworks = [...new Set(routes.map((r) => r.framework))];
    sentences.push(`${plural(routes.length, 'HTTP route')} (${list(frameworks, 3)}), e.g. ${list(routeExamples(index, 4), 4)}.`);
  }
  if (models.length > 0) {
    const modelFiles = [...new Set(models.map((m) => m.file))];
    const where = modelFiles.length <= 3 ? modelFiles : [...new Set(models.map((m) => dirname(m.file) || m.file))];
    sentences.push(`Data models: ${list(models.map((m) => m.name), 8)} (${list(where, 3)}).`);
  }
  const settings = index.facts.settings.filter((s) => s.kind !== 'config_file');
  if (settings.length > 0) sentences.push(`Settings: ${list(settings.map((s) => `${s.name} in ${s.file}`), 3)}.`);
  if (index.facts.auth.length > 0) sentences.push(`Authentication: ${list(index.facts.auth.map((a) => `${a.name} (${AUTH_KIND[a.kind] ?? a.kind}, ${a.file})`), 3)}.`);
  sentences.push(`Tests: ${testStructure(facts.tests)}.`);
  if (facts.entryPoints.length > 0) sentences.push(`Entry points include ${list(facts.entryPoints, 4)}.`);
  sentences.push(
    `Static analysis by the deterministic planner indexed ${plural(facts.scan.files_scanned, 'file')} in ${plural(facts.scan.dirs_scanned, 'directory').replace('directorys', 'directories')}${facts.scan.truncated ? ' (stopped at the file cap)' : ''}; languages by file count: ${langs || 'none recognised'}.`,
  );
  if (facts.workspaces.dirs.length > 0) sentences.push(`Workspaces: ${list(facts.workspaces.dirs, 8)}.`);
  const fw = facts.frameworks.filter((f) => f.role !== 'build').map((f) => f.name);
  if (fw.length > 0) sentences.push(`Frameworks and libraries: ${list(fw, 10)}.`);
  return sentences.join(' ');
}
