/**
 * What the later phases need to know about the stack, read leniently from the EXPLORE output (which
 * may come from this planner, from a model, or from a hand edit): language, frameworks, test runner,
 * naming style, where new server-side code goes.
 */
import { asArray, asRecord } from '../analysis/shape';
import { featureWords, toCase } from './text';

export interface StackProfile {
  language: string;
  /** File extension for new source files (`ts`, `py`, `go` …). */
  ext: string;
  frameworks: string[];
  httpFramework: string | undefined;
  frontendFramework: string | undefined;
  testRunner: string | undefined;
  /** `*.test.ts` */
  testPattern: string;
  colocatedTests: boolean;
  namingStyle: string;
  /** Directory new feature code goes under (`apps/server/src`, `src`, `internal` …). */
  sourceRoot: string;
  /** Directory front-end code goes under, when there is a front end. */
  frontendRoot: string | undefined;
  /** Existing directories below the source directories (`apps/server/src/plugins` …). */
  subdirs: string[];
  /** Command that runs the tests. */
  testCommand: string;
  hasLogger: boolean;
}

const EXT_BY_LANGUAGE: Readonly<Record<string, string>> = {
  TypeScript: 'ts', JavaScript: 'js', Python: 'py', Go: 'go', Rust: 'rs', Java: 'java', Kotlin: 'kt', Ruby: 'rb', PHP: 'php', 'C#': 'cs',
};
const HTTP = ['Fastify', 'Express', 'Koa', 'Hono', 'NestJS', 'hapi', 'Django', 'Django REST framework', 'Flask', 'FastAPI', 'Starlette', 'aiohttp', 'Gin', 'Echo', 'chi', 'Fiber', 'Actix Web', 'Axum', 'Rocket', 'Spring Boot', 'Ruby on Rails', 'Sinatra', 'Laravel', 'Next.js'];
const FRONTEND = ['Next.js', 'React', 'Vue', 'Svelte', 'Angular', 'Solid', 'Nuxt'];
const UNIT_RUNNERS = ['Vitest', 'Jest', 'Mocha', 'AVA', 'pytest', 'unittest', 'go test', 'cargo test', 'JUnit', 'RSpec', 'PHPUnit'];

function strings(value: unknown): string[] {
  return asArray(value).filter((v): v is string => typeof v === 'string');
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function findIn(haystack: readonly string[], names: readonly string[]): string | undefined {
  return names.find((name) => haystack.some((h) => h.toLowerCase() === name.toLowerCase() || h.toLowerCase().startsWith(`${name.toLowerCase()} `)));
}

export function stackProfile(explore: unknown): StackProfile {
  const e = asRecord(explore) ?? {};
  const languages = asArray(e['languages']).map((l) => str(asRecord(l)?.['name'])).filter((l): l is string => l !== undefined);
  const techStack = strings(e['tech_stack']);
  const frameworks = [...new Set([...strings(e['frameworks']), ...techStack])];
  const language = languages.find((l) => EXT_BY_LANGUAGE[l] !== undefined) ?? techStack.find((t) => EXT_BY_LANGUAGE[t] !== undefined) ?? 'TypeScript';
  const ext = EXT_BY_LANGUAGE[language] ?? 'ts';
  const httpFramework = findIn(frameworks, HTTP);
  const testRunner = str(e['test_runner']) ?? findIn(frameworks, UNIT_RUNNERS) ?? UNIT_RUNNERS.find((r) => (str(e['test_structure']) ?? '').toLowerCase().includes(r.toLowerCase()));
  const conventions = asRecord(e['conventions']) ?? {};
  const placement = `${str(conventions['test_placement']) ?? ''} ${str(conventions['testing']) ?? ''} ${str(e['test_structure']) ?? ''}`.toLowerCase();
  const sourceDirs = strings(e['source_dirs']);
  const rootOf = (framework: string | undefined): string | undefined => {
    const declared = asArray(e['framework_details']).map(asRecord).find((f) => f !== undefined && framework !== undefined && str(f['name']) === framework);
    const manifestDir = strings(declared?.['declared_in'])[0]?.replace(/\/?[^/]*$/, '');
    if (manifestDir === undefined) return undefined;
    return sourceDirs.find((d) => d === `${manifestDir}/src`) ?? (manifestDir === '' ? undefined : sourceDirs.find((d) => d.startsWith(`${manifestDir}/`)));
  };
  const frontendFramework = findIn(frameworks, FRONTEND);
  const sourceRoot =
    rootOf(httpFramework) ??
    sourceDirs.find((d) => /(^|\/)(server|api|backend)(\/|$)/.test(d)) ??
    sourceDirs[0] ??
    (ext === 'go' ? 'internal' : ext === 'py' ? 'src' : 'src');
  const testPattern =
    ext === 'py' ? 'test_*.py' : ext === 'go' ? '*_test.go' : ext === 'rs' ? '#[cfg(test)] modules' : /(\*\.(?:test|spec)\.[a-z]+)/.exec(`${str(e['test_structure']) ?? ''}`)?.[1] ?? `*.test.${ext}`;
  const runnerCommand: Record<string, string> = { Vitest: 'npx vitest run', Jest: 'npx jest', pytest: 'pytest', unittest: 'python -m unittest', 'go test': 'go test ./...', 'cargo test': 'cargo test' };
  const packageManager = str(e['package_manager']);
  return {
    language,
    ext,
    frameworks,
    httpFramework,
    frontendFramework,
    frontendRoot: rootOf(frontendFramework) ?? (frontendFramework ? sourceDirs.find((d) => /(^|\/)(web|frontend|client|ui)(\/|$)/.test(d)) : undefined),
    subdirs: strings(e['source_subdirs']),
    testRunner,
    testPattern,
    colocatedTests: placement.includes('colocated') || (ext !== 'py' && !placement.includes('separate')),
    namingStyle: str(asRecord(conventions['naming_by_source_dir'])?.[sourceRoot]) ?? str(conventions['file_naming_style']) ?? (ext === 'py' || ext === 'rs' ? 'snake_case' : ext === 'go' ? 'lowercase' : 'camelCase'),
    sourceRoot,
    testCommand: packageManager === 'npm' || packageManager === 'yarn' || packageManager === 'pnpm' ? `${packageManager} test` : (testRunner && runnerCommand[testRunner]) ?? 'the project test command',
    hasLogger: frameworks.some((f) => /fastify|pino|winston|nestjs|django|spring/i.test(f)),
  };
}

/** Path of a new source file for the feature under the profile's source root, in the observed naming style. */
export function featureFile(profile: StackProfile, title: string, ...nameWords: string[]): string {
  const feature = toCase(featureWords(title), profile.namingStyle === 'PascalCase' ? 'camelCase' : profile.namingStyle);
  const file = toCase(nameWords.length > 0 ? nameWords : featureWords(title), profile.namingStyle);
  return `${profile.sourceRoot}/${feature}/${file}.${profile.ext}`;
}

/**
 * Where a new file goes: inside an existing conventional directory of the source root when there is
 * one (`plugins/`, `middleware/` …), else in a directory of its own for the feature.
 */
export function placeFile(profile: StackProfile, title: string, existingDirs: readonly string[], ...nameWords: string[]): string {
  const existing = existingDirs.map((d) => `${profile.sourceRoot}/${d}`).find((d) => profile.subdirs.includes(d));
  if (existing) return `${existing}/${toCase(featureWords(title), profile.namingStyle)}.${profile.ext}`;
  return featureFile(profile, title, ...nameWords);
}

/** Path of the test file next to (or for) a source file, following the observed test placement. */
export function testFileFor(profile: StackProfile, sourceFile: string): string {
  const dot = sourceFile.lastIndexOf('.');
  const stem = sourceFile.slice(0, dot);
  switch (profile.ext) {
    case 'py': {
      const base = stem.slice(stem.lastIndexOf('/') + 1);
      return `tests/test_${base}.py`;
    }
    case 'go':
      return `${stem}_test.go`;
    default: {
      const suffix = /\*(\.(?:test|spec)\.[a-z]+)/.exec(profile.testPattern)?.[1] ?? `.test.${profile.ext}`;
      if (profile.colocatedTests) return `${stem}${suffix}`;
      return `test/${stem.slice(stem.lastIndexOf('/') + 1)}${suffix}`;
    }
  }
}
