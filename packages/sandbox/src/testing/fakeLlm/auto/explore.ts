/** Auto EXPLORE (from the file list, the file read and the search hits) and auto PRD (from the brief). */
import { featureWords, outOfScopeText, splitClauses, titleCase, truncate } from '../../../executors/text';
import { extOf, isTestFile, sourceFiles, techStack, testRunner } from './repo';
import type { Seen } from './seen';
import { plain } from './requirements';

const LANGUAGES: Record<string, string> = {
  '.ts': 'TypeScript', '.tsx': 'TypeScript', '.js': 'JavaScript', '.jsx': 'JavaScript', '.mjs': 'JavaScript', '.cjs': 'JavaScript', '.py': 'Python',
  '.go': 'Go', '.rs': 'Rust', '.java': 'Java', '.kt': 'Kotlin', '.rb': 'Ruby', '.php': 'PHP', '.cs': 'C#', '.swift': 'Swift', '.vue': 'Vue', '.svelte': 'Svelte',
};
const MANIFEST = /(^|\/)(package\.json|tsconfig\.json|pyproject\.toml|requirements\.txt|go\.mod|Cargo\.toml|pom\.xml|build\.gradle|Gemfile|composer\.json)$/;

function scope(description: string): { inScope: string[]; outOfScope: string[] } {
  const clauses = splitClauses(description);
  return {
    inScope: clauses.filter((c) => outOfScopeText(c) === undefined).map(plain).slice(0, 6),
    outOfScope: clauses.flatMap((c) => {
      const out = outOfScopeText(c);
      return out ? [out] : [];
    }),
  };
}

export function autoExplore(seen: Seen): Record<string, unknown> {
  const { brief, files } = seen;
  const sources = sourceFiles(files);
  const structure: Record<string, string> = {};
  const counts = new Map<string, number>();
  for (const f of files) {
    const top = f.includes('/') ? `${f.split('/')[0]!}/` : f;
    counts.set(top, (counts.get(top) ?? 0) + 1);
  }
  for (const [top, n] of [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12)) structure[top] = top.endsWith('/') ? `${n} file${n === 1 ? '' : 's'}` : 'file';

  const languages = new Map<string, number>();
  for (const f of sources) {
    const name = LANGUAGES[extOf(f)];
    if (name) languages.set(name, (languages.get(name) ?? 0) + 1);
  }
  const entry = sources.filter((f) => /(^|\/)(index|main|app|server|cli)\.[a-z]+$/.test(f) && !isTestFile(f)).slice(0, 5);
  const manifests = files.filter((f) => MANIFEST.test(f)).slice(0, 6);
  const keyFiles = [
    ...manifests.map((path) => ({ path, purpose: 'project manifest / configuration' })),
    ...entry.map((path) => ({ path, purpose: 'entry point' })),
    ...(seen.read && !manifests.includes(seen.read.path) && !entry.includes(seen.read.path)
      ? [{ path: seen.read.path, purpose: `read while exploring (${seen.read.content.split('\n').length} lines)` }]
      : []),
    ...(seen.search?.paths ?? []).slice(0, 3).map((path) => ({ path, purpose: `matches "${seen.search!.query}"` })),
  ].filter((k, i, all) => all.findIndex((x) => x.path === k.path) === i);
  const tests = files.filter(isTestFile);
  const stack = techStack(files, brief.overview);
  const { inScope, outOfScope } = scope(brief.description);
  const words = featureWords(brief.title, 3);

  return {
    generated_by: 'fake-llm',
    codebase_summary:
      `${files.length} files listed, ${sources.length} of them source files` +
      `${languages.size > 0 ? ` (${[...languages.entries()].map(([l, n]) => `${l} ${n}`).join(', ')})` : ''}; ` +
      `top-level: ${Object.keys(structure).slice(0, 6).join(', ') || 'none'}.`,
    project_type: files.some((f) => /(^|\/)(routes?|server|api)(\/|\.)/.test(f)) ? 'web service' : files.some((f) => /\.(tsx|jsx|vue|svelte)$/.test(f)) ? 'web application' : 'library or tool',
    tech_stack: stack.length > 0 ? stack : ['unknown (no source files listed)'],
    structure,
    key_files: keyFiles,
    conventions: { test_runner: testRunner(files, brief.overview), test_files: tests.length },
    entry_points: entry,
    test_structure: tests.length > 0 ? `${tests.length} test files run by ${testRunner(files, brief.overview)}, e.g. ${tests.slice(0, 2).join(', ')}` : 'no test files listed',
    feature_summary: {
      name: titleCase(words),
      one_liner: truncate(plain(brief.title), 120),
      scope_in: inScope.length > 0 ? inScope : [plain(brief.title)],
      scope_out: outOfScope,
    },
    languages: [...languages.entries()].map(([name, n]) => ({ name, files: n })),
    files_scanned: files.length,
  };
}

export function autoPrd(seen: Seen): Record<string, unknown> {
  const { brief } = seen;
  const { inScope, outOfScope } = scope(brief.description);
  const goals = inScope.length > 0 ? inScope : [plain(brief.title)];
  return {
    generated_by: 'fake-llm',
    overview: {
      one_liner: truncate(plain(brief.title), 120),
      problem_statement: `Today the system does not ${goals[0]!.replace(/^./, (c) => c.toLowerCase())}.`,
      solution_summary: `Add ${featureWords(brief.title, 3).join(' ')} so that: ${goals.join('; ')}.`,
    },
    goals,
    user_stories: goals.map((goal, i) => ({
      id: `US-${String(i + 1).padStart(3, '0')}`,
      role: 'client of the system',
      want: goal,
      benefit: `the behaviour "${truncate(goal, 60)}" can be relied on and tested`,
      acceptance_criteria: [`A test exercising "${truncate(goal, 60)}" observes the documented response and stored state.`],
    })),
    scope: { in_scope: goals, out_of_scope: outOfScope },
  };
}
