/**
 * Puts the per-file raw facts together into the repository's facts: router prefixes applied across
 * files (`app.include_router(api_router, prefix=settings.API_V1_STR)` in one file, `@router.get("/x")`
 * in another), model base classes declared elsewhere, dependencies located at their definitions,
 * test runners from manifests, configs, imports and file names, entry points from code and manifests.
 * Pure: no I/O.
 */
import path from 'node:path';
import { frameworkFor, TEST_RUNNER_CONFIGS } from './catalog';
import { joinPaths } from './extract/common';
import { AUTH_NAME as PY_AUTH_NAME } from './extract/python';
import type { PrefixPart, RawClass, RawFacts } from './extract/raw';
import { basenameOf, dirnameOf } from './languages';
import { resolveTests } from './resolveTests';
import type { CodeFacts, EntryPointFact, IndexedFile, LocatedFact, ManifestFact, ModelFact, RouteFact } from './types';

export interface Collected {
  files: readonly IndexedFile[];
  raw: ReadonlyMap<string, Partial<RawFacts>>;
  manifests: readonly ManifestFact[];
}

const MAX_MOUNT_DEPTH = 8;

class ModuleResolver {
  private readonly fileSet: ReadonlySet<string>;
  /** Python module's last segment → files (`login` → `src/shop/api/routes/login.py`). */
  private readonly pyByLast = new Map<string, string[]>();

  constructor(files: readonly IndexedFile[]) {
    this.fileSet = new Set(files.map((f) => f.path));
    for (const f of files) {
      if (f.language !== 'Python') continue;
      const stem = f.path.replace(/\.pyi?$/, '').replace(/\/__init__$/, '');
      const last = stem.slice(stem.lastIndexOf('/') + 1);
      const list = this.pyByLast.get(last) ?? [];
      list.push(f.path);
      this.pyByLast.set(last, list);
    }
  }

  /** `./routes/posts.js` from `src/app.ts` → `src/routes/posts.ts`. */
  js(from: string, source: string): string | undefined {
    if (!source.startsWith('.')) return undefined;
    const base = path.posix.normalize(path.posix.join(dirnameOf(from), source));
    const noExt = base.replace(/\.[cm]?[jt]sx?$/, '');
    const candidates = [base, `${noExt}.ts`, `${noExt}.tsx`, `${noExt}.js`, `${noExt}.jsx`, `${noExt}.mts`, `${noExt}.mjs`, `${base}/index.ts`, `${base}/index.tsx`, `${base}/index.js`];
    return candidates.find((c) => this.fileSet.has(c));
  }

  /** `shop.api.routes.login` (or `.routes` relative to `from`) → its file. */
  py(from: string, module: string): string | undefined {
    const dotted = module;
    if (dotted.startsWith('.')) {
      const dots = /^\.+/.exec(dotted)![0].length;
      let dir = dirnameOf(from);
      for (let i = 1; i < dots; i++) dir = dirnameOf(dir);
      const rest = dotted.slice(dots);
      const rel = rest === '' ? dir : `${dir === '' ? '' : `${dir}/`}${rest.replace(/\./g, '/')}`;
      return [`${rel}.py`, `${rel}/__init__.py`].find((c) => this.fileSet.has(c));
    }
    const parts = dotted.split('.');
    const last = parts[parts.length - 1]!;
    const suffix = parts.join('/');
    const matches = (this.pyByLast.get(last) ?? []).filter((f) => {
      const stem = f.replace(/\.pyi?$/, '').replace(/\/__init__$/, '');
      return stem === suffix || stem.endsWith(`/${suffix}`);
    });
    return matches.sort((a, b) => a.length - b.length || (a < b ? -1 : 1))[0];
  }
}

function normaliseRoute(route: string, framework: string): string {
  let out = route.replace(/\/{2,}/g, '/');
  if (!out.startsWith('/')) out = `/${out}`;
  const keepsTrailingSlash = framework === 'FastAPI' || framework === 'Flask' || framework === 'Django' || framework === 'Starlette';
  if (!keepsTrailingSlash && out.length > 1 && out.endsWith('/')) out = out.slice(0, -1);
  return out;
}

const IMPORT_FRAMEWORKS: readonly [RegExp, string][] = [
  [/^fastapi(\.|$)/, 'FastAPI'], [/^flask(\.|$)/, 'Flask'], [/^django(\.|$)/, 'Django'], [/^starlette(\.|$)/, 'Starlette'],
  [/^express$/, 'Express'], [/^fastify$/, 'Fastify'], [/^(koa|@koa\/router|koa-router)$/, 'Koa'], [/^hono(\/|$)/, 'Hono'], [/^@nestjs\//, 'NestJS'],
  [/^github\.com\/gin-gonic\/gin/, 'Gin'], [/^github\.com\/labstack\/echo/, 'Echo'], [/^github\.com\/go-chi\/chi/, 'chi'],
  [/^github\.com\/gofiber\/fiber/, 'Fiber'], [/^github\.com\/gorilla\/mux/, 'gorilla/mux'], [/^net\/http$/, 'net/http'],
];
const ROUTER_FRAMEWORKS: Readonly<Record<string, string>> = { Router: 'Express', express: 'Express', Fastify: 'Fastify', fastify: 'Fastify', Hono: 'Hono', Koa: 'Koa', KoaRouter: 'Koa', Elysia: 'Elysia' };

function fileFramework(raw: Partial<RawFacts> | undefined): string | undefined {
  for (const [pattern, name] of IMPORT_FRAMEWORKS) if (raw?.imports?.some((i) => pattern.test(i.source))) return name;
  return undefined;
}

/** Routes with the prefixes of the routers they are mounted on, wherever those mounts are. */
function resolveRoutes(collected: Collected, resolver: ModuleResolver, constants: ReadonlyMap<string, string>, repoHttp: string | undefined): RouteFact[] {
  const { raw } = collected;
  const prefixText = (parts: readonly PrefixPart[] | undefined) => (parts ?? []).map((p) => ('text' in p ? p.text : (constants.get(p.ref) ?? ''))).join('');
  const into = new Map<string, { file: string; owners: string[]; prefix: PrefixPart[] }[]>();
  const exportLocal = (file: string, name: string): string => {
    const local = raw.get(file)?.exports?.[name];
    return local && !local.startsWith('reexport:') && local !== 'default' ? local : name;
  };
  for (const [file, facts] of raw) {
    for (const mount of facts.mounts ?? []) {
      const { local, member } = mount.target;
      let childFile: string | undefined;
      let childName: string | undefined;
      if (local.startsWith('module:')) {
        childFile = resolver.py(file, local.slice('module:'.length));
        childName = 'urlpatterns';
      } else {
        const imp = facts.imports?.find((i) => i.names.some((n) => n.local === local));
        const binding = imp?.names.find((n) => n.local === local);
        if (imp && binding) {
          if (file.endsWith('.py')) {
            if (binding.imported === '*') {
              childFile = resolver.py(file, imp.source);
              childName = member;
            } else {
              const submodule = resolver.py(file, imp.source.endsWith('.') ? `${imp.source}${binding.imported}` : `${imp.source}.${binding.imported}`);
              if (submodule && member) {
                childFile = submodule;
                childName = member;
              } else {
                childFile = resolver.py(file, imp.source);
                childName = binding.imported;
              }
            }
          } else {
            childFile = resolver.js(file, imp.source);
            if (childFile) childName = binding.imported === '*' ? (member ? exportLocal(childFile, member) : undefined) : exportLocal(childFile, binding.imported);
          }
        } else {
          childFile = file;
          childName = local;
        }
      }
      if (!childFile || !childName) continue;
      const key = `${childFile}#${childName}`;
      const list = into.get(key) ?? [];
      list.push({ file, owners: mount.owners, prefix: mount.prefix });
      into.set(key, list);
    }
  }
  const chain = (file: string, owners: readonly string[], depth: number): string => {
    const facts = raw.get(file);
    const own = owners.map((o) => facts?.routers?.find((r) => r.name === o)).find((r) => r !== undefined);
    const ownPrefix = prefixText(own?.prefix);
    if (depth >= MAX_MOUNT_DEPTH) return ownPrefix;
    for (const owner of owners) {
      const parent = into.get(`${file}#${owner}`)?.[0];
      if (parent) return chain(parent.file, parent.owners, depth + 1) + prefixText(parent.prefix) + ownPrefix;
    }
    return ownPrefix;
  };
  const out: RouteFact[] = [];
  for (const [file, facts] of raw) {
    for (const route of facts.routes ?? []) {
      const owner = route.owners.map((o) => facts.routers?.find((r) => r.name === o)).find((r) => r !== undefined);
      const ownerFramework = owner ? (ROUTER_FRAMEWORKS[owner.framework] ?? (owner.framework === 'go' ? undefined : owner.framework)) : undefined;
      const framework = route.framework ?? ownerFramework ?? fileFramework(facts) ?? repoHttp ?? 'unknown';
      const prefix = route.owners.length > 0 ? chain(file, route.owners, 0) : '';
      const trimRoot = !(framework === 'FastAPI' || framework === 'Flask' || framework === 'Django');
      out.push({ method: route.method, path: normaliseRoute(joinPaths([prefix, route.path], trimRoot), framework), file, line: route.line, framework, ...(route.handler ? { handler: route.handler } : {}) });
    }
  }
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}

const DECLARATIVE = /(^|\.)(DeclarativeBase|DeclarativeBaseNoMeta|AsyncAttrs)$/;

function resolvePythonModels(collected: Collected): ModelFact[] {
  const classes = new Map<string, { file: string; cls: RawClass }>();
  const declarative = new Set<string>();
  let flaskDb = false;
  for (const [file, facts] of collected.raw) {
    for (const router of facts.routers ?? []) {
      if (router.framework === 'declarative_base') declarative.add(router.name);
      if (router.framework === 'flask_sqlalchemy') flaskDb = true;
    }
    for (const cls of facts.classes ?? []) {
      if (!classes.has(cls.name)) classes.set(cls.name, { file, cls });
      if (cls.bases.some((b) => DECLARATIVE.test(b))) declarative.add(cls.name);
    }
  }
  const fieldsOf = (cls: RawClass, depth: number): string[] => {
    const inherited = depth < 4 ? cls.bases.flatMap((b) => {
      const base = classes.get(b.slice(b.lastIndexOf('.') + 1));
      return base && !base.cls.keywords.includes('table=True') ? fieldsOf(base.cls, depth + 1) : [];
    }) : [];
    return [...new Set([...inherited, ...cls.fields])];
  };
  const out: ModelFact[] = [];
  for (const [file, facts] of collected.raw) {
    for (const cls of facts.classes ?? []) {
      if (declarative.has(cls.name) && cls.bases.some((b) => DECLARATIVE.test(b))) continue; // the Base itself
      const last = (b: string) => b.slice(b.lastIndexOf('.') + 1);
      let framework: string | undefined;
      if (cls.keywords.includes('table=True')) framework = 'SQLModel';
      else if (cls.bases.some((b) => b === 'models.Model' || b === 'django.db.models.Model')) framework = 'Django';
      else if (cls.bases.some((b) => declarative.has(last(b)))) framework = 'SQLAlchemy';
      else if (flaskDb && cls.bases.some((b) => /^\w+\.Model$/.test(b))) framework = 'SQLAlchemy';
      if (!framework) continue;
      const fields = framework === 'SQLModel' ? fieldsOf(cls, 0) : cls.fields.filter((f) => f !== 'objects');
      const table = cls.table ?? (framework === 'SQLModel' ? cls.name.toLowerCase() : undefined);
      out.push({ name: cls.name, file, line: cls.line, framework, fields, ...(table ? { table } : {}) });
    }
  }
  return out;
}

function located<T extends { name: string; line: number; kind: string }>(file: string, fact: T): LocatedFact {
  return { name: fact.name, file, line: fact.line, kind: fact.kind };
}

const SETTINGS_ORDER = ['settings_class', 'config_struct', 'env_reader', 'config_file'];

function resolveSettings(collected: Collected): LocatedFact[] {
  const out: LocatedFact[] = [];
  const byPath = new Map(collected.files.map((f) => [f.path, f]));
  for (const [file, facts] of collected.raw) {
    for (const s of facts.settings ?? []) out.push(located(file, s));
    const indexed = byPath.get(file);
    if (!indexed || indexed.test || (facts.envReads ?? 0) === 0 || (facts.settings ?? []).some((s) => s.kind === 'settings_class')) continue;
    const base = basenameOf(file);
    const configLike = /^(config|configuration|settings|env|environment)\.[a-z]+$/i.test(base) || /(^|\/)(config|configs|settings)\//.test(file);
    if (!configLike && (facts.envReads ?? 0) < 3) continue;
    const exported = Object.keys(facts.exports ?? {});
    const named = ['config', 'env', 'settings', 'loadConfig', 'getConfig'].find((n) => exported.includes(n)) ?? exported[0];
    const symbol = indexed.symbols.find((s) => s.name === named) ?? indexed.symbols[0];
    out.push({ name: symbol?.name ?? base, file, line: symbol?.line ?? 1, kind: 'env_reader' });
  }
  return out.sort((a, b) => SETTINGS_ORDER.indexOf(a.kind) - SETTINGS_ORDER.indexOf(b.kind) || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}

function resolveAuth(collected: Collected): LocatedFact[] {
  const out: LocatedFact[] = [];
  const seen = new Set<string>();
  const add = (fact: LocatedFact) => {
    const key = `${fact.file}#${fact.name}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(fact);
  };
  const definitions = new Map<string, { file: string; line: number }>();
  for (const f of collected.files) {
    if (f.test) continue;
    for (const s of f.symbols) if ((s.kind === 'function' || s.kind === 'method') && !definitions.has(s.name)) definitions.set(s.name, { file: f.path, line: s.line });
  }
  for (const [file, facts] of collected.raw) {
    for (const a of facts.auth ?? []) add(located(file, a));
    for (const dep of facts.dependencies ?? []) {
      if (!PY_AUTH_NAME.test(dep.name)) continue;
      const def = definitions.get(dep.name);
      if (def) add({ name: dep.name, file: def.file, line: def.line, kind: 'dependency' });
    }
  }
  const order = ['security_config', 'security_filter_chain', 'security_scheme', 'dependency', 'middleware', 'guard', 'filter', 'decorator', 'before_action'];
  return out.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
}

const ENTRY_ORDER = ['spring_boot_application', 'go_cmd', 'main', 'python_main', 'asgi_app', 'wsgi_app', 'django_manage', 'server_listen', 'package_bin', 'start_script', 'package_main', 'rack_config'];

/** The source file a manifest entry names (`dist/x.js` falls back to `src/x.ts`). */
function resolveEntryFile(base: string, entry: string, files: ReadonlySet<string>): string | undefined {
  const full = path.posix.normalize(path.posix.join(base, entry.replace(/^\.\//, '')));
  const candidates = [full, full.replace(/(^|\/)(dist|build|lib|out)\//, '$1src/').replace(/\.([cm]?)js$/, '.$1ts'), full.replace(/\.([cm]?)js$/, '.$1ts'), `${full}/index.ts`, `${full}/index.js`];
  return candidates.find((c) => files.has(c));
}

function resolveEntryPoints(collected: Collected, resolver: ModuleResolver): EntryPointFact[] {
  const out: EntryPointFact[] = [];
  const seen = new Set<string>();
  const add = (fact: EntryPointFact) => {
    if (seen.has(fact.path)) return;
    seen.add(fact.path);
    out.push(fact);
  };
  const byPath = new Map(collected.files.map((f) => [f.path, f]));
  const entries: EntryPointFact[] = [];
  for (const [file, facts] of collected.raw) {
    if (byPath.get(file)?.test) continue;
    for (const e of facts.entryPoints ?? []) entries.push({ path: file, kind: e.kind, ...(e.line !== undefined ? { line: e.line } : {}) });
  }
  const files = new Set(collected.files.map((f) => f.path));
  for (const m of collected.manifests) {
    const base = dirnameOf(m.path);
    if (m.kind === 'npm') {
      for (const entry of m.entries ?? []) {
        const file = resolveEntryFile(base, entry, files);
        if (file) entries.push({ path: file, kind: /(^|\/)bin\//.test(entry) ? 'package_bin' : 'package_main' });
      }
      for (const key of ['start', 'dev', 'serve']) {
        const script = m.scripts?.[key];
        if (!script) continue;
        for (const token of script.split(/\s+/)) {
          if (!/\.[cm]?[jt]sx?$/.test(token)) continue;
          const file = resolveEntryFile(base, token, files);
          if (file) entries.push({ path: file, kind: 'start_script' });
        }
      }
    } else if (m.kind === 'pyproject') {
      for (const target of m.entries ?? []) {
        const module = target.split(':')[0]!;
        const file = resolver.py(m.path, module);
        if (file) entries.push({ path: file, kind: 'package_bin' });
      }
    } else if (m.kind === 'cargo') {
      for (const entry of m.entries ?? []) {
        const file = resolveEntryFile(base, entry, files);
        if (file) entries.push({ path: file, kind: 'main' });
      }
    }
  }
  // Helpers that start servers (benchmarks, fakes, examples) come after the application's own.
  const auxiliary = (p: string) => Number(/(^|\/)(bench|benchmarks?|scripts|examples?|samples?|testing|tests?|e2e|tools|docs|demo)\//.test(p) || /(^|\/)[^/]*(fake|mock|stub)[^/]*$/i.test(p));
  entries.sort((a, b) => auxiliary(a.path) - auxiliary(b.path) || ENTRY_ORDER.indexOf(a.kind) - ENTRY_ORDER.indexOf(b.kind) || a.path.split('/').length - b.path.split('/').length || (a.path < b.path ? -1 : 1));
  for (const e of entries) add(e);
  return out;
}

const ROLE_ORDER = ['http', 'frontend', 'data', 'auth', 'validation', 'cli', 'runtime', 'build', 'test'];
const CODE_FRAMEWORK_ROLES: Readonly<Record<string, string>> = {
  FastAPI: 'http', Flask: 'http', Django: 'http', Starlette: 'http', Express: 'http', Fastify: 'http', Koa: 'http', Hono: 'http', NestJS: 'http', Spring: 'http',
  'JAX-RS': 'http', Gin: 'http', Echo: 'http', chi: 'http', Fiber: 'http', 'gorilla/mux': 'http', 'net/http': 'http', Rails: 'http', Sinatra: 'http', Axum: 'http', 'Actix/Rocket': 'http',
  SQLAlchemy: 'data', SQLModel: 'data', JPA: 'data', Prisma: 'data', Drizzle: 'data', TypeORM: 'data', GORM: 'data', Mongoose: 'data', 'Active Record': 'data', Diesel: 'data', SQLx: 'data', SeaORM: 'data',
};
const CODE_NAMES: Readonly<Record<string, string>> = { Spring: 'Spring Boot', Rails: 'Ruby on Rails', Drizzle: 'Drizzle ORM', JPA: 'Spring Data JPA', 'Actix/Rocket': 'Actix Web' };

function resolveFrameworks(collected: Collected, routes: readonly RouteFact[], models: readonly ModelFact[]): string[] {
  const found = new Map<string, string>();
  for (const m of collected.manifests) {
    for (const dep of [...m.dependencies, ...(m.devDependencies ?? [])]) {
      const fw = frameworkFor(dep);
      if (fw && !found.has(fw.name)) found.set(fw.name, fw.role);
    }
  }
  for (const name of [...routes.map((r) => r.framework), ...models.map((m) => m.framework)]) {
    const shown = CODE_NAMES[name] ?? name;
    if (name !== 'unknown' && !found.has(shown) && !(shown === 'Spring Data JPA' && found.has('Hibernate'))) found.set(shown, CODE_FRAMEWORK_ROLES[name] ?? 'http');
  }
  for (const f of collected.files) {
    if (f.fixture || f.vendored || f.path.split('/').length > 4) continue;
    const config = TEST_RUNNER_CONFIGS.find((c) => c.pattern.test(basenameOf(f.path)));
    if (config && !found.has(config.runner)) found.set(config.runner, 'test');
  }
  return [...found].sort((a, b) => ROLE_ORDER.indexOf(a[1]) - ROLE_ORDER.indexOf(b[1]) || (a[0] < b[0] ? -1 : 1)).map(([name]) => name);
}

export function resolveFacts(all: Collected): CodeFacts {
  // Routes, models, settings, auth and entry points come from the code, not from its tests.
  const tests = new Set(all.files.filter((f) => f.test).map((f) => f.path));
  const collected: Collected = { files: all.files, manifests: all.manifests, raw: new Map([...all.raw].filter(([file]) => !tests.has(file))) };
  const resolver = new ModuleResolver(collected.files);
  const constants = new Map<string, string>();
  const conflicting = new Set<string>();
  for (const facts of collected.raw.values()) {
    for (const c of facts.constants ?? []) {
      const known = constants.get(c.name);
      if (known !== undefined && known !== c.value) conflicting.add(c.name);
      else constants.set(c.name, c.value);
    }
  }
  for (const name of conflicting) constants.delete(name);
  const manifestHttp = collected.manifests.flatMap((m) => m.dependencies.map(frameworkFor)).find((f) => f?.role === 'http')?.name;
  const routes = resolveRoutes(collected, resolver, constants, manifestHttp);
  const models = [
    ...[...collected.raw].flatMap(([file, facts]) => (facts.models ?? []).map((m) => ({ ...m, file }))),
    ...resolvePythonModels(collected),
  ].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  return {
    routes,
    models,
    settings: resolveSettings(collected),
    auth: resolveAuth(collected),
    entryPoints: resolveEntryPoints(collected, resolver),
    tests: resolveTests(all),
    manifests: [...collected.manifests],
    frameworks: resolveFrameworks(collected, routes, models),
  };
}
