/**
 * Test helper: a small in-memory {@link CodeIndex} over a directory, with facts read by line
 * patterns (FastAPI/Express/Spring routes, SQLModel/Prisma/JPA models, settings, auth helpers). It
 * stands in for the real code index in the planner's tests where only the contract matters; it is
 * not used by the planner itself.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CodeIndex, IndexedFile, IndexedSymbol, LocatedFact, ModelFact, RouteFact, SearchHit } from '../../codeindex/types';
import { languageOfPath } from './repo';
import { concepts, dirName } from './words';

function walk(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(root, rel)).sort()) {
    if (entry === 'node_modules' || entry === '.git' || entry === '__pycache__') continue;
    const child = rel === '' ? entry : `${rel}/${entry}`;
    if (statSync(path.join(root, child)).isDirectory()) out.push(...walk(root, child));
    else out.push(child);
  }
  return out;
}

const isTest = (p: string) => /(^|\/)(tests?|__tests__)\/|\.(test|spec)\.[jt]sx?$|(^|\/)test_[^/]+\.py$|_test\.go$|Tests?\.java$|conftest\.py$/.test(p);

export function fakeIndex(root: string, overrides: { commit?: string } = {}): CodeIndex {
  const paths = walk(root);
  const files: IndexedFile[] = [];
  const routes: RouteFact[] = [];
  const models: ModelFact[] = [];
  const settings: LocatedFact[] = [];
  const auth: LocatedFact[] = [];
  const text = new Map<string, string>();
  for (const p of paths) {
    const content = readFileSync(path.join(root, p), 'utf8');
    text.set(p, content);
    const lines = content.split('\n');
    const symbols: IndexedSymbol[] = [];
    const language = languageOfPath(p);
    let prefix = '';
    let klass: string | undefined;
    let classPrefix = '';
    lines.forEach((line, i) => {
      const n = i + 1;
      const nextDoc = /^\s*(?:"""|\/\*\*|\*|\/\/\/)\s*(.+?)(?:"""|\*\/)?\s*$/.exec(lines[i + 1] ?? '')?.[1];
      const prevDoc = /^\s*(?:\/\*\*|\*|\/\/\/)\s*(.+?)(?:\*\/)?\s*$/.exec(lines[i - 1] ?? '')?.[1];
      let m: RegExpExecArray | null;
      if (language === 'Python') {
        if ((m = /^class (\w+)(?:\(([^)]*)\))?:/.exec(line))) {
          symbols.push({ name: m[1]!, kind: 'class', line: n, ...(nextDoc ? { doc: nextDoc } : {}) });
          if (/table=True/.test(m[2] ?? '')) models.push({ name: m[1]!, file: p, line: n, framework: 'SQLModel', fields: lines.slice(i + 1).filter((l) => /^ {4}\w+: /.test(l)).map((l) => l.trim().split(':')[0]!).slice(0, 12) });
          if (/BaseSettings/.test(m[2] ?? '')) settings.push({ name: m[1]!, file: p, line: n, kind: 'settings_class' });
        } else if ((m = /^(?:async )?def (\w+)/.exec(line))) {
          symbols.push({ name: m[1]!, kind: 'function', line: n, ...(nextDoc ? { doc: nextDoc } : {}) });
          if (/^get_current/.test(m[1]!)) auth.push({ name: m[1]!, file: p, line: n, kind: 'dependency' });
          if (/password|token/.test(m[1]!) && /security/.test(p)) auth.push({ name: m[1]!, file: p, line: n, kind: 'auth_helper' });
        } else if ((m = /^ {4}([A-Z][A-Z0-9_]+): /.exec(line)) && /config/.test(p)) settings.push({ name: m[1]!, file: p, line: n, kind: 'setting' });
        if ((m = /APIRouter\((?:.*prefix="([^"]*)")?/.exec(line))) prefix = m[1] ?? '';
        if ((m = /^@router\.(get|post|put|patch|delete)\("([^"]*)"/.exec(line))) {
          const handler = /def (\w+)/.exec(lines[i + 1] ?? '')?.[1];
          routes.push({ method: m[1]!.toUpperCase(), path: `/api/v1${prefix}${m[2]!}`, file: p, line: n, framework: 'FastAPI', ...(handler ? { handler } : {}) });
        }
      } else if (language === 'TypeScript') {
        if ((m = /^export (?:async )?function (\w+)/.exec(line))) symbols.push({ name: m[1]!, kind: 'function', line: n, ...(prevDoc ? { doc: prevDoc } : {}) });
        if ((m = /^export class (\w+)/.exec(line))) {
          klass = m[1];
          symbols.push({ name: m[1]!, kind: 'class', line: n });
        }
        if (klass && (m = /^ {2}(?:async )?(\w+)\(/.exec(line)) && m[1] !== 'constructor') symbols.push({ name: m[1]!, kind: 'method', line: n, parent: klass, ...(prevDoc ? { doc: prevDoc } : {}) });
        if ((m = /^export const (\w+)/.exec(line))) symbols.push({ name: m[1]!, kind: 'constant', line: n });
        if ((m = /^export function (require\w+)/.exec(line))) auth.push({ name: m[1]!, file: p, line: n, kind: 'middleware' });
        if ((m = /^(\w+)\.(get|post|put|patch|delete)\('([^']*)'/.exec(line)) && /routes\//.test(p)) {
          const mount = /app\.use\('([^']+)', (\w+)\)/g;
          const app = text.get('src/app.ts') ?? readFileSync(path.join(root, 'src/app.ts'), 'utf8');
          const base = path.basename(p, '.ts');
          let at = '';
          for (const mm of app.matchAll(mount)) if (mm[2]!.toLowerCase().startsWith(base.toLowerCase())) at = mm[1]!;
          routes.push({ method: m[2]!.toUpperCase(), path: `${at}${m[3] === '/' ? '' : m[3]!}` || '/', file: p, line: n, framework: 'Express' });
        }
        if (/config\.ts$/.test(p) && (m = /^ {2}([A-Z][A-Z0-9_]+): z\./.exec(line))) settings.push({ name: m[1]!, file: p, line: n, kind: 'setting' });
      } else if (language === 'Java') {
        if ((m = /^(?:public )?(?:abstract )?(?:class|interface|record) (\w+)/.exec(line))) {
          klass = m[1];
          symbols.push({ name: m[1]!, kind: /interface/.test(line) ? 'interface' : 'class', line: n });
          if (/@Entity/.test(lines.slice(Math.max(0, i - 3), i).join(' '))) {
            const table = /@Table\(name = "(\w+)"\)/.exec(lines.slice(Math.max(0, i - 3), i).join(' '))?.[1];
            models.push({ name: m[1]!, file: p, line: n, framework: 'JPA', fields: lines.slice(i + 1).map((l) => /^ {4}private [\w<>]+ (\w+)/.exec(l)?.[1]).filter((f): f is string => f !== undefined), ...(table ? { table } : {}) });
          }
          if (/@ConfigurationProperties/.test(lines.slice(Math.max(0, i - 3), i).join(' '))) settings.push({ name: m[1]!, file: p, line: n, kind: 'settings_class' });
        }
        if ((m = /@RequestMapping\("([^"]*)"\)/.exec(line))) classPrefix = m[1]!;
        if ((m = /@(Get|Post|Put|Patch|Delete)Mapping(?:\("([^"]*)"\))?/.exec(line))) {
          const handler = /(\w+)\(/.exec(lines[i + 1] ?? '')?.[1];
          routes.push({ method: m[1]!.toUpperCase(), path: `${classPrefix}${m[2] ?? ''}` || '/', file: p, line: n, framework: 'Spring', ...(handler ? { handler } : {}) });
        }
        if (klass && (m = /^ {4}(?:public |private |protected )?(?:static )?[\w<>,\s]+ (\w+)\(/.exec(line))) symbols.push({ name: m[1]!, kind: 'method', line: n, parent: klass });
      } else if (p.endsWith('schema.prisma') && (m = /^model (\w+) \{/.exec(line))) {
        const fields: string[] = [];
        for (const l of lines.slice(i + 1)) {
          if (l.startsWith('}')) break;
          const f = /^ {2}(\w+)\s/.exec(l)?.[1];
          if (f) fields.push(f);
        }
        const table = /@@map\("(\w+)"\)/.exec(lines.slice(i).join('\n').split('}')[0] ?? '')?.[1];
        models.push({ name: m[1]!, file: p, line: n, framework: 'Prisma', fields, ...(table ? { table } : {}) });
      } else if (p.endsWith('application.properties') && (m = /^([a-z][\w.-]+)=/.exec(line))) settings.push({ name: m[1]!, file: p, line: n, kind: 'setting' });
    });
    files.push({ path: p, language, bytes: content.length, lines: lines.length, generated: false, vendored: false, test: isTest(p), symbols });
  }
  const testFiles = files.filter((f) => f.test && !/conftest|__init__/.test(f.path)).map((f) => f.path);
  const ext = (p: string) => p.slice(p.lastIndexOf('.'));
  const runner = testFiles.some((t) => ext(t) === '.py') ? 'pytest' : testFiles.some((t) => ext(t) === '.java') ? 'JUnit 5' : 'Vitest';
  const dirs = [...new Set(paths.flatMap((p) => { const out: string[] = []; for (let d = dirName(p); d !== ''; d = dirName(d)) out.push(d); return out; }))].sort();
  const languages = [...files.reduce((m, f) => (f.language && !f.test ? m.set(f.language, (m.get(f.language) ?? 0) + 1) : m), new Map<string, number>())].map(([name, n]) => ({ name, files: n })).sort((a, b) => b.files - a.files);
  const search = (query: string, options: { limit?: number; excludeTests?: boolean } = {}): SearchHit[] => {
    const wanted = new Set(concepts(query));
    const hits: SearchHit[] = [];
    for (const f of files) {
      if (options.excludeTests && f.test) continue;
      const pathHits = concepts(f.path).filter((c) => wanted.has(c)).length;
      if (pathHits > 0) hits.push({ path: f.path, score: pathHits * 1.5, matched: ['path'] });
      for (const s of f.symbols) {
        const n = concepts(`${s.name} ${s.doc ?? ''}`).filter((c) => wanted.has(c)).length;
        if (n > 0) hits.push({ path: f.path, symbol: s.name, line: s.line, score: n, matched: ['symbol'] });
      }
    }
    return hits.sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).slice(0, options.limit ?? 20);
  };
  const frameworks = routes[0] ? [routes[0].framework, ...new Set(models.map((m) => m.framework))] : [];
  return {
    root,
    commit: overrides.commit ?? null,
    files,
    dirs,
    facts: {
      routes,
      models,
      settings,
      auth,
      entryPoints: [],
      tests: { runner, runners: [runner], layout: testFiles.every((t) => /^(tests?|src\/test)\//.test(t)) ? 'separate' : testFiles.some((t) => /^(tests?|src\/test)\//.test(t)) ? 'mixed' : 'colocated', dirs: [...new Set(testFiles.map(dirName))].sort(), pattern: null, files: testFiles.length, examples: testFiles.slice(0, 3), command: null },
      manifests: [],
      frameworks,
    },
    filesIndexed: files.length,
    truncated: false,
    skipped: {},
    languages,
    testRunners: [runner],
    exists: (p) => paths.includes(p) || dirs.includes(p),
    isDir: (p) => dirs.includes(p),
    languageOf: languageOfPath,
    file: (p) => files.find((f) => f.path === p),
    search,
    toJSON() {
      return { version: 0, commit: this.commit, files, dirs, facts: this.facts, filesIndexed: files.length, truncated: false, skipped: {} };
    },
  };
}
