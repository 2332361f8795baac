/**
 * The planner's EXPLORE phase, on the code index: what the repository is (languages, frameworks,
 * manifests, workspaces, structure, conventions), what it contains (routes, data models, settings,
 * auth, entry points, test layout), and which of its files and symbols relate to the request; plus
 * the feature summary taken from the spec's title and description. Without a code base it says so
 * and scans nothing.
 */
import type { ExploreOutput } from '@specline/protocol';
import { loadCodeIndex } from '../../codeindex/build';
import type { CodeIndex, SearchHit } from '../../codeindex/types';
import type { SpecInfo } from '../../types';
import { capitalize, featurePhrase, outOfScopeText, splitClauses, tidy } from '../text';
import { entryPoints, frameworks, packageManager, primaryLanguage, scanFromIndex, sourceDirs, testLayout, workspaces, dirname } from './analyze';
import { codebaseSummary, contentPurpose, conventions, keyFiles, projectType, structure, testStructure, type Facts } from './describe';
import { toManifestInfo } from './manifests';
import { namingStyle, type NamingStyle, type ScanResult } from './scan';

export interface ExploreOptions {
  maxFiles: number;
  maxDepth: number;
  ignore: readonly string[];
  signal?: AbortSignal;
  /** Progress lines (become `spec.progress` events). */
  progress?: (message: string) => void;
  /** Milliseconds clock for the progress line's duration; never part of the output. */
  now?: () => number;
  /** The code index of `cwd`, when the caller built one; else it is loaded (and shared) with `loadCodeIndex`. */
  index?: CodeIndex;
  /** The commit of `cwd`; read with git when absent. */
  commit?: string | null;
  /** False when the project has no connected repository: nothing is scanned and the output says so. Default true. */
  hasCodebase?: boolean;
  /** Where code indexes are cached by commit. */
  cacheDir?: string;
}

const UI_WORDS = /\b(ui|page|screen|button|form|dashboard|view|frontend|front end|component|display|show)\b/i;

export const NO_CODEBASE_SUMMARY = 'No code repository is connected to this project; the plan is written from the request alone.';

/** Name, one-liner and scope, derived from the title and the clauses of the description. */
export function featureSummary(spec: Pick<SpecInfo, 'title' | 'description'>, facts?: Pick<Facts, 'frameworks'>): ExploreOutput['feature_summary'] {
  const clauses = splitClauses(spec.description);
  const scopeOut = clauses.map(outOfScopeText).filter((c): c is string => c !== undefined);
  const scopeIn = clauses.filter((c) => outOfScopeText(c) === undefined).map(capitalize);
  const firstSentence = tidy(spec.description.split(/(?<=[.!?])\s+|\n/)[0] ?? '');
  const hasFrontend = facts?.frameworks.some((f) => f.role === 'frontend') ?? false;
  if (hasFrontend && !UI_WORDS.test(`${spec.title} ${spec.description}`)) scopeOut.push('User-interface changes: the description asks for none');
  scopeOut.push(`Changes to parts of the system that ${featurePhrase(spec.title)} does not touch`);
  return {
    name: tidy(spec.title) || 'Untitled feature',
    one_liner: firstSentence !== '' ? `${capitalize(featurePhrase(spec.title))}: ${lowerStart(firstSentence)}` : capitalize(featurePhrase(spec.title)),
    problem_statement: firstSentence !== '' ? `${capitalize(featurePhrase(spec.title))} is needed: ${lowerStart(tidy(spec.description))}.` : `${tidy(spec.title)}.`,
    scope_in: scopeIn.length > 0 ? scopeIn : [capitalize(featurePhrase(spec.title))],
    scope_out: scopeOut,
  };
}

/** The dominant multi-word file-name style inside each source directory (a web app and a server may differ). */
function namingByDir(scan: ScanResult, dirs: readonly string[]): Record<string, NamingStyle> {
  const out: Record<string, NamingStyle> = {};
  const testFiles = new Set(scan.tests.files);
  for (const dir of dirs) {
    const counts = new Map<NamingStyle, number>();
    for (const file of scan.files) {
      if (!file.startsWith(`${dir}/`) || testFiles.has(file)) continue;
      const style = namingStyle(file);
      if (style && style !== 'lowercase' && /\.(ts|tsx|js|jsx|mjs|cjs|py|go|rs|java|kt|rb|php|cs)$/.test(file)) counts.set(style, (counts.get(style) ?? 0) + 1);
    }
    const best = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
    if (best) out[dir] = best[0];
  }
  return out;
}

/** Directories up to two levels below the main source directories (where new code could go). */
function sourceSubdirs(dirs: readonly string[], roots: readonly string[], max = 300): string[] {
  return dirs.filter((dir) => roots.some((root) => dir.startsWith(`${root}/`) && dir.split('/').length <= root.split('/').length + 2)).sort().slice(0, max);
}

function lowerStart(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

/** Why a search hit is related: what it defines, the routes it serves, the models it declares. */
function reasonFor(index: CodeIndex, hit: SearchHit): string {
  const parts: string[] = [];
  const file = index.file(hit.path);
  const symbolName = hit.symbol?.slice(hit.symbol.lastIndexOf('.') + 1);
  const routes = index.facts.routes.filter((r) => r.file === hit.path && (!hit.symbol || r.handler === symbolName || r.line === hit.line));
  const models = index.facts.models.filter((m) => m.file === hit.path && (!hit.symbol || m.name === symbolName));
  if (hit.symbol) {
    const symbol = file?.symbols.find((s) => s.line === hit.line && s.name === symbolName);
    parts.push(`defines ${symbol ? `${symbol.kind} ` : ''}${hit.symbol}`);
    if (symbol?.doc) parts.push(`"${symbol.doc}"`);
  } else {
    const names = (file?.symbols ?? []).filter((s) => s.kind !== 'constant' && !s.parent).map((s) => s.name);
    if (names.length > 0) parts.push(`defines ${names.slice(0, 4).join(', ')}${names.length > 4 ? ` and ${names.length - 4} more` : ''}`);
  }
  if (routes.length > 0) parts.push(`route${routes.length === 1 ? '' : 's'} ${routes.slice(0, 3).map((r) => `${r.method} ${r.path}`).join(', ')}${routes.length > 3 ? ` and ${routes.length - 3} more` : ''}`);
  if (models.length > 0) parts.push(`data model${models.length === 1 ? '' : 's'} ${models.map((m) => m.name).slice(0, 4).join(', ')}`);
  if (!hit.symbol) {
    if (index.facts.settings.some((s) => s.file === hit.path)) parts.push('settings');
    if (index.facts.auth.some((a) => a.file === hit.path)) parts.push('authentication');
    if (file?.test) parts.push('tests');
    if (file?.doc && parts.length < 3) parts.push(`"${file.doc}"`);
  }
  if (parts.length === 0) parts.push(`matches the request in its ${hit.matched.join(', ')}`);
  return parts.join('; ');
}

/** The index's search over the request: at most `max` hits, at most 3 per file, each with a reason. */
export function relatedCode(index: CodeIndex, spec: Pick<SpecInfo, 'title' | 'description'>, max = 10): NonNullable<ExploreOutput['related_code']> {
  const hits = index.search(`${spec.title}\n${spec.description}`, { limit: max * 4 });
  const perFile = new Map<string, number>();
  const out: NonNullable<ExploreOutput['related_code']> = [];
  for (const hit of hits) {
    if (out.length >= max) break;
    const n = perFile.get(hit.path) ?? 0;
    if (n >= 3) continue;
    perFile.set(hit.path, n + 1);
    out.push({ path: hit.path, ...(hit.symbol ? { symbol: hit.symbol } : {}), ...(hit.line !== undefined ? { line: hit.line } : {}), score: hit.score, reason: reasonFor(index, hit) });
  }
  return out;
}

/** The EXPLORE output of a project with no repository: nothing scanned, empty lists, the request's summary. */
export function exploreWithoutCodebase(spec: SpecInfo): ExploreOutput {
  return {
    generated_by: 'planner',
    has_codebase: false,
    repo_commit: null,
    codebase_summary: NO_CODEBASE_SUMMARY,
    project_type: 'No code base (new project)',
    tech_stack: [],
    structure: {},
    key_files: [],
    conventions: {},
    entry_points: [],
    test_structure: 'No code base: no existing tests to follow',
    feature_summary: featureSummary(spec),
    languages: [],
    manifests: [],
    frameworks: [],
    workspaces: [],
    files_scanned: 0,
    routes: [],
    data_models: [],
    settings: [],
    auth: [],
    entry_point_details: [],
    test_layout: { runner: null, runners: [], layout: 'none', dirs: [], pattern: null, files: 0, examples: [], command: null },
    related_code: [],
    test_runner: null,
    test_runners: [],
  };
}

const MAX_ROUTES = 200;
const MAX_MODELS = 100;
const MAX_LOCATED = 50;

export async function runExplore(cwd: string, spec: SpecInfo, options: ExploreOptions): Promise<ExploreOutput> {
  if (options.hasCodebase === false) {
    options.progress?.('No code repository is connected: EXPLORE scans nothing and the plan is written from the request alone');
    return exploreWithoutCodebase(spec);
  }
  const now = options.now ?? (() => Date.now());
  const started = now();
  const index =
    options.index ??
    (await loadCodeIndex(cwd, {
      maxFiles: options.maxFiles,
      maxDepth: options.maxDepth,
      ignoreDirs: options.ignore,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.progress ? { progress: options.progress } : {}),
      ...(options.commit !== undefined ? { commit: options.commit } : {}),
      ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    }));
  options.signal?.throwIfAborted();
  const scan = scanFromIndex(index);
  const manifests = index.facts.manifests.map(toManifestInfo);
  const langs = [...index.languages];
  const fw = frameworks(index, manifests);
  const ws = workspaces(manifests, scan);
  const tests = testLayout(index, scan);
  const facts: Facts = {
    index,
    scan,
    manifests,
    languages: langs,
    primaryLanguage: primaryLanguage(langs),
    frameworks: fw,
    workspaces: ws,
    packageManager: packageManager(scan, manifests),
    tests,
    entryPoints: entryPoints(index, scan),
    sourceDirs: sourceDirs(index),
  };
  const related = relatedCode(index, spec);
  const { routes, models, settings, auth } = index.facts;
  options.progress?.(
    `Explored ${plural(index.filesIndexed, 'file')} in ${now() - started} ms: languages ${langs.slice(0, 3).map((l) => `${l.name} ${l.files}`).join(', ') || 'none'}; frameworks ${fw.map((f) => f.name).slice(0, 6).join(', ') || 'none'}; ${plural(routes.length, 'route')}, ${plural(models.length, 'data model')}, ${plural(settings.length, 'settings location')}, ${plural(auth.length, 'auth location')}; tests: ${tests.runner ?? 'no runner'} (${plural(tests.files, 'file')})`,
  );
  if (related.length > 0) options.progress?.(`Code related to the request: ${related.slice(0, 4).map((r) => (r.symbol ? `${r.path} (${r.symbol})` : r.path)).join(', ')}`);
  const rootManifest = manifests.find((m) => dirname(m.path) === '' && m.name !== undefined);
  const techStack = [...langs.filter((l) => l.files > 0).slice(0, 4).map((l) => l.name), ...fw.filter((f) => f.name !== 'TypeScript compiler').map((f) => f.name), ...(ws.tool ? [ws.tool] : [])];
  return {
    generated_by: 'planner',
    has_codebase: true,
    repo_commit: index.commit,
    codebase_summary: codebaseSummary(facts, rootManifest?.name),
    project_type: projectType(facts),
    tech_stack: [...new Set(techStack)],
    structure: structure(facts),
    key_files: keyFiles(facts),
    conventions: { ...conventions(facts), naming_by_source_dir: namingByDir(scan, facts.sourceDirs.slice(0, 8).map((d) => d.dir)) },
    entry_points: facts.entryPoints,
    test_structure: testStructure(tests),
    feature_summary: featureSummary(spec, facts),
    languages: langs,
    manifests: manifests.map((m) => ({ ...m })),
    frameworks: fw.map((f) => f.name),
    workspaces: ws.dirs,
    routes: routes.slice(0, MAX_ROUTES).map((r) => ({ ...r })),
    data_models: models.slice(0, MAX_MODELS).map((m) => ({ ...m, fields: m.fields.slice(0, 40) })),
    settings: settings.slice(0, MAX_LOCATED).map((s) => ({ ...s })),
    auth: auth.slice(0, MAX_LOCATED).map((a) => ({ ...a })),
    entry_point_details: index.facts.entryPoints.slice(0, 20).map((e) => ({ ...e, purpose: contentPurpose(index, e.path) ?? e.kind })),
    test_layout: { ...index.facts.tests },
    related_code: related,
    workspace_tool: ws.tool ?? null,
    package_manager: facts.packageManager ?? null,
    test_runner: tests.runner ?? null,
    test_runners: tests.runners,
    test_command: tests.command,
    test_files: tests.files,
    test_dirs: tests.dirs.map((d) => d.dir),
    source_dirs: facts.sourceDirs.map((d) => d.dir),
    source_subdirs: sourceSubdirs(scan.dirs, facts.sourceDirs.slice(0, 6).map((d) => d.dir)),
    framework_details: fw.map((f) => ({ name: f.name, role: f.role, declared_in: f.sources })),
    files_scanned: index.filesIndexed,
    dirs_scanned: scan.dirs_scanned,
    truncated: index.truncated,
    ignored_dirs: [...scan.skipped.keys()].sort(),
    ...(routes.length > MAX_ROUTES ? { routes_total: routes.length } : {}),
    ...(models.length > MAX_MODELS ? { data_models_total: models.length } : {}),
  };
}
