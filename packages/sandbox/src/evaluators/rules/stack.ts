/**
 * Stack fit: a plan for a feature works in the repository's stack. It does not propose rewriting
 * or porting the system to another language or framework, its tests use the repository's runner,
 * and its test files follow the naming of the repository's language.
 */
import { posix } from 'node:path';
import type { PhaseData } from '@specline/protocol';
import { asArray, asRecord } from '../../analysis/shape';
import type { RepoView } from '../../types';
import { text } from '../scorecard';

interface Tech {
  name: string;
  regex: RegExp;
  kind: 'language' | 'framework' | 'data';
  /** Names that count as the same stack (a TypeScript repository is also a JavaScript/Node.js one). */
  family?: string;
}

const tech = (kind: Tech['kind'], name: string, regex: RegExp, family?: string): Tech => ({ name, regex, kind, ...(family ? { family } : {}) });

const TECHS: Tech[] = [
  tech('language', 'Rust', /\bRust\b/),
  // "Go" is also an English verb: only "Golang", "Go" before a code noun, or "in/to/into/with/using Go".
  tech('language', 'Go', /\bGolang\b|\bGo(?= (?:modules?|services?|code|binary|binaries|language|1\.\d+)\b)|(?<=\b(?:in|to|into|with|using) )Go\b/),
  tech('language', 'Java', /\bJava\b(?!Script)/, 'jvm'),
  tech('language', 'Kotlin', /\bKotlin\b/, 'jvm'),
  tech('language', 'Scala', /\bScala\b/, 'jvm'),
  tech('language', 'Python', /\bPython\b/),
  tech('language', 'Ruby', /\bRuby\b/),
  tech('language', 'Elixir', /\bElixir\b/),
  tech('language', 'Haskell', /\bHaskell\b/),
  tech('language', 'C#', /(?<!\w)C#|\.NET\b/),
  tech('language', 'C++', /(?<!\w)C\+\+/),
  tech('language', 'TypeScript', /\bTypeScript\b/, 'js'),
  tech('language', 'JavaScript', /\bJavaScript\b/, 'js'),
  tech('language', 'Node.js', /\bNode(?:\.js|JS)?\b(?!\s*(?:id|ids|type|list)\b)/, 'js'),
  tech('language', 'PHP', /\bPHP\b/),
  tech('language', 'Swift', /\bSwift\b/),
  tech('language', 'Deno', /\bDeno\b/, 'js'),
  tech('framework', 'Express', /\bExpress(?:\.js)?\b/),
  tech('framework', 'Fastify', /\bFastify\b/),
  tech('framework', 'Koa', /\bKoa\b/),
  tech('framework', 'NestJS', /\bNest(?:JS)?\b/),
  tech('framework', 'Hapi', /\bHapi\b/),
  tech('framework', 'Next.js', /\bNext\.js\b/),
  tech('framework', 'Django', /\bDjango\b/),
  tech('framework', 'Flask', /\bFlask\b/),
  tech('framework', 'FastAPI', /\bFastAPI\b/),
  tech('framework', 'Spring', /\bSpring(?: Boot)?\b/),
  tech('framework', 'Quarkus', /\bQuarkus\b/),
  tech('framework', 'Rails', /\b(?:Ruby on )?Rails\b/),
  tech('framework', 'Laravel', /\bLaravel\b/),
  tech('framework', 'Gin', /\bGin\b/),
  tech('framework', 'Actix', /\bActix(?:-web)?\b/),
  tech('framework', 'Axum', /\bAxum\b/),
  tech('framework', 'Phoenix', /\bPhoenix\b/),
  tech('framework', 'ASP.NET', /\bASP\.NET\b/),
  tech('framework', 'React', /\bReact\b/),
  tech('framework', 'Vue', /\bVue(?:\.js)?\b/),
  tech('framework', 'Angular', /\bAngular\b/),
  tech('framework', 'Svelte', /\bSvelte(?:Kit)?\b/),
  tech('data', 'Prisma', /\bPrisma\b/),
  tech('data', 'TypeORM', /\bTypeORM\b/),
  tech('data', 'Sequelize', /\bSequelize\b/),
  tech('data', 'Drizzle', /\bDrizzle\b/),
  tech('data', 'SQLAlchemy', /\bSQLAlchemy\b/),
  tech('data', 'Hibernate', /\bHibernate\b/),
  tech('data', 'MongoDB', /\bMongo(?:DB)?\b/),
  tech('data', 'PostgreSQL', /\bPostgre(?:SQL|s)\b/),
  tech('data', 'MySQL', /\bMySQL\b/),
];

const REWRITE_VERB = /\b(?:rewrit(?:e|es|ing|ten)|re-writ\w*|re-?implement\w*|port(?:s|ed|ing)?|migrat(?:e|es|ed|ing)|convert(?:s|ed|ing)?|replac(?:e|es|ed|ing)|switch(?:es|ed|ing)?|mov(?:e|es|ed|ing)|transition(?:s|ed|ing)?|rebuild(?:s|ing)?|rebuilt|re-?architect\w*|re-?platform\w*)\b/i;
const WHOLE = /\b(?:backend|back-end|frontend|front-end|server|service|services|api|app|application|codebase|code base|project|system|stack|monolith|everything|whole|entire|all (?:the )?code|existing code|platform)\b/i;
const NEGATED = /\b(?:no|not|without|never|instead of|rather than|avoid\w*|don't|do not|nor)\b/i;

export interface StackFacts {
  /** Names of the repository's languages, frameworks and tools, as found. */
  names: string[];
  /** Main language, when known. */
  language: string | null;
  runners: string[];
  /** File-name pattern of the repository's tests (`test_*.py`), when known. */
  testPattern: string | null;
}

/** What the repository is built with, from the code index and from EXPLORE's output. */
export function stackFacts(context: PhaseData, repo?: RepoView): StackFacts {
  const e = asRecord(context['explore']);
  const layout = asRecord(e?.['test_layout']);
  const strings = (value: unknown) => asArray(value).map((v) => text(v) ?? text(asRecord(v)?.['name'])).filter((v): v is string => v !== undefined);
  const languages = [...(repo?.languages.filter((l) => l.files > 0).map((l) => l.name) ?? []), ...strings(e?.['languages'])];
  const runners = [...new Set([...(repo?.testRunners ?? []), ...strings(layout?.['runners']), ...[text(layout?.['runner'])].filter((v): v is string => v !== undefined), ...strings(e?.['test_runners']), ...[text(e?.['test_runner'])].filter((v): v is string => v !== undefined)])];
  const names = [...new Set([...languages, ...strings(e?.['tech_stack']), ...strings(e?.['frameworks']), ...runners])];
  return { names, language: languages[0] ?? null, runners, testPattern: text(layout?.['pattern']) ?? null };
}

function inStack(t: Tech, facts: StackFacts): boolean {
  const current = TECHS.filter((other) => facts.names.some((name) => other.regex.test(name) || name.toLowerCase() === other.name.toLowerCase()));
  return current.some((c) => c.name === t.name || (t.family !== undefined && c.family === t.family));
}

const sentences = (prose: string) => prose.split(/(?<=[.!?])\s+|\n+/).filter((s) => s.trim() !== '');

export interface StackProblem {
  where: string;
  message: string;
}

/** Sentences of `prose` that propose replacing the stack, each as a problem. */
export function findStackRewrite(prose: string, where: string, facts: StackFacts): StackProblem[] {
  const out: StackProblem[] = [];
  const known = facts.names.length > 0;
  for (const sentence of sentences(prose)) {
    const verb = REWRITE_VERB.exec(sentence);
    if (!verb) continue;
    if (NEGATED.test(sentence.slice(0, verb.index))) continue;
    const after = sentence.slice(verb.index);
    const mentioned = TECHS.filter((t) => t.regex.test(after));
    const foreign = mentioned.filter((t) => (known ? !inStack(t, facts) : true));
    if (foreign.length === 0) continue;
    const replacesCurrent = known && mentioned.some((t) => inStack(t, facts));
    const target = foreign.find((t) => new RegExp(`\\b(?:in|to|into|with|using|on)\\s+(?:the\\s+)?(?:${t.regex.source})`).test(after));
    const whole = WHOLE.test(sentence);
    if (!(target && (whole || replacesCurrent)) && !(replacesCurrent && foreign.some((t) => t.kind !== 'data'))) continue;
    const name = (target ?? foreign[0]!).name;
    const stack = known ? facts.names.slice(0, 4).join(', ') : 'the existing stack';
    out.push({
      where,
      message: `proposes replacing the stack ("${sentence.trim().slice(0, 100)}"): a feature request is implemented in the repository's stack (${stack}), not by moving to ${name}; design the change inside the existing code`,
    });
  }
  return out;
}

interface Runner {
  name: string;
  regex: RegExp;
  language: 'js' | 'python' | 'jvm' | 'go' | 'ruby' | 'rust' | 'php' | 'dotnet' | 'e2e';
}

const RUNNERS: Runner[] = [
  { name: 'Vitest', regex: /\bvitest\b/i, language: 'js' },
  { name: 'Jest', regex: /\bjest\b/i, language: 'js' },
  { name: 'Mocha', regex: /\bmocha\b/i, language: 'js' },
  { name: 'AVA', regex: /\bAVA\b/, language: 'js' },
  { name: 'Jasmine', regex: /\bjasmine\b/i, language: 'js' },
  { name: 'node:test', regex: /\bnode:test\b|\bnode --test\b/i, language: 'js' },
  { name: 'Playwright', regex: /\bplaywright\b/i, language: 'e2e' },
  { name: 'Cypress', regex: /\bcypress\b/i, language: 'e2e' },
  { name: 'pytest', regex: /\bpy\.?test\b/i, language: 'python' },
  { name: 'unittest', regex: /\bunittest\b(?!\.mock)/i, language: 'python' },
  { name: 'JUnit', regex: /\bjunit\s*\d*\b/i, language: 'jvm' },
  { name: 'TestNG', regex: /\btestng\b/i, language: 'jvm' },
  { name: 'Spock', regex: /\bspock\b/i, language: 'jvm' },
  { name: 'go test', regex: /\bgo test\b|\btesting\.T\b/, language: 'go' },
  { name: 'RSpec', regex: /\brspec\b/i, language: 'ruby' },
  { name: 'Minitest', regex: /\bminitest\b/i, language: 'ruby' },
  { name: 'cargo test', regex: /\bcargo test\b/i, language: 'rust' },
  { name: 'PHPUnit', regex: /\bphpunit\b/i, language: 'php' },
  { name: 'xUnit', regex: /\bxunit\b/i, language: 'dotnet' },
  { name: 'NUnit', regex: /\bnunit\b/i, language: 'dotnet' },
];

const runnerOf = (name: string) => RUNNERS.find((r) => r.regex.test(name) || r.name.toLowerCase() === name.toLowerCase());

/** Test runners named in `prose` that the repository does not use. */
export function foreignRunners(prose: string, facts: StackFacts): { named: string[]; foreign: string[] } {
  const named = RUNNERS.filter((r) => r.regex.test(prose)).map((r) => r.name);
  const repoRunners = facts.runners.map(runnerOf).filter((r): r is Runner => r !== undefined).map((r) => r.name);
  return { named, foreign: repoRunners.length === 0 ? [] : named.filter((n) => !repoRunners.includes(n)) };
}

type Lang = 'js' | 'python' | 'jvm' | 'go' | 'ruby' | 'rust' | 'php' | 'dotnet';
const LANG_OF_EXT: Record<string, Lang> = { ts: 'js', tsx: 'js', js: 'js', jsx: 'js', mjs: 'js', cjs: 'js', mts: 'js', cts: 'js', py: 'python', java: 'jvm', kt: 'jvm', groovy: 'jvm', scala: 'jvm', go: 'go', rb: 'ruby', rs: 'rust', php: 'php', cs: 'dotnet' };
const LANG_OF_NAME: Record<string, Lang> = { typescript: 'js', javascript: 'js', python: 'python', java: 'jvm', kotlin: 'jvm', groovy: 'jvm', scala: 'jvm', go: 'go', ruby: 'ruby', rust: 'rust', php: 'php', 'c#': 'dotnet' };
const LANG_LABEL: Record<Lang, string> = { js: 'TypeScript/JavaScript', python: 'Python', jvm: 'Java/Kotlin', go: 'Go', ruby: 'Ruby', rust: 'Rust', php: 'PHP', dotnet: 'C#' };
/** Test file names each language's runners pick up. */
const TEST_NAMES: Record<Lang, { valid: RegExp; example: string }> = {
  js: { valid: /(?:\.(?:test|spec)\.[cm]?[jt]sx?$)|(?:^|\/)(?:__tests__|tests?)\/[^/]+\.[cm]?[jt]sx?$/, example: '*.test.ts' },
  python: { valid: /(?:^|\/)(?:test_[^/]*|[^/]*_test|conftest)\.py$/, example: 'test_*.py' },
  jvm: { valid: /(?:^|\/)[A-Z]\w*(?:Test|Tests|IT|Spec)\.(?:java|kt|groovy|scala)$/, example: '*Test.java' },
  go: { valid: /_test\.go$/, example: '*_test.go' },
  ruby: { valid: /(?:_spec|_test)\.rb$|(?:^|\/)test_[^/]*\.rb$/, example: '*_spec.rb' },
  rust: { valid: /\.rs$/, example: 'tests/*.rs' },
  php: { valid: /Test\.php$/, example: '*Test.php' },
  dotnet: { valid: /Tests?\.cs$/, example: '*Tests.cs' },
};
/** Test-looking file names and patterns: `*.test.java`, `test_limiter.py`, `LimiterTest.java`. */
const TEST_TOKEN = /(?<![\w/.-])((?:[\w.@*-]+\/)*(?:\*|[\w-]*)?(?:[._-](?:test|spec)s?(?=\.)|test_|Tests?(?=\.)|IT(?=\.)|Spec(?=\.))[\w.*-]*\.[a-z]{1,6})(?![\w/-])/g;

function repoLang(facts: StackFacts): Lang | null {
  for (const name of facts.names) {
    const lang = LANG_OF_NAME[name.toLowerCase()];
    if (lang) return lang;
  }
  return null;
}

/** Test file names and patterns in `prose` (and `paths`) that do not fit the repository's language. */
export function testNamingProblems(prose: string, paths: readonly string[], facts: StackFacts): { name: string; severity: 'error' | 'warning'; message: string }[] {
  const lang = repoLang(facts);
  if (!lang) return [];
  const names = new Set<string>([...prose.matchAll(TEST_TOKEN)].map((m) => m[1]!).filter((n) => /\.[a-z]{1,6}$/.test(n)));
  for (const path of paths) if (/(?:[._-](?:test|spec)s?\.|(?:^|\/)test_|Tests?\.|IT\.|Spec\.)/.test(posix.basename(path))) names.add(path);
  const out: { name: string; severity: 'error' | 'warning'; message: string }[] = [];
  for (const name of names) {
    const ext = /\.([a-z]{1,6})$/.exec(name)?.[1] ?? '';
    const own = LANG_OF_EXT[ext];
    if (!own) continue;
    const sample = name.replace(/\*/g, 'Limiter');
    if (own !== lang) {
      out.push({ name, severity: 'error', message: `"${name}" is a ${LANG_LABEL[own]} test file, but the repository is ${LANG_LABEL[lang]}: name tests like ${facts.testPattern ?? TEST_NAMES[lang].example}` });
    } else if (!TEST_NAMES[lang].valid.test(sample)) {
      out.push({ name, severity: 'error', message: `"${name}" is not a ${LANG_LABEL[lang]} test file name the runner picks up: name tests like ${facts.testPattern ?? TEST_NAMES[lang].example}` });
    } else if (name.includes('*') && facts.testPattern && !facts.testPattern.split(/[\s,]+/).includes(name)) {
      out.push({ name, severity: 'warning', message: `"${name}" differs from the repository's test naming (${facts.testPattern}): follow it` });
    }
  }
  return out;
}
