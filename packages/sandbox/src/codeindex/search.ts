/**
 * Ranked retrieval over the index (minisearch, BM25+): one document per file (its path segments, the
 * names of its symbols, its doc line and its symbols' docs, its route paths) and one per symbol (name,
 * doc, the file's path, the route it handles). Identifiers are split at camelCase, snake_case and
 * kebab-case; terms are lower-cased, lightly stemmed and mapped onto a few synonym groups
 * (reset/recovery, login/auth, delete/remove …), the same way at indexing and at query time.
 */
import MiniSearch from 'minisearch';
import type { IndexedFile, RouteFact, SearchHit, SearchOptions } from './types';

interface Doc {
  id: number;
  fpath?: string;
  fsyms?: string;
  fdoc?: string;
  froute?: string;
  sname?: string;
  sdoc?: string;
  spath?: string;
  sroute?: string;
}

interface DocMeta {
  path: string;
  symbol?: string;
  line?: number;
  test: boolean;
}

const FIELDS = ['fpath', 'fsyms', 'fdoc', 'froute', 'sname', 'sdoc', 'spath', 'sroute'] as const;
const BOOST: Record<(typeof FIELDS)[number], number> = { fpath: 3, fsyms: 1.2, fdoc: 1.2, froute: 2, sname: 2.5, sdoc: 1.2, spath: 1.2, sroute: 2 };
const FIELD_NAMES: Record<string, string> = { fpath: 'path', fsyms: 'symbol', fdoc: 'doc', froute: 'route', sname: 'symbol', sdoc: 'doc', spath: 'path', sroute: 'route' };

const STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'the', 'and', 'or', 'of', 'to', 'in', 'on', 'for', 'with', 'by', 'at', 'from', 'as', 'is', 'are', 'be', 'been', 'it', 'its',
  'this', 'that', 'these', 'those', 'via', 'into', 'when', 'then', 'each', 'every', 'any', 'all', 'so', 'if', 'not', 'no', 'we', 'our', 'us',
  'they', 'their', 'can', 'should', 'must', 'will', 'would', 'let', 'lets', 'allow', 'allows', 'make', 'makes', 'support', 'supports', 'need',
  'needs', 'want', 'wants', 'also', 'some', 'more', 'new', 'add', 'adds', 'using', 'use', 'uses', 'who', 'what', 'which', 'how', 'there', 'have',
  'has', 'do', 'does', 'get', 'set', 'src', 'lib', 'ts', 'tsx', 'js', 'jsx', 'mjs', 'py', 'go', 'rs', 'rb', 'java', 'kt', 'index', 'init', 'self', 'none',
  'true', 'false', 'null', 'return', 'returns', 'e', 'g', 'i', 'eg', 'ie',
]);

/** Synonym groups: every member is indexed and searched as the group's first word. */
const SYNONYMS: readonly (readonly string[])[] = [
  ['reset', 'recover', 'recovery', 'forgot', 'forgotten', 'restore'],
  ['login', 'signin', 'logon', 'auth', 'authenticate', 'authentication', 'authorize', 'authorization', 'credential', 'oauth', 'oauth2', 'jwt', 'bearer'],
  ['logout', 'signout', 'logoff'],
  ['signup', 'register', 'registration', 'enroll'],
  ['password', 'passwd', 'pwd', 'passphrase'],
  ['email', 'mail', 'smtp', 'mailer'],
  ['delete', 'remove', 'destroy', 'erase'],
  ['config', 'configuration', 'setting', 'settings', 'env', 'environment', 'option', 'options'],
  ['limit', 'quota', 'throttle', 'ratelimit'],
  ['refund', 'reimburse', 'chargeback'],
  ['payment', 'pay', 'charge', 'billing', 'checkout'],
  ['review', 'rating', 'rate'],
  ['tenant', 'tenancy', 'org', 'organization', 'organisation'],
  ['notify', 'notification', 'alert'],
  ['test', 'spec', 'tests'],
  ['user', 'account', 'profile'],
  ['token', 'tokens'],
  ['route', 'router', 'routes', 'endpoint', 'endpoints', 'handler', 'controller'],
  ['model', 'models', 'entity', 'schema', 'table'],
];

const CANONICAL = new Map<string, string>();
for (const group of SYNONYMS) for (const word of group) CANONICAL.set(word, group[0]!);

/** Light English stemming: plurals, -ing, -ed, -ation. */
export function stem(word: string): string {
  let w = word;
  if (w.length > 5 && w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (w.length > 4 && w.endsWith('sses')) return w.slice(0, -2);
  if (w.length > 6 && w.endsWith('ation')) w = w.slice(0, -5);
  else if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed') && !w.endsWith('eed')) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
  // Doubled consonant left by -ing/-ed: "setting" → "sett" → "set".
  if (w.length > 3 && /([bdgklmnprt])\1$/.test(w) && w !== word) w = w.slice(0, -1);
  return w;
}

/** A term as indexed: lower case, stemmed, mapped to its synonym group; null for a stop word. */
export function normaliseTerm(term: string): string | null {
  const lower = term.toLowerCase();
  if (lower.length < 2 || STOP_WORDS.has(lower) || /^\d+$/.test(lower)) return null;
  const direct = CANONICAL.get(lower);
  if (direct) return direct;
  const stemmed = stem(lower);
  return CANONICAL.get(stemmed) ?? stemmed;
}

/** Splits text and identifiers into words: `getCurrentUser`, `password_reset.py`, `/password-recovery/{email}`. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const chunk of text.split(/[^A-Za-z0-9]+/)) {
    if (chunk === '') continue;
    const words = chunk.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2').split(' ');
    for (const w of words) if (w !== '') out.push(w);
  }
  return out;
}

function pathText(file: string): string {
  // Drop the extension: it says the language, not the topic.
  return file.replace(/\.[A-Za-z0-9]+$/, '');
}

export class CodeSearch {
  private readonly mini: MiniSearch<Doc>;
  private readonly meta: DocMeta[] = [];

  constructor(files: readonly IndexedFile[], routes: readonly RouteFact[]) {
    this.mini = new MiniSearch<Doc>({
      fields: [...FIELDS],
      storeFields: [],
      tokenize,
      processTerm: normaliseTerm,
      searchOptions: { boost: BOOST, combineWith: 'OR', prefix: (term) => term.length >= 6, weights: { fuzzy: 0.2, prefix: 0.3 } },
    });
    const routesByFile = new Map<string, RouteFact[]>();
    for (const r of routes) {
      const list = routesByFile.get(r.file) ?? [];
      list.push(r);
      routesByFile.set(r.file, list);
    }
    const docs: Doc[] = [];
    for (const file of files) {
      if (file.fixture || file.vendored || file.generated) continue;
      const fileRoutes = routesByFile.get(file.path) ?? [];
      const id = this.meta.length;
      this.meta.push({ path: file.path, test: file.test });
      const symbolDocs = file.symbols.map((s) => s.doc).filter((d): d is string => d !== undefined);
      docs.push({
        id,
        fpath: pathText(file.path),
        fsyms: file.symbols.map((s) => s.name).join(' '),
        fdoc: [file.doc ?? '', ...symbolDocs].join(' '),
        froute: fileRoutes.map((r) => r.path).join(' '),
      });
      for (const symbol of file.symbols) {
        const handled = fileRoutes.filter((r) => r.handler === symbol.name || r.line === symbol.line);
        const sid = this.meta.length;
        this.meta.push({ path: file.path, symbol: symbol.parent ? `${symbol.parent}.${symbol.name}` : symbol.name, line: symbol.line, test: file.test });
        docs.push({ id: sid, sname: `${symbol.name} ${symbol.parent ?? ''}`, sdoc: symbol.doc ?? '', spath: pathText(file.path), sroute: handled.map((r) => r.path).join(' ') });
      }
    }
    this.mini.addAll(docs);
  }

  /**
   * Each query term is searched on its own and its scores scaled to the best match of that term, then
   * weighted by how rare the term is: a rare word of the request ("refund") counts for more than a
   * common one ("order") that happens to fill many paths and names.
   */
  search(query: string, options: SearchOptions = {}): SearchHit[] {
    const limit = options.limit ?? 20;
    const terms = [...new Set(tokenize(query).map(normaliseTerm).filter((t): t is string => t !== null))];
    if (terms.length === 0) return [];
    const total = new Map<number, { score: number; fields: Set<string>; terms: number }>();
    const n = this.meta.length;
    for (const term of terms) {
      const results = this.mini.search(term, { processTerm: (t) => t });
      if (results.length === 0) continue;
      const best = results[0]!.score;
      const weight = Math.log(1 + n / results.length);
      for (const result of results) {
        const entry = total.get(result.id as number) ?? { score: 0, fields: new Set<string>(), terms: 0 };
        entry.score += weight * (result.score / best);
        entry.terms++;
        for (const fields of Object.values(result.match)) for (const f of fields) entry.fields.add(FIELD_NAMES[f] ?? f);
        total.set(result.id as number, entry);
      }
    }
    const ranked = [...total].sort((a, b) => b[1].score - a[1].score || a[0] - b[0]);
    const hits: SearchHit[] = [];
    for (const [id, entry] of ranked) {
      const meta = this.meta[id];
      if (!meta || (options.excludeTests && meta.test)) continue;
      hits.push({ path: meta.path, ...(meta.symbol ? { symbol: meta.symbol } : {}), ...(meta.line !== undefined ? { line: meta.line } : {}), score: Math.round(entry.score * 1000) / 1000, matched: [...entry.fields].sort() });
      if (hits.length >= limit) break;
    }
    return hits;
  }
}
