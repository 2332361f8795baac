/**
 * Manifest readers: package.json, tsconfig (JSON with comments), pyproject.toml / Pipfile / Cargo.toml
 * (smol-toml), pom.xml (fast-xml-parser), pnpm-workspace.yaml (yaml), requirements*.txt, go.mod,
 * go.work, build.gradle, Gemfile, composer.json, setup.py/setup.cfg. Each takes the text and returns
 * what the index needs; a file that does not parse becomes `parseError`, never an exception.
 */
import { XMLParser } from 'fast-xml-parser';
import { parse as parseTomlText } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { basenameOf } from './languages';
import type { ManifestFact } from './types';

export type ManifestFields = Omit<ManifestFact, 'path' | 'kind'>;

/** Manifest file names (exact basenames) and their kind. `tsconfig*.json` and `requirements*.txt` are matched by pattern. */
const MANIFEST_KINDS: Readonly<Record<string, string>> = {
  'package.json': 'npm',
  'pyproject.toml': 'pyproject',
  'Pipfile': 'pipenv',
  'setup.py': 'setuptools',
  'setup.cfg': 'setuptools-cfg',
  'go.mod': 'go',
  'go.work': 'go-workspace',
  'Cargo.toml': 'cargo',
  'pom.xml': 'maven',
  'build.gradle': 'gradle',
  'build.gradle.kts': 'gradle',
  'Gemfile': 'bundler',
  'composer.json': 'composer',
  'pnpm-workspace.yaml': 'pnpm-workspace',
  'deno.json': 'deno',
};

export function manifestKindOf(file: string): string | undefined {
  const base = basenameOf(file);
  if (/^tsconfig(\..+)?\.json$/.test(base)) return 'tsconfig';
  if (/^requirements([-_.][\w.-]+)?\.txt$/.test(base)) return 'pip-requirements';
  return MANIFEST_KINDS[base];
}

type Json = Record<string, unknown>;

function record(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function keys(value: unknown): string[] {
  return Object.keys(record(value)).sort();
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : [];
}

function uniqueSorted(list: readonly (string | undefined)[]): string[] {
  return [...new Set(list.filter((d): d is string => d !== undefined && d !== ''))].sort();
}

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

export function parsePackageJson(text: string): ManifestFields {
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
  const dev = keys(pkg['devDependencies']);
  // A "jest" key configures Jest even without a config file.
  if (pkg['jest'] !== undefined && !dev.includes('jest')) dev.push('jest');
  return {
    ...(typeof pkg['name'] === 'string' ? { name: pkg['name'] } : {}),
    dependencies: uniqueSorted([...keys(pkg['dependencies']), ...keys(pkg['peerDependencies']), ...keys(pkg['optionalDependencies'])]),
    devDependencies: dev.sort(),
    ...(workspaces.length > 0 ? { workspaces } : {}),
    ...(entries.length > 0 ? { entries: [...new Set(entries.map((e) => e.replace(/^\.\//, '')))] } : {}),
    ...(Object.keys(scripts).length > 0 ? { scripts } : {}),
    moduleSystem: pkg['type'] === 'module' ? 'ESM' : 'CommonJS',
  };
}

export function parseTsconfig(text: string): ManifestFields {
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
    ...(Object.keys(compiler).length > 0 ? { compilerOptions: compiler } : {}),
    ...(typeof options['module'] === 'string' ? { moduleSystem: options['module'] } : {}),
  };
}

/** `requests>=2.0 ; python_version<"3.8"` → `requests`. */
export function requirementName(spec: string): string | undefined {
  const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(spec);
  return match ? match[1]!.toLowerCase().replace(/_/g, '-') : undefined;
}

export function parseRequirementsTxt(text: string): ManifestFields {
  const deps = text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('-'))
    .map(requirementName);
  return { dependencies: uniqueSorted(deps) };
}

function parseToml(text: string): Json {
  return record(parseTomlText(text));
}

/** `a.b.c` of a parsed TOML/YAML document. */
function at(doc: Json, dotted: string): unknown {
  let value: unknown = doc;
  for (const key of dotted.split('.')) value = record(value)[key];
  return value;
}

export function parsePyproject(text: string): ManifestFields {
  const doc = parseToml(text);
  const project = record(doc['project']);
  const poetry = record(at(doc, 'tool.poetry'));
  const deps = [...strings(project['dependencies']).map(requirementName), ...Object.keys(record(poetry['dependencies'])).map(requirementName)];
  const dev: (string | undefined)[] = [];
  for (const list of Object.values(record(project['optional-dependencies']))) dev.push(...strings(list).map(requirementName));
  for (const list of Object.values(record(doc['dependency-groups']))) dev.push(...strings(list).map(requirementName));
  dev.push(...Object.keys(record(poetry['dev-dependencies'])).map(requirementName));
  for (const group of Object.values(record(poetry['group']))) dev.push(...Object.keys(record(record(group)['dependencies'])).map(requirementName));
  if (at(doc, 'tool.pytest.ini_options') !== undefined || at(doc, 'tool.pytest') !== undefined) dev.push('pytest');
  const clean = (list: (string | undefined)[]) => uniqueSorted(list.filter((d) => d !== 'python'));
  const name = project['name'] ?? poetry['name'];
  const scripts: Record<string, string> = {};
  for (const [key, value] of [...Object.entries(record(project['scripts'])), ...Object.entries(record(poetry['scripts']))]) if (typeof value === 'string') scripts[key] = value;
  const entries = Object.values(scripts);
  return {
    ...(typeof name === 'string' ? { name } : {}),
    dependencies: clean(deps),
    devDependencies: clean(dev),
    ...(Object.keys(scripts).length > 0 ? { scripts } : {}),
    ...(entries.length > 0 ? { entries } : {}),
  };
}

export function parsePipfile(text: string): ManifestFields {
  const doc = parseToml(text);
  return { dependencies: keys(doc['packages']), devDependencies: keys(doc['dev-packages']) };
}

export function parseCargo(text: string): ManifestFields {
  const doc = parseToml(text);
  const pkg = record(doc['package']);
  const workspace = record(doc['workspace']);
  const members = strings(workspace['members']);
  const bins = Array.isArray(doc['bin']) ? doc['bin'].map((b) => record(b)['path']) : [record(doc['bin'])['path']];
  const entries = [...bins, record(doc['lib'])['path']].filter((p): p is string => typeof p === 'string');
  return {
    ...(typeof pkg['name'] === 'string' ? { name: pkg['name'] } : {}),
    dependencies: uniqueSorted([...keys(doc['dependencies']), ...keys(workspace['dependencies'])]),
    devDependencies: keys(doc['dev-dependencies']),
    ...(members.length > 0 ? { workspaces: members } : {}),
    ...(entries.length > 0 ? { entries } : {}),
  };
}

export function parseGoMod(text: string): ManifestFields {
  const deps: string[] = [];
  let name: string | undefined;
  let goVersion: string | undefined;
  let inBlock = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\/\/.*/, '').trim();
    const words = line.split(/\s+/);
    if (words[0] === 'module' && words[1]) name = words[1];
    else if (words[0] === 'go' && words[1]) goVersion = words[1];
    else if (/^require\s*\($/.test(line)) inBlock = true;
    else if (inBlock && line === ')') inBlock = false;
    else if (inBlock && line !== '') deps.push(words[0]!);
    else if (words[0] === 'require' && words[1]) deps.push(words[1]);
  }
  return { ...(name ? { name } : {}), dependencies: uniqueSorted(deps), ...(goVersion ? { moduleSystem: `Go modules (go ${goVersion})` } : {}) };
}

export function parseGoWork(text: string): ManifestFields {
  const uses: string[] = [];
  let inBlock = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\/\/.*/, '').trim();
    if (/^use\s*\($/.test(line)) inBlock = true;
    else if (inBlock && line === ')') inBlock = false;
    else if (inBlock && line !== '') uses.push(line);
    else if (/^use\s+\S+$/.test(line)) uses.push(line.split(/\s+/)[1]!);
  }
  return { dependencies: [], workspaces: uses.map((u) => u.replace(/^\.\//, '')) };
}

const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, isArray: (name) => name === 'dependency' || name === 'module' || name === 'plugin' });

export function parsePom(text: string): ManifestFields {
  const project = record(record(xml.parse(text))['project']);
  const coordinate = (node: Json) => (typeof node['groupId'] === 'string' && typeof node['artifactId'] === 'string' ? `${node['groupId']}:${node['artifactId']}` : undefined);
  const deps: (string | undefined)[] = [];
  const dev: (string | undefined)[] = [];
  const dependencies = record(project['dependencies'])['dependency'];
  for (const node of Array.isArray(dependencies) ? dependencies.map(record) : []) (node['scope'] === 'test' ? dev : deps).push(coordinate(node));
  const parent = record(project['parent']);
  if (coordinate(parent)) deps.push(coordinate(parent));
  const modules = strings(record(project['modules'])['module']);
  const name = typeof project['artifactId'] === 'string' ? project['artifactId'] : undefined;
  return { ...(name ? { name } : {}), dependencies: uniqueSorted(deps), devDependencies: uniqueSorted(dev), ...(modules.length > 0 ? { workspaces: modules } : {}) };
}

export function parseGradle(text: string): ManifestFields {
  const deps: string[] = [];
  const dev: string[] = [];
  for (const match of text.matchAll(/^\s*(\w+)\s*\(?\s*["']([^:"']+):([^:"']+)(?::[^"']*)?["']/gm)) {
    (/^test/i.test(match[1]!) ? dev : deps).push(`${match[2]!}:${match[3]!}`);
  }
  for (const match of text.matchAll(/^\s*id\s*\(?\s*["']([\w.-]+)["']/gm)) deps.push(`plugin:${match[1]!}`);
  return { dependencies: uniqueSorted(deps), devDependencies: uniqueSorted(dev) };
}

export function parseGemfile(text: string): ManifestFields {
  const deps: string[] = [];
  const dev: string[] = [];
  let group: 'dev' | 'main' = 'main';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*/, '').trim();
    if (/^group\b.*\b(test|development)\b.*\bdo$/.test(line)) group = 'dev';
    else if (line === 'end') group = 'main';
    const gem = /^gem\s+["']([^"']+)["']/.exec(line);
    if (gem) (group === 'dev' ? dev : deps).push(gem[1]!);
  }
  return { dependencies: uniqueSorted(deps), devDependencies: uniqueSorted(dev) };
}

export function parseComposer(text: string): ManifestFields {
  const pkg = record(JSON.parse(text));
  return { ...(typeof pkg['name'] === 'string' ? { name: pkg['name'] } : {}), dependencies: keys(pkg['require']), devDependencies: keys(pkg['require-dev']) };
}

export function parsePnpmWorkspace(text: string): ManifestFields {
  return { dependencies: [], workspaces: strings(record(parseYaml(text))['packages']) };
}

function parseSetupPy(text: string): ManifestFields {
  const block = /install_requires\s*=\s*\[([^\]]*)\]/.exec(text)?.[1] ?? '';
  const deps = [...block.matchAll(/["']([^"']+)["']/g)].map((m) => requirementName(m[1]!));
  const name = /\bname\s*=\s*["']([^"']+)["']/.exec(text)?.[1];
  return { ...(name ? { name } : {}), dependencies: uniqueSorted(deps) };
}

/** setup.cfg: `[options] install_requires` and whether it configures pytest. */
function parseSetupCfg(text: string): ManifestFields {
  const deps: (string | undefined)[] = [];
  let section = '';
  let inRequires = false;
  let name: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const header = /^\[([^\]]+)\]/.exec(raw.trim());
    if (header) {
      section = header[1]!;
      inRequires = false;
      continue;
    }
    const pair = /^(\w[\w-]*)\s*=\s*(.*)$/.exec(raw);
    if (pair) {
      inRequires = section === 'options' && pair[1] === 'install_requires';
      if (section === 'metadata' && pair[1] === 'name') name = pair[2]!.trim();
      if (inRequires && pair[2]!.trim() !== '') deps.push(requirementName(pair[2]!));
    } else if (inRequires && /^\s+\S/.test(raw)) deps.push(requirementName(raw));
  }
  const pytest = /^\[tool:pytest\]/m.test(text);
  return { ...(name ? { name } : {}), dependencies: uniqueSorted(deps), ...(pytest ? { devDependencies: ['pytest'] } : {}) };
}

export function parseManifest(kind: string, text: string): ManifestFields {
  switch (kind) {
    case 'npm': return parsePackageJson(text);
    case 'tsconfig': return parseTsconfig(text);
    case 'pyproject': return parsePyproject(text);
    case 'pip-requirements': return parseRequirementsTxt(text);
    case 'pipenv': return parsePipfile(text);
    case 'setuptools': return parseSetupPy(text);
    case 'setuptools-cfg': return parseSetupCfg(text);
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

/** Parses one manifest's text; never throws (a failure becomes `parseError`). */
export function readManifestText(path: string, kind: string, text: string): ManifestFact {
  try {
    return { path, kind, ...parseManifest(kind, text) };
  } catch (error) {
    return { path, kind, dependencies: [], parseError: (error as Error).message.split('\n')[0]! };
  }
}
