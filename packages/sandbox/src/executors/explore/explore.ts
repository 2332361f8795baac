/**
 * The planner's EXPLORE phase: a static analysis of the working directory (names and manifests
 * only) plus the feature summary taken from the spec's title and description.
 */
import type { ExploreOutput } from '@specline/protocol';
import type { SpecInfo } from '../../types';
import { capitalize, featurePhrase, outOfScopeText, splitClauses, tidy } from '../text';
import { entryPoints, frameworks, languages, manifestCandidates, packageManager, primaryLanguage, sourceDirs, testLayout, workspaces, dirname } from './analyze';
import { codebaseSummary, conventions, keyFiles, projectType, structure, testStructure, type Facts } from './describe';
import { readManifest } from './manifests';
import { isTestFile, namingStyle, scanTree, type NamingStyle, type ScanResult } from './scan';
import { LANGUAGE_BY_EXT } from './catalog';

export interface ExploreOptions {
  maxFiles: number;
  maxDepth: number;
  ignore: readonly string[];
  signal?: AbortSignal;
  /** Progress lines (become `spec.progress` events). */
  progress?: (message: string) => void;
  /** Milliseconds clock for the progress line's duration; never part of the output. */
  now?: () => number;
}

const UI_WORDS = /\b(ui|page|screen|button|form|dashboard|view|frontend|front end|component|display|show)\b/i;

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
  for (const dir of dirs) {
    const counts = new Map<NamingStyle, number>();
    for (const file of scan.files) {
      if (!file.startsWith(`${dir}/`) || isTestFile(file) || LANGUAGE_BY_EXT[file.slice(file.lastIndexOf('.') + 1).toLowerCase()] === undefined) continue;
      const style = namingStyle(file);
      if (style && style !== 'lowercase') counts.set(style, (counts.get(style) ?? 0) + 1);
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

export async function runExplore(cwd: string, spec: SpecInfo, options: ExploreOptions): Promise<ExploreOutput> {
  const now = options.now ?? (() => Date.now());
  const started = now();
  const scan = await scanTree(cwd, { maxFiles: options.maxFiles, maxDepth: options.maxDepth, ignore: options.ignore, ...(options.signal ? { signal: options.signal } : {}) });
  options.progress?.(
    `Scanned ${scan.files_scanned.toLocaleString('en-US')} files in ${scan.dirs_scanned.toLocaleString('en-US')} directories in ${now() - started} ms${scan.truncated ? ` (stopped at the cap of ${options.maxFiles.toLocaleString('en-US')} files)` : ''}`,
  );
  options.signal?.throwIfAborted();
  const manifests = await Promise.all(manifestCandidates(scan).map((c) => readManifest(cwd, c.path, c.kind)));
  options.signal?.throwIfAborted();
  const langs = languages(scan);
  const fw = frameworks(manifests, scan);
  const ws = workspaces(manifests, scan);
  const tests = testLayout(scan, fw, langs);
  const facts: Facts = {
    scan,
    manifests,
    languages: langs,
    primaryLanguage: primaryLanguage(langs),
    frameworks: fw,
    workspaces: ws,
    packageManager: packageManager(scan, manifests),
    tests,
    entryPoints: entryPoints(scan, manifests),
    sourceDirs: sourceDirs(scan),
  };
  options.progress?.(
    `Read ${manifests.length} manifests; languages: ${langs.slice(0, 3).map((l) => `${l.name} ${l.files}`).join(', ') || 'none'}; frameworks: ${fw.map((f) => f.name).slice(0, 6).join(', ') || 'none'}`,
  );
  const rootManifest = manifests.find((m) => dirname(m.path) === '' && m.name !== undefined);
  const techStack = [...langs.filter((l) => l.files > 0).slice(0, 4).map((l) => l.name), ...fw.filter((f) => f.name !== 'TypeScript compiler').map((f) => f.name), ...(ws.tool ? [ws.tool] : [])];
  return {
    generated_by: 'planner',
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
    workspace_tool: ws.tool ?? null,
    package_manager: facts.packageManager ?? null,
    test_runner: tests.runner ?? null,
    test_runners: tests.runners,
    test_files: tests.files,
    test_dirs: tests.dirs.map((d) => d.dir),
    source_dirs: facts.sourceDirs.map((d) => d.dir),
    source_subdirs: sourceSubdirs(scan.dirs, facts.sourceDirs.slice(0, 6).map((d) => d.dir)),
    framework_details: fw.map((f) => ({ name: f.name, role: f.role, declared_in: f.sources })),
    files_scanned: scan.files_scanned,
    dirs_scanned: scan.dirs_scanned,
    truncated: scan.truncated,
    ignored_dirs: [...scan.skipped.keys()].sort(),
  };
}
