import { CodeModel, CodeRoute, ExploreOutput, KeyFile, TestLayout } from '@specline/protocol';

/**
 * EXPLORE's output (`phase_data.explore`) read field by field: an output from an older producer may lack
 * any of them, or hold something else, and then that section is empty instead of the view failing.
 */
export interface ExploreView {
  summary: string;
  projectType: string;
  feature: { name: string; oneLiner: string; scopeIn: string[]; scopeOut: string[] } | null;
  techStack: string[];
  frameworks: string[];
  manifests: { path: string; kind: string; name?: string | undefined; dependencies: string[] }[];
  languages: { name: string; files: number }[];
  entryPoints: { path: string; kind: string | null; line: number | null }[];
  tests: TestLayout | null;
  testText: string;
  routes: CodeRoute[];
  dataModels: CodeModel[];
  keyFiles: KeyFile[];
  filesScanned: number | null;
  hasCodebase: boolean | null;
  repoCommit: string | null;
}

interface Schema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

const F = ExploreOutput.shape;
const isString = (v: unknown): v is string => typeof v === 'string';
const text = (v: unknown): string => (isString(v) ? v : '');
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter(isString) : []);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Items of a list that match the schema (a malformed item is skipped, not the whole list). */
function items<T>(schema: Schema<T>, value: unknown): T[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    const parsed = schema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

const Language: Schema<{ name: string; files: number }> = F.languages.unwrap().element;
const Manifest: Schema<ExploreView['manifests'][number]> = F.manifests.unwrap().element;
const EntryDetail: Schema<{ path: string; kind: string; line?: number | undefined }> = F.entry_point_details.unwrap().element;

/** The explore output of a spec's `phase_data`, or null when EXPLORE has stored none yet. */
export function exploreOutputOf(phaseData: Record<string, unknown> | undefined): Record<string, unknown> | null {
  const output = phaseData?.['explore'];
  return isRecord(output) && Object.keys(output).length > 0 ? output : null;
}

export function exploreView(output: Record<string, unknown>): ExploreView {
  const details = items(EntryDetail, output['entry_point_details']);
  const entryPoints =
    details.length > 0 ? details.map((d) => ({ path: d.path, kind: d.kind, line: d.line ?? null })) : strings(output['entry_points']).map((path) => ({ path, kind: null, line: null }));
  const feature = isRecord(output['feature_summary']) ? output['feature_summary'] : {};
  const name = text(feature['name']);
  const oneLiner = text(feature['one_liner']);
  const tests = TestLayout.safeParse(output['test_layout']);
  const files = output['files_scanned'];
  const commit = output['repo_commit'];
  return {
    summary: text(output['codebase_summary']),
    projectType: text(output['project_type']),
    feature: name || oneLiner ? { name, oneLiner, scopeIn: strings(feature['scope_in']), scopeOut: strings(feature['scope_out']) } : null,
    techStack: strings(output['tech_stack']),
    frameworks: strings(output['frameworks']),
    manifests: items(Manifest, output['manifests']),
    languages: items(Language, output['languages']).sort((a, b) => b.files - a.files || a.name.localeCompare(b.name)),
    entryPoints,
    tests: tests.success ? tests.data : null,
    testText: text(output['test_structure']),
    routes: items(CodeRoute, output['routes']),
    dataModels: items(CodeModel, output['data_models']),
    keyFiles: items(KeyFile, output['key_files']),
    filesScanned: typeof files === 'number' && Number.isFinite(files) ? files : null,
    hasCodebase: typeof output['has_codebase'] === 'boolean' ? output['has_codebase'] : null,
    repoCommit: isString(commit) && commit ? commit : null,
  };
}
