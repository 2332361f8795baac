/**
 * EXPLORE with a model, kept honest: the static EXPLORE (the planner's, on the code index) measures
 * the facts; the model writes the narrative over them (summary, key files with purposes, related
 * code, feature summary, test structure). Merging takes every measured fact from the static draft
 * (counts, languages, routes, models, settings, …) and only those model entries whose paths exist.
 */
import { asArray, asRecord } from '../../analysis/shape';
import type { PhaseContext } from '../../types';
import { runExplore } from '../explore/explore';

/** Fields the static analysis measures: always the draft's, never the model's. */
export const MEASURED_FIELDS = [
  'project_type',
  'tech_stack',
  'structure',
  'entry_points',
  'languages',
  'manifests',
  'frameworks',
  'workspaces',
  'files_scanned',
  'has_codebase',
  'repo_commit',
  'routes',
  'data_models',
  'settings',
  'auth',
  'entry_point_details',
  'test_layout',
  'truncated',
] as const;

export interface StaticExploreOptions {
  maxFiles?: number;
  maxDepth?: number;
  ignore?: readonly string[];
  repoCommit?: string | null;
}

/** The static EXPLORE output (on the code index when the run built one), or without a code base the request-only one. */
export async function staticExplore(context: PhaseContext, signal: AbortSignal, options: StaticExploreOptions = {}): Promise<Record<string, unknown>> {
  const commit = options.repoCommit ?? context.index?.commit ?? undefined;
  const output = (await runExplore(context.cwd, context.spec, {
    maxFiles: options.maxFiles ?? 50_000,
    maxDepth: options.maxDepth ?? 32,
    ignore: options.ignore ?? [],
    signal,
    progress: (m) => context.progress(m),
    ...(context.index ? { index: context.index } : {}),
    ...(commit ? { commit } : {}),
    ...(context.hasCodebase === false ? { hasCodebase: false } : {}),
  })) as Record<string, unknown>;
  if (context.hasCodebase !== false && output['repo_commit'] === undefined && commit) output['repo_commit'] = commit;
  return output;
}

export interface MergeReport {
  keyFiles: number;
  keyFilesDropped: string[];
  relatedCode: number;
  relatedDropped: string[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/**
 * The model's answer laid over the draft. `exists` says whether a repository-relative path is a file
 * (or directory) of the repository; entries naming anything else are dropped, not kept as facts.
 */
export function mergeExplore(draft: Record<string, unknown>, answer: Record<string, unknown>, exists: (path: string) => boolean): { output: Record<string, unknown>; report: MergeReport } {
  const output: Record<string, unknown> = { ...draft };
  const report: MergeReport = { keyFiles: 0, keyFilesDropped: [], relatedCode: 0, relatedDropped: [] };
  const clean = (p: string) => p.trim().replace(/^\.\//, '').replace(/\\/g, '/');

  output['codebase_summary'] = str(answer['codebase_summary']) ?? draft['codebase_summary'];
  output['test_structure'] = str(answer['test_structure']) ?? draft['test_structure'];

  const featureOf = asRecord(answer['feature_summary']);
  const draftFeature = asRecord(draft['feature_summary']) ?? {};
  if (featureOf) {
    output['feature_summary'] = {
      ...draftFeature,
      ...featureOf,
      name: str(featureOf['name']) ?? draftFeature['name'],
      one_liner: str(featureOf['one_liner']) ?? draftFeature['one_liner'],
      scope_in: Array.isArray(featureOf['scope_in']) ? featureOf['scope_in'] : draftFeature['scope_in'],
      scope_out: Array.isArray(featureOf['scope_out']) ? featureOf['scope_out'] : draftFeature['scope_out'],
    };
  }

  // Key files: the model's (with its purposes) that exist, then the draft's it did not mention.
  const keyFiles: { path: string; purpose: string }[] = [];
  const seen = new Set<string>();
  for (const item of asArray(answer['key_files'])) {
    const r = asRecord(item);
    const path = str(r?.['path']);
    if (!path) continue;
    const p = clean(path);
    if (seen.has(p)) continue;
    if (!exists(p)) {
      report.keyFilesDropped.push(p);
      continue;
    }
    seen.add(p);
    keyFiles.push({ path: p, purpose: str(r?.['purpose']) ?? '' });
  }
  for (const item of asArray(draft['key_files'])) {
    const r = asRecord(item);
    const path = str(r?.['path']);
    if (!path || seen.has(path) || keyFiles.length >= 30) continue;
    seen.add(path);
    keyFiles.push({ path, purpose: str(r?.['purpose']) ?? '' });
  }
  output['key_files'] = keyFiles;
  report.keyFiles = keyFiles.length;

  // Related code: the model's entries that exist; the draft's (the index's ranking) when it gave none.
  const related: Record<string, unknown>[] = [];
  for (const item of asArray(answer['related_code'])) {
    const r = asRecord(item);
    const path = str(r?.['path']);
    if (!r || !path) continue;
    const p = clean(path);
    if (!exists(p)) {
      report.relatedDropped.push(p);
      continue;
    }
    const score = typeof r['score'] === 'number' && Number.isFinite(r['score']) ? Math.min(1, Math.max(0, r['score'])) : 0.5;
    related.push({ ...r, path: p, score, reason: str(r['reason']) ?? '' });
  }
  if (related.length > 0) output['related_code'] = related.slice(0, 30);
  else if (draft['related_code'] !== undefined) output['related_code'] = draft['related_code'];
  else delete output['related_code'];
  report.relatedCode = asArray(output['related_code']).length;

  // Conventions: the measured ones win; the model may add what it observed.
  const draftConventions = asRecord(draft['conventions']) ?? {};
  const modelConventions = asRecord(answer['conventions']) ?? {};
  output['conventions'] = { ...modelConventions, ...draftConventions };

  // Measured fields: the draft's, or absent; never the model's.
  for (const key of MEASURED_FIELDS) {
    if (draft[key] === undefined) delete output[key];
    else output[key] = draft[key];
  }
  return { output, report };
}
