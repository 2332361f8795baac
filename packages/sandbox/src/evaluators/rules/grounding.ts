/**
 * Grounding in the repository (only with a {@link RepoView}): every path a plan modifies exists;
 * every path it creates is in the repository's language (config, docs, templates and migrations
 * excepted) and in a plausible directory (its parent exists, or its grandparent does and the layout
 * matches: a new Python package gets its `__init__.py` when its parent is a package).
 */
import { posix } from 'node:path';
import { asRecord } from '../../analysis/shape';
import type { RepoView } from '../../types';
import type { PlannedPath } from './paths';

export interface GroundingProblem {
  path: string;
  where: string;
  severity: 'error' | 'warning';
  message: string;
}

/** Files whose language is not judged: configuration, documentation, data, templates, assets. */
const NON_CODE = /\.(?:md|mdx|rst|txt|adoc|ya?ml|json|jsonc|json5|toml|ini|cfg|conf|properties|env|lock|sql|prisma|graphql|gql|proto|html?|jinja2?|j2|hbs|handlebars|ejs|mustache|njk|liquid|erb|twig|css|scss|sass|less|svg|png|jpe?g|gif|ico|webp|csv|xml|example|sample|tmpl|tpl)$/i;
const NON_CODE_NAMES = /^(?:Dockerfile|Makefile|Procfile|Justfile|\.gitignore|\.dockerignore|\.env(?:\..+)?|\.editorconfig|\.nvmrc|\.python-version|LICENSE|CHANGELOG|CODEOWNERS)$/i;
const MIGRATION = /(?:^|\/)(?:migrations?|alembic|db\/migrate|changelog|flyway|liquibase)\//i;
/** Languages one may add to a repository of another without changing its stack. */
const GLUE = new Set(['Shell', 'Bash', 'PowerShell', 'Batchfile', 'Makefile', 'Dockerfile', 'HTML', 'CSS', 'SCSS', 'Less', 'SQL', 'HCL', 'GraphQL', 'Protocol Buffers', 'Markdown', 'YAML', 'JSON', 'TOML']);
const FAMILIES: string[][] = [['TypeScript', 'JavaScript', 'TSX', 'JSX', 'Vue', 'Svelte'], ['C', 'C++', 'Objective-C'], ['Java', 'Kotlin', 'Groovy', 'Scala']];
const EXTENSION_OF: Record<string, string> = { TypeScript: '.ts', JavaScript: '.js', Python: '.py', Java: '.java', Kotlin: '.kt', Go: '.go', Ruby: '.rb', Rust: '.rs', PHP: '.php', 'C#': '.cs', Scala: '.scala', Elixir: '.ex', Swift: '.swift' };

export function isNonCode(path: string): boolean {
  const base = posix.basename(path);
  return NON_CODE.test(base) || NON_CODE_NAMES.test(base) || MIGRATION.test(path);
}

const sameFamily = (a: string, b: string) => FAMILIES.some((family) => family.includes(a) && family.includes(b));

/** The deepest existing directory above `path` ('' for the repository root). */
export function closestExistingDir(repo: RepoView, path: string): string {
  let dir = posix.dirname(path);
  while (dir !== '.' && dir !== '' && !repo.isDir(dir)) dir = posix.dirname(dir);
  return dir === '.' ? '' : dir;
}

/** Every file path of the view, when it can list them (a code index can; a bare RepoView cannot). */
function listFiles(repo: RepoView): string[] {
  const files: unknown = (repo as { files?: unknown }).files;
  if (!Array.isArray(files)) return [];
  return files.map((f: unknown) => asRecord(f)?.['path']).filter((p): p is string => typeof p === 'string');
}

/** Files elsewhere in the repository with the same name (only when the view can list files). */
function sameNamed(repo: RepoView, path: string): string[] {
  const base = posix.basename(path);
  return listFiles(repo).filter((f) => posix.basename(f) === base && f !== path).slice(0, 2);
}

function languageSummary(repo: RepoView): string {
  return repo.languages.filter((l) => l.files > 0).slice(0, 3).map((l) => `${l.name} ${l.files}`).join(', ');
}

/** Is a new file's language one the repository is written in? */
function languageProblem(repo: RepoView, planned: PlannedPath): GroundingProblem | null {
  if (isNonCode(planned.path)) return null;
  const language = repo.languageOf(planned.path);
  if (language === null || GLUE.has(language)) return null;
  const langs = repo.languages.filter((l) => l.files > 0 && !GLUE.has(l.name));
  if (langs.length === 0) return null;
  const total = langs.reduce((sum, l) => sum + l.files, 0);
  const main = langs[0]!;
  const mine = langs.find((l) => l.name === language);
  const base = { path: planned.path, where: planned.where };
  const ext = EXTENSION_OF[main.name];
  const instead = ext ? `plan ${main.name} files (${ext}) like the rest of the code` : `plan ${main.name} files like the rest of the code`;
  if (mine) {
    if (mine === main || mine.files / total >= 0.1) return null;
    return { ...base, severity: 'warning', message: `"${planned.path}" is ${language}, a minor language here (${mine.files} of ${total} source files; mostly ${main.name}): ${instead}, unless this part is ${language} already` };
  }
  if (langs.some((l) => sameFamily(l.name, language))) {
    return { ...base, severity: 'warning', message: `"${planned.path}" is ${language}, but the repository is written in ${languageSummary(repo)}: ${instead}` };
  }
  return { ...base, severity: 'error', message: `"${planned.path}" is ${language}, but the repository is written in ${languageSummary(repo)} and has no ${language}: ${instead}` };
}

const TEST_DIR = /(?:^|\/)(?:tests?|__tests__|specs?|src\/test)\//;
const TEST_NAME = /(?:^test_|_test\.|\.(?:test|spec)\.|Tests?\.|IT\.|Spec\.|^conftest\.py$|^__init__\.py$)/;
const JVM_DIR: Record<string, string> = { Java: 'java', Kotlin: 'kotlin', Scala: 'scala', Groovy: 'groovy' };

/** The deepest directory holding every file of `paths`. */
function commonDir(paths: readonly string[]): string {
  if (paths.length === 0) return '';
  let common = posix.dirname(paths[0]!).split('/');
  for (const path of paths.slice(1)) {
    const parts = posix.dirname(path).split('/');
    let k = 0;
    while (k < common.length && k < parts.length && common[k] === parts[k]) k++;
    common = common.slice(0, k);
  }
  return common.join('/');
}

/** Layout conventions: no implementation code in a test tree; JVM sources under src/main/<lang>/ (tests under src/test/<lang>/). */
function layoutProblem(repo: RepoView, planned: PlannedPath): GroundingProblem | null {
  const base = { path: planned.path, where: planned.where };
  const name = posix.basename(planned.path);
  if (planned.role === 'implementation' && !isNonCode(planned.path) && TEST_DIR.test(planned.path) && !TEST_NAME.test(name)) {
    const language = repo.languageOf(planned.path);
    const sources = listFiles(repo).filter((f) => repo.languageOf(f) === language && !TEST_DIR.test(f) && !TEST_NAME.test(posix.basename(f)));
    const home = commonDir(sources);
    return { ...base, severity: 'error', message: `"${planned.path}" is implementation code placed in a test directory: put it with the source code${home ? ` (under ${home}/)` : ''} and keep the tests directory for tests` };
  }
  const language = repo.languageOf(planned.path);
  const dir = language ? JVM_DIR[language] : undefined;
  if (dir) {
    const main = `src/main/${dir}`;
    const test = `src/test/${dir}`;
    const rooted = new RegExp(`(?:^|/)src/(?:main|test)/${dir}/`).test(planned.path);
    const hasRoot = repo.isDir(main) || listFiles(repo).some((f) => f.includes(`/${main}/`));
    if (!rooted && hasRoot) {
      const isTest = planned.role === 'test' || TEST_NAME.test(name);
      const packageDir = commonDir(listFiles(repo).filter((f) => f.startsWith(`${isTest ? test : main}/`) && f.endsWith(`.${dir === 'java' ? 'java' : dir === 'kotlin' ? 'kt' : dir}`)));
      return { ...base, severity: 'error', message: `"${planned.path}" is outside the ${language} source root: ${language} ${isTest ? 'tests live' : 'classes live'} in packages under ${isTest ? test : main}/${packageDir.length > (isTest ? test : main).length ? ` (e.g. ${packageDir}/)` : ''}` };
    }
  }
  return null;
}

/** Is a new file's directory plausible? */
function directoryProblem(repo: RepoView, planned: PlannedPath, created: ReadonlySet<string>): GroundingProblem | null {
  const base = { path: planned.path, where: planned.where };
  const layout = layoutProblem(repo, planned);
  if (layout) return layout;
  const parent = posix.dirname(planned.path);
  if (parent === '.' || repo.isDir(parent)) return null;
  if (MIGRATION.test(planned.path)) {
    // A new migration folder: the directory holding the migrations tree must exist.
    const root = planned.path.slice(0, planned.path.search(MIGRATION));
    return root === '' || repo.isDir(root.replace(/\/$/, '')) ? null : { ...base, severity: 'error', message: `"${planned.path}" puts migrations under ${root}, which does not exist` };
  }
  const grandparent = posix.dirname(parent);
  const nearest = closestExistingDir(repo, planned.path);
  if (grandparent === '.') {
    // A new docs/ or config/ directory is ordinary; a new top-level code directory is not.
    if (isNonCode(planned.path)) return null;
    return { ...base, severity: 'warning', message: `"${planned.path}" starts a new top-level directory ${parent}/: put it next to the code it belongs with${nearest ? ` (e.g. under ${nearest}/)` : ''}, or say why a new top-level directory is needed` };
  }
  if (!repo.isDir(grandparent)) {
    const hint = nearest === '' ? 'an existing directory' : `an existing directory such as ${nearest}/`;
    return { ...base, severity: 'error', message: `"${planned.path}" is in ${parent}/, which does not exist, and neither does ${grandparent}/: put it in ${hint}` };
  }
  // A new sub-package of a Python package needs its __init__.py.
  if (planned.path.endsWith('.py') && repo.exists(`${grandparent}/__init__.py`) && !created.has(`${parent}/__init__.py`)) {
    return { ...base, severity: 'warning', message: `"${planned.path}" is in a new package ${parent}/ of the package ${grandparent}/: add ${parent}/__init__.py to the plan, as the other packages have one` };
  }
  return null;
}

/**
 * Problems with the paths of a plan. `alsoCreated` are paths created elsewhere in the plan (by the
 * design, for the tasks), so a task may modify a file the design creates.
 */
export function checkPaths(repo: RepoView, paths: readonly PlannedPath[], alsoCreated: readonly string[] = []): { problems: GroundingProblem[]; checked: number; good: number } {
  const created = new Set([...alsoCreated, ...paths.filter((p) => p.source === 'field' && (p.change === 'create' || (p.change === 'unspecified' && !repo.exists(p.path)))).map((p) => p.path)]);
  const inFields = new Set(paths.filter((p) => p.source === 'field').map((p) => p.path));
  const problems: GroundingProblem[] = [];
  let checked = 0;
  let good = 0;
  const seen = new Set<string>();
  for (const planned of paths) {
    const key = `${planned.where}\u0000${planned.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // A path in prose that a field already lists is judged by the field.
    if (planned.source === 'text' && inFields.has(planned.path)) continue;
    const exists = repo.exists(planned.path);
    const found: GroundingProblem[] = [];
    const base = { path: planned.path, where: planned.where };
    if (planned.source === 'text') {
      // Prose names a repository path only when its first directory is part of the repository.
      const top = planned.path.split('/')[0]!;
      if (!planned.path.includes('/') || !repo.isDir(top)) {
        if (!exists) continue;
      }
    }
    checked++;
    const isDirOnly = exists && repo.isDir(planned.path);
    if (planned.change === 'modify' || planned.change === 'delete') {
      if (!exists && !created.has(planned.path)) {
        const twins = sameNamed(repo, planned.path);
        const nearest = closestExistingDir(repo, planned.path);
        const hint = twins.length > 0 ? `did you mean ${twins.join(' or ')}?` : `name an existing file${nearest ? ` (the closest existing directory is ${nearest}/)` : ''}, or list it as a file to create`;
        const verb = planned.change === 'delete' ? 'deletes' : 'modifies';
        const said = planned.source === 'text' ? `the text says it ${verb}` : `it ${verb}`;
        found.push({ ...base, severity: 'error', message: `"${planned.path}" does not exist in the repository, but ${said} it: ${hint}` });
      }
    } else if (planned.change === 'create' || (planned.change === 'unspecified' && !exists)) {
      if (exists && !isDirOnly) {
        if (planned.change === 'create') found.push({ ...base, severity: 'warning', message: `"${planned.path}" already exists: it would be modified, not created; list it as a file to modify` });
      } else if (planned.source === 'text' && planned.change === 'unspecified' && !created.has(planned.path) && !(planned.role === 'test' && TEST_NAME.test(posix.basename(planned.path)))) {
        found.push({ ...base, severity: 'warning', message: `mentions "${planned.path}", which does not exist and which nothing in the plan creates: name an existing file or add it to a component's or task's files` });
      } else {
        if (planned.source === 'field' && planned.change === 'unspecified' && planned.where.includes('components[')) {
          found.push({ ...base, severity: 'warning', message: `"${planned.path}" does not exist yet: mark the component change: "create" (or name the existing file it modifies)` });
        }
        const language = languageProblem(repo, planned);
        if (language) found.push(language);
        const dir = directoryProblem(repo, planned, created);
        if (dir) found.push(dir);
      }
    }
    problems.push(...found);
    good += found.some((p) => p.severity === 'error') ? 0 : found.length > 0 ? 0.5 : 1;
  }
  return { problems, checked, good };
}

/**
 * A plan that creates code but changes no existing source file never connects the new code to the
 * application (no route registered, no middleware mounted). A warning naming an entry point to wire into.
 */
export function unwiredPlan(repo: RepoView, paths: readonly PlannedPath[], entryPoints: readonly string[]): GroundingProblem | null {
  const fields = paths.filter((p) => p.source === 'field');
  const createdCode = fields.filter((p) => p.role === 'implementation' && (p.change === 'create' || p.change === 'unspecified') && !isNonCode(p.path) && !repo.exists(p.path));
  if (createdCode.length === 0) return null;
  const modifiesCode = paths.some((p) => p.change === 'modify' && repo.exists(p.path) && !isNonCode(p.path) && !repo.isDir(p.path));
  if (modifiesCode) return null;
  const entry = entryPoints.find((e) => repo.exists(e) && !isNonCode(e));
  return {
    path: '',
    where: 'tasks',
    severity: 'warning',
    message: `creates ${createdCode.length} source file(s) but modifies no existing source file: add the step that wires the new code into the application${entry ? ` (e.g. modify ${entry})` : ''}, listed under files_to_modify`,
  };
}
