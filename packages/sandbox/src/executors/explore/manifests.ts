/**
 * Manifest and config readers for EXPLORE: the only files whose contents the planner reads. Each
 * parser takes the text and returns what the planner needs (name, dependencies, dev dependencies,
 * workspaces, entry points, compiler settings). A file that does not parse is reported with
 * `parse_error` instead of failing the phase.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseToml, type TomlValue } from './toml';

export interface ManifestInfo {
  path: string;
  kind: string;
  name?: string;
  dependencies: string[];
  dev_dependencies?: string[];
  /** Workspace patterns as written (`packages/*`). */
  workspaces?: string[];
  /** Files named as entry points (package.json main/bin/exports, Cargo bins …), relative to the manifest's directory. */
  entries?: string[];
  scripts?: Record<string, string>;
  /** package.json `type`, or the tsconfig `module` setting. */
  module_system?: string;
  /** tsconfig: `strict` and other telling compiler options. */
  compiler_options?: Record<string, string | boolean>;
  parse_error?: string;
}

const MAX_MANIFEST_BYTES = 1_000_000;

/** Removes `//` and `/* *\/` comments outside strings, and trailing commas (JSON with comments, as tsconfig allows). */
export function stripJsonComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      out += text.slice(start, i + 1);
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else out += ch;
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function keys(value: unknown): string[] {
  return Object.keys(record(value)).sort();
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The paths a package.json `exports` field points at (`"."` entry first). */
function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return [exports];
  const out: string[] = [];
  const visit = (value: unknown, depth: number) => {
    if (typeof value === 'string') out.push(value);
    else if (depth < 3) for (const key of Object.keys(record(value)).sort((a, b) => (a === '.' ? -1 : b === '.' ? 1 : 0))) visit(record(value)[key], depth + 1);
  };
  visit(exports, 0);
  return out;
}

export function parsePackageJson(text: string): Omit<ManifestInfo, 'path' | 'kind'> {
  const pkg = record(JSON.parse(text));
  const workspacesField = pkg['workspaces'];
  const workspaces = Array.isArray(workspacesField) ? strings(workspacesField) : strings(record(workspacesField)['packages']);
  const bin = pkg['bin'];
  const entries = [
    ...(typeof pkg['main'] === 'string' ? [pkg['main']] : []),
    ...(typeof bin === 'string' ? [bin] : Object.values(record(bin)).filter((v): v is string => typeof v === 'string')),
    ...exportTargets(pkg['exports']),
    ...(typeof pkg['module'] === 'string' ? [pkg['module']] : []),
  ];
  const scripts = Object.fromEntries(Object.entries(record(pkg['scripts'])).filter((e): e is [string, string] => typeof e[1] === 'string'));
  return {
    ...(typeof pkg['name'] === 'string' ? { name: pkg['name'] } : {}),
    dependencies: [...new Set([...keys(pkg['dependencies']), ...keys(pkg['peerDependencies']), ...keys(pkg['optionalDependencies'])])].sort(),
    dev_dependencies: keys(pkg['devDependencies']),
    ...(workspaces.length > 0 ? { workspaces } : {}),
    ...(entries.length > 0 ? { entries: [...new Set(entries.map((e) => e.replace(/^\.\//, '')))] } : {}),
    ...(Object.keys(scripts).length > 0 ? { scripts } : {}),
    module_system: pkg['type'] === 'module' ? 'ESM' : 'CommonJS',
  };
}

export function parseTsconfig(text: string): Omit<ManifestInfo, 'path' | 'kind'> {
  const config = record(JSON.parse(stripJsonComments(text)));
  const options = record(config['compilerOptions']);
  const compiler: Record<string, string | boolean> = {};
  for (const key of ['strict', 'module', 'moduleResolution', 'target', 'jsx', 'noUncheckedIndexedAccess', 'verbatimModuleSyntax', 'composite']) {
    const value = options[key];
    if (typeof value === 'string' || typeof value === 'boolean') compiler[key] = value;
  }
  if (typeof config['extends'] === 'string') compiler['extends'] = config['extends'];
  const references = Array.isArray(config['references']) ? config['references'].map((r) => record(r)['path']).filter((p): p is string => typeof p === 'string') : [];
  return {
    dependencies: references,
    ...(Object.keys(compiler).length > 0 ? { compiler_options: compiler } : {}),
    ...(typeof options['module'] === 'string' ? { module_system: options['module'] } : {}),
  };
}

/** `requests>=2.0 ; python_version<"3.8"` → `requests`. */
export function requirementName(spec: string): string | undefined {
  const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(spec);
  return match ? match[1]!.toLowerCase().replace(/_/g, '-') : undefined;
}

export function parseRequirementsTxt(text: string): Omit<ManifestInfo, 'path' | 'kind'> {
  const deps = text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('-'))
    .map(requirementName)
    .filter((name): name is string => name !== undefined);
  return { dependencies: [...new Set(deps)].sort() };
}

function tomlStrings(value: TomlValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function tomlKeys(value: TomlValue | undefined): string[] {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value) : [];
}

export function parsePyproject(text: string): Omit<ManifestInfo, 'path' | 'kind'> {
  const tables = parseToml(text);
  const project = tables.get('project') ?? {};
  const poetry = tables.get('tool.poetry') ?? {};
  const deps = [...tomlStrings(project['dependencies']).map(requirementName), ...Object.keys(tables.get('tool.poetry.dependencies') ?? {}).map(requirementName)];
  const dev: (string | undefined)[] = [];
  for (const [name, table] of tables) {
    if (name === 'project.optional-dependencies' || name === 'dependency-groups') for (const list of Object.values(table)) dev.push(...tomlStrings(list).map(requirementName));
    if (/^tool\.poetry\.(group\.[^.]+\.)?dev-dependencies$|^tool\.poetry\.group\.[^.]+\.dependencies$/.test(name)) dev.push(...Object.keys(table).map(requirementName));
  }
  if (tables.has('tool.pytest.ini_options')) dev.push('pytest');
  const clean = (list: (string | undefined)[]) => [...new Set(list.filter((d): d is string => d !== undefined && d !== 'python'))].sort();
  const name = project['name'] ?? poetry['name'];
  const scripts = { ...(tables.get('project.scripts') ?? {}), ...(tables.get('tool.poetry.scripts') ?? {}) };
  return {
    ...(typeof name === 'string' ? { name } : {}),
    dependencies: clean(deps),
    dev_dependencies: clean(dev),
    ...(Object.keys(scripts).length > 0 ? { scripts: Object.fromEntries(Object.entries(scripts).map(([k, v]) => [k, String(v as string)])) } : {}),
  };
}

export function parsePipfile(text: string): Omit<ManifestInfo, 'path' | 'kind'> {
  const tables = parseToml(text);
  return { dependencies: Object.keys(tables.get('packages') ?? {}).sort(), dev_dependencies: Object.keys(tables.get('dev-packages') ?? {}).sort() };
}

export function parseCargo(text: string): Omit<ManifestInfo, 'path' | 'kind'> {
  const tables = parseToml(text);
  const pkg = tables.get('package') ?? {};
  const workspace = tables.get('workspace') ?? {};
  const members = tomlStrings(workspace['members']);
  const entries = [tables.get('bin')?.['path'], tables.get('lib')?.['path']].filter((p): p is string => typeof p === 'string');
  return {
    ...(typeof pkg['name'] === 'string' ? { name: pkg['name'] } : {}),
    dependencies: [...new Set([...tomlKeys(tables.get('dependencies')), ...tomlKeys(tables.get('workspace.dependencies'))])].sort(),
    dev_dependencies: tomlKeys(tables.get('dev-dependencies')).sort(),
    ...(members.length > 0 ? { workspaces: members } : {}),
    ...(entries.length > 0 ? { entries } : {}),
  };
}

export function parseGoMod(text: string): Omit<ManifestInfo, 'path' | 'kind'> {
  const name = /^module\s+(\S+)/m.exec(text)?.[1];
  const deps: string[] = [];
  let inBlock = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\/\/.*/, '').trim();
    if (/^require\s*\($/.test(line)) inBlock = true;
    else if (inBlock && line === ')') inBlock = false;
    else if (inBlock && line !== '') deps.push(line.split(/\s+/)[0]!);
    else if (line.startsWith('require ')) deps.push(line.split(/\s+/)[1] ?? '');
  }
  const goVersion = /^go\s+(\S+)/m.exec(text)?.[1];
  return { ...(name ? { name } : {}), dependencies: [...new Set(deps.filter(Boolean))].sort(), ...(goVersion ? { module_system: `Go modules (go ${goVersion})` } : {}) };
}

export function parseGoWork(text: string): Omit<ManifestInfo, 'path' | 'kind'> {
  const uses: string[] = [];
  const block = /use\s*\(([^)]*)\)/.exec(text);
  if (block) uses.push(...block[1]!.split(/\s+/).filter(Boolean));
  for (const match of text.matchAll(/^use\s+(\S+)\s*$/gm)) if (match[1] !== '(') uses.push(match[1]!);
  return { dependencies: [], workspaces: uses.map((u) => u.replace(/^\.\//, '')) };
}

export function parsePom(text: string): Omit<ManifestInfo, 'path' | 'kind'> {
  const withoutDeps = text.replace(/<dependencies>[\s\S]*?<\/dependencies>/g, '').replace(/<parent>[\s\S]*?<\/parent>/g, '');
  const name = /<artifactId>\s*([^<\s]+)\s*<\/artifactId>/.exec(withoutDeps)?.[1];
  const deps: string[] = [];
  const dev: string[] = [];
  for (const match of text.matchAll(/<dependency>([\s\S]*?)<\/dependency>/g)) {
    const body = match[1]!;
    const group = /<groupId>\s*([^<\s]+)/.exec(body)?.[1];
    const artifact = /<artifactId>\s*([^<\s]+)/.exec(body)?.[1];
    if (!group || !artifact) continue;
    (/<scope>\s*test\s*</.test(body) ? dev : deps).push(`${group}:${artifact}`);
  }
  const modules = [...text.matchAll(/<module>\s*([^<\s]+)\s*<\/module>/g)].map((m) => m[1]!);
  return { ...(name ? { name } : {}), dependencies: [...new Set(deps)].sort(), dev_dependencies: [...new Set(dev)].sort(), ...(modules.length > 0 ? { workspaces: modules } : {}) };
}

export function parseGradle(text: string): Omit<ManifestInfo, 'path' | 'kind'> {
  const deps: string[] = [];
  const dev: string[] = [];
  for (const match of text.matchAll(/^\s*(\w+)\s*\(?\s*["']([^:"']+):([^:"']+)(?::[^"']*)?["']/gm)) {
    (/^test/i.test(match[1]!) ? dev : deps).push(`${match[2]!}:${match[3]!}`);
  }
  return { dependencies: [...new Set(deps)].sort(), dev_dependencies: [...new Set(dev)].sort() };
}

export function parseGemfile(text: string): Omit<ManifestInfo, 'path' | 'kind'> {
  return { dependencies: [...new Set([...text.matchAll(/^\s*gem\s+["']([^"']+)["']/gm)].map((m) => m[1]!))].sort() };
}

export function parseComposer(text: string): Omit<ManifestInfo, 'path' | 'kind'> {
  const pkg = record(JSON.parse(text));
  return { ...(typeof pkg['name'] === 'string' ? { name: pkg['name'] } : {}), dependencies: keys(pkg['require']), dev_dependencies: keys(pkg['require-dev']) };
}

export function parsePnpmWorkspace(text: string): Omit<ManifestInfo, 'path' | 'kind'> {
  const patterns: string[] = [];
  let inPackages = false;
  for (const line of text.split(/\r?\n/)) {
    if (/^packages\s*:/.test(line)) inPackages = true;
    else if (/^\S/.test(line)) inPackages = false;
    else if (inPackages) {
      const item = /^\s*-\s*["']?([^"'#]+?)["']?\s*(#.*)?$/.exec(line);
      if (item) patterns.push(item[1]!.trim());
    }
  }
  return { dependencies: [], workspaces: patterns };
}

function parseSetupPy(text: string): Omit<ManifestInfo, 'path' | 'kind'> {
  const block = /install_requires\s*=\s*\[([^\]]*)\]/.exec(text)?.[1] ?? '';
  const deps = [...block.matchAll(/["']([^"']+)["']/g)].map((m) => requirementName(m[1]!)).filter((d): d is string => d !== undefined);
  const name = /name\s*=\s*["']([^"']+)["']/.exec(text)?.[1];
  return { ...(name ? { name } : {}), dependencies: [...new Set(deps)].sort() };
}

function parseByKind(kind: string, text: string): Omit<ManifestInfo, 'path' | 'kind'> {
  switch (kind) {
    case 'npm': return parsePackageJson(text);
    case 'tsconfig': return parseTsconfig(text);
    case 'pyproject': return parsePyproject(text);
    case 'pip-requirements': return parseRequirementsTxt(text);
    case 'pipenv': return parsePipfile(text);
    case 'setuptools': return parseSetupPy(text);
    case 'cargo': return parseCargo(text);
    case 'go': return parseGoMod(text);
    case 'go-workspace': return parseGoWork(text);
    case 'maven': return parsePom(text);
    case 'gradle': return parseGradle(text);
    case 'bundler': return parseGemfile(text);
    case 'composer': return parseComposer(text);
    case 'pnpm-workspace': return parsePnpmWorkspace(text);
    case 'deno': return { dependencies: keys(record(JSON.parse(stripJsonComments(text)))['imports']) };
    default: return { dependencies: [] };
  }
}

/** Reads and parses one manifest; never throws (a failure becomes `parse_error`). */
export async function readManifest(root: string, rel: string, kind: string): Promise<ManifestInfo> {
  const file = path.join(root, rel);
  try {
    const info = await stat(file);
    if (info.size > MAX_MANIFEST_BYTES) return { path: rel, kind, dependencies: [], parse_error: `larger than ${MAX_MANIFEST_BYTES} bytes, not read` };
    return { path: rel, kind, ...parseByKind(kind, await readFile(file, 'utf8')) };
  } catch (error) {
    return { path: rel, kind, dependencies: [], parse_error: (error as Error).message };
  }
}
