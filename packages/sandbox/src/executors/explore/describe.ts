/**
 * The descriptive parts of the EXPLORE output, built from facts: key files with a purpose each, the
 * top-level structure, conventions, the project type and the summary paragraph. Pure: no I/O.
 */
import { CONFIG_FILES, DIR_PURPOSES } from './catalog';
import { basename, depthOf, dirname, type Framework, type TestLayout } from './analyze';
import type { ManifestInfo } from './manifests';
import type { NamingStyle, ScanResult } from './scan';

export interface Facts {
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

export function keyFiles(facts: Facts, max = 40): { path: string; purpose: string }[] {
  const out: { path: string; purpose: string }[] = [];
  const add = (file: string, purpose: string) => {
    if (!out.some((k) => k.path === file)) out.push({ path: file, purpose });
  };
  const files = facts.scan.files;
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
  for (const file of files.filter((f) => depthOf(f) <= 3)) {
    const config = CONFIG_FILES.find((c) => c.pattern.test(basename(file)));
    if (config) add(file, dirname(file) === '' ? config.purpose : `${config.purpose} for ${dirname(file)}`);
  }
  for (const file of files.filter((f) => /^\.github\/workflows\/[^/]+\.ya?ml$/.test(f) || /^\.ci\/[^/]+$/.test(f))) add(file, `CI: ${basename(file)}`);
  const entryOf = new Map<string, string>();
  for (const m of facts.manifests) for (const entry of m.entries ?? []) entryOf.set(entry, m.name ?? dirname(m.path));
  for (const entry of facts.entryPoints) {
    const owner = facts.manifests.find((m) => m.kind === 'npm' && dirname(m.path) !== '' && entry.startsWith(`${dirname(m.path)}/`));
    const role = /\/bin\//.test(`/${entry}`) ? 'Executable' : /index\.html$/.test(entry) ? 'HTML entry page' : 'Entry point';
    add(entry, owner?.name ? `${role} of ${owner.name}` : role);
  }
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
  if (tests.files === 0) return tests.runner ? `${tests.runner} is configured but no test files were found` : 'No test files and no test runner found';
  const patterns = tests.patterns.slice(0, 4).map((p) => `${p.pattern} (${p.files})`).join(', ');
  const dirs = tests.dirs.length > 0 ? `; test directories: ${tests.dirs.slice(0, 5).map((d) => `${d.dir}/ (${d.files})`).join(', ')}` : '';
  const runners = tests.runners.length > 1 ? ` (also ${tests.runners.filter((r) => r !== tests.runner).join(', ')})` : '';
  return `${tests.runner ?? 'Unknown runner'}${runners}: ${plural(tests.files, 'test file')} named ${patterns}; placement: ${testPlacement(tests)}${dirs}`;
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

export function codebaseSummary(facts: Facts, name: string | undefined): string {
  const langs = facts.languages.slice(0, 5).map((l) => `${l.name} (${l.files})`).join(', ');
  const sentences = [
    `${name ? `"${name}" is a` : 'A'} ${projectType(facts)}.`,
    `Static analysis by the deterministic planner scanned ${plural(facts.scan.files_scanned, 'file')} in ${plural(facts.scan.dirs_scanned, 'directory').replace('directorys', 'directories')}${facts.scan.truncated ? ' (stopped at the file cap)' : ''}; languages by file count: ${langs || 'none recognised'}.`,
  ];
  if (facts.workspaces.dirs.length > 0) sentences.push(`Workspaces: ${list(facts.workspaces.dirs, 8)}.`);
  const fw = facts.frameworks.filter((f) => f.role !== 'build').map((f) => f.name);
  if (fw.length > 0) sentences.push(`Frameworks and libraries: ${list(fw, 10)}.`);
  sentences.push(`Tests: ${testStructure(facts.tests)}.`);
  if (facts.entryPoints.length > 0) sentences.push(`Entry points include ${list(facts.entryPoints, 4)}.`);
  return sentences.join(' ');
}
