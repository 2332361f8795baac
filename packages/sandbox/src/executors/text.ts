/**
 * Text helpers of the deterministic planner: splitting a feature description into clauses, naming
 * the feature, casing identifiers, and picking out the concrete facts a clause states (numbers with
 * units, HTTP status codes, header names, HTTP routes). Pure functions.
 */

/** Verbs that start an imperative clause ("Limit each key…", "return 429…"). */
export const CLAUSE_VERBS: ReadonlySet<string> = new Set([
  'make', 'give', 'improve', 'speed', 'change', 'rename', 'move', 'use', 'keep', 'sort', 'accept', 'add', 'allow', 'apply', 'archive', 'audit', 'authenticate', 'authorize', 'block', 'cache', 'calculate', 'cap', 'check',
  'collect', 'compute', 'count', 'create', 'delete', 'deny', 'disable', 'display', 'emit', 'enable', 'enforce', 'ensure', 'expire',
  'export', 'expose', 'fail', 'fetch', 'filter', 'generate', 'handle', 'hide', 'import', 'include', 'index', 'keep', 'let', 'limit',
  'list', 'load', 'lock', 'log', 'mark', 'measure', 'merge', 'migrate', 'notify', 'paginate', 'persist', 'prevent', 'provide', 'publish',
  'queue', 'rate', 'read', 'record', 'redirect', 'refresh', 'reject', 'remove', 'render', 'report', 'require', 'reset', 'respond',
  'restrict', 'retry', 'return', 'revoke', 'save', 'schedule', 'search', 'send', 'serve', 'set', 'show', 'sort', 'store', 'stream',
  'support', 'sync', 'throttle', 'track', 'update', 'upload', 'validate', 'verify', 'warn', 'write',
]);

const LEADING_TITLE_VERBS = /^(add|adds|adding|implement|implements|create|build|support|introduce|enable|allow|provide|make|improve|refactor|fix|update|design|extend|rework)\s+/i;
const STOPWORDS: ReadonlySet<string> = new Set(['a', 'an', 'the', 'to', 'of', 'for', 'on', 'in', 'with', 'and', 'or', 'by', 'per', 'from', 'into', 'at', 'as', 'our', 'new', 'public', 'all', 'each', 'every', 'its', 'their', 'be', 'is']);

/** Upper-cases the first letter of a plain word; a leading code, date or format token (`yyyy-mm-dd`, `2026-01-31`, `camelCase`) is left as written. */
export function capitalize(text: string): string {
  const first = /^\S*/.exec(text)?.[0] ?? '';
  if (!/^[a-z][a-z']*(?:-[a-z']+)*[.,;:!?]?$/.test(first) || isFormatToken(first.replace(/[.,;:!?]$/, ''))) return text;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Lower-cases the first letter of a plain capitalised word; acronyms (`API`), format tokens (`YYYY-MM-DD`) and code names (`PostController`) are kept. */
export function lowerFirst(text: string): string {
  const first = /^\S*/.exec(text)?.[0] ?? '';
  if (!/^[A-Z][a-z']*(?:-[a-z']+)*[.,;:!?]?$/.test(first) || isFormatToken(first.replace(/[.,;:!?]$/, ''))) return text;
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** Shortens to at most `max` characters at a word boundary (never mid-word), ending with `…`. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = text.slice(0, max - 1);
  // The cut falls between words when the next character is a space; else back up to the last space.
  const atBoundary = /\s/.test(text.charAt(max - 1)) ? room : room.slice(0, Math.max(room.lastIndexOf(' '), 0));
  const head = (atBoundary.trim() === '' ? room : atBoundary).replace(/[\s,;:.([{-]+$/, '');
  return `${head}…`;
}

/** Collapses whitespace and drops a trailing period. */
export function tidy(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/[.;:,]+$/, '').trim();
}

function firstWord(text: string): string {
  return (/^[A-Za-z]+/.exec(text.trim())?.[0] ?? '').toLowerCase();
}

export function startsWithVerb(text: string): boolean {
  const word = firstWord(text);
  return CLAUSE_VERBS.has(word) || (word.endsWith('s') && CLAUSE_VERBS.has(word.slice(0, -1)));
}

/** Abbreviations whose dot ends no sentence ("e.g. 2026-01-31", "i.e. the owner"). */
const ABBREVIATIONS = ['e\\.g', 'E\\.g', 'i\\.e', 'I\\.e', 'vs', 'cf', 'approx', 'incl', 'esp', 'resp', 'Mr', 'Mrs', 'Ms', 'Dr', 'No', 'Nr', 'St'];
const SENTENCE_BREAK = new RegExp(`(?<=[.!?])(?<!\\b(?:${ABBREVIATIONS.join('|')})\\.)\\s+(?=[A-Z0-9"'(])`);

/**
 * Splits a description into clauses: sentences, bullet lines, `;`-separated parts, and `and`/`,`
 * joins whose second part starts with a verb ("Limit X and return 429" → two clauses; "read and
 * write access" stays one).
 */
export function splitClauses(description: string): string[] {
  const out: string[] = [];
  const lines = description.split(/\r?\n/).map((line) => line.replace(/^\s*(?:[-*•]|\d+[.)])\s+/, '').trim());
  for (const line of lines) {
    if (line === '') continue;
    for (const sentence of line.split(SENTENCE_BREAK)) {
      for (const part of sentence.split(/;\s*/)) {
        const pieces = part.split(/,?\s+(?:and(?:\s+then)?|then|but)\s+|,\s+/i);
        // Re-join pieces that are not clauses of their own (lists of nouns, "read and write").
        let current = pieces[0] ?? '';
        const joiners = [...part.matchAll(/,?\s+(?:and(?:\s+then)?|then|but)\s+|,\s+/gi)].map((m) => m[0]);
        for (let i = 1; i < pieces.length; i++) {
          const piece = pieces[i]!;
          // "When X, do Y" stays one clause: the comma ends the condition, not the clause.
          const openCondition = /^(when|whenever|if|while|where|once|after|before|unless|during)\b/i.test(current) && !current.includes(', ');
          // "read and write access": two coordinated verbs are one clause.
          const lastWord = (/([A-Za-z]+)\W*$/.exec(current)?.[1] ?? '').toLowerCase();
          const coordinated = CLAUSE_VERBS.has(lastWord) && /^\s*(and|or),?\s*$|^,?\s+and\s+$/i.test(joiners[i - 1] ?? '');
          if (!openCondition && !coordinated && (startsWithVerb(piece) || /^(if|when|while|where|also|otherwise|unless)\b/i.test(piece))) {
            out.push(current);
            current = piece;
          } else current += `${joiners[i - 1] ?? ' '}${piece}`;
        }
        out.push(current);
      }
    }
  }
  return out.map(tidy).filter((clause) => clause.replace(/[^A-Za-z]/g, '').length >= 3);
}

/** A clause that states what is out of scope ("Out of scope: billing", "Excluding admin routes", "Not including …"). */
export function outOfScopeText(clause: string): string | undefined {
  const match = /^(?:out of scope\s*[:-]?|excluding|not including|excludes?|no need to|non-goals?\s*[:-]?)\s+(.+)$/i.exec(clause.trim());
  return match ? capitalize(tidy(match[1]!)) : undefined;
}

/** The feature named by a title, without its leading verb: "Add rate limiting to the public API" → "rate limiting to the public API". */
export function featurePhrase(title: string): string {
  const phrase = tidy(title).replace(LEADING_TITLE_VERBS, '');
  return phrase === '' ? tidy(title) : lowerFirst(phrase);
}

/** Up to `max` significant words naming the feature: "rate limiting to the public API" → ["rate", "limiting"]. */
export function featureWords(title: string, max = 2): string[] {
  const words = featurePhrase(title)
    .replace(/[^A-Za-z0-9\s-]/g, ' ')
    .split(/[\s-]+/)
    .map((w) => w.toLowerCase())
    .filter((w) => w !== '' && !STOPWORDS.has(w) && !/^\d+$/.test(w));
  return (words.length > 0 ? words : ['feature']).slice(0, max);
}

export function toCase(words: readonly string[], style: string): string {
  const parts = words.map((w) => w.toLowerCase());
  switch (style) {
    case 'kebab-case':
      return parts.join('-');
    case 'snake_case':
      return parts.join('_');
    case 'PascalCase':
      return parts.map(capitalize).join('');
    case 'lowercase':
      return parts.join('');
    default:
      return parts.map((w, i) => (i === 0 ? w : capitalize(w))).join('');
  }
}

/** A human title for a feature name: ["rate", "limiting"] → "Rate Limiting". */
export function titleCase(words: readonly string[]): string {
  return words.map(capitalize).join(' ');
}

export interface ClauseFacts {
  /** "100 requests per minute" */
  quantities: string[];
  /** HTTP status codes the clause asks for. */
  statuses: number[];
  /** Header-like names: Retry-After, X-RateLimit-Remaining. */
  headers: string[];
  /** Explicit routes: "GET /api/users". */
  routes: { method: string; path: string }[];
  /** The subject and quota of "limit <subject> to <quota>". */
  limit?: { subject: string; quota: string };
}

/** A date/time format token (`YYYY-MM-DD`, `HH-MM`, `DD-MM-YYYY`): not a header name. */
export function isFormatToken(token: string): boolean {
  return /^(?:Y{2,4}|M{1,2}|D{1,2}|H{1,2}|S{1,2})(?:[-/:.](?:Y{2,4}|M{1,2}|D{1,2}|H{1,2}|S{1,2}))+$/i.test(token);
}

/** A route path as stated, without the sentence punctuation that followed it (`/password-recovery/{email}.` → `/password-recovery/{email}`). */
export function routePath(path: string): string {
  const trimmed = path.replace(/[.,;:]+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

const UNIT = '(?:requests?|calls?|attempts?|messages?|items?|records?|rows?|bytes?|kb|mb|gb|characters?|chars?|files?|users?|events?|retries|times|ms|milliseconds?|seconds?|secs?|minutes?|mins?|hours?|days?|weeks?|%|percent)';

export function clauseFacts(clause: string): ClauseFacts {
  const quantities = [...clause.matchAll(new RegExp(`\\b\\d[\\d,.]*\\s*${UNIT}(?:\\s+(?:per|a|an|each|every)\\s+(?:second|minute|hour|day|week|month))?\\b`, 'gi'))].map((m) => m[0]);
  const statuses = [...clause.matchAll(/\b(?:return(?:s|ing)?|respond(?:s|ing)?(?:\s+with)?|status(?:\s+code)?|HTTP|with|code|answer(?:s)?)\s+(?:an?\s+|the\s+|HTTP\s+|status\s+)*([1-5][0-9]{2})\b/gi)].map((m) => Number(m[1]));
  const headers = [...clause.matchAll(/\b([A-Z][A-Za-z0-9]*(?:-[A-Z][A-Za-z0-9]*)+)\b/g)].map((m) => m[1]!).filter((h) => !/^[A-Z]+-\d+$/.test(h) && !isFormatToken(h));
  const routes = [...clause.matchAll(/\b(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(\/[\w/{}<>:.*-]*)/g)].map((m) => ({ method: m[1]!, path: routePath(m[2]!) }));
  const limitMatch = /\blimits?\s+(?:each\s+|every\s+|the\s+)?(.+?)\s+to\s+(?:at most\s+)?(\d.+)$/i.exec(clause);
  return {
    quantities: [...new Set(quantities)],
    statuses: [...new Set(statuses)],
    headers: [...new Set(headers)],
    routes,
    ...(limitMatch ? { limit: { subject: tidy(limitMatch[1]!), quota: tidy(limitMatch[2]!) } } : {}),
  };
}

/** Vague words of a request and the measurable target the planner proposes for each (to be confirmed). */
const VAGUE_MEASURES: readonly [RegExp, string][] = [
  [/\b(?:fast(?:er|est)?|quick(?:ly|er)?|speedy|rapid(?:ly)?|responsive|performant|snappy)\b/i, 'answering within 500 ms at p95'],
  [/\b(?:user[- ]friendly|easy(?:[- ]to[- ]use)?|easily|easier|intuitive(?:ly)?|simple|simpler|straightforward|convenient(?:ly)?)\b/i, 'done in at most 3 steps'],
  [/\b(?:scalab(?:le|ility)|high[- ]throughput)\b/i, 'at 100 requests per second'],
  [/\b(?:robust(?:ly)?|reliab(?:le|ly)|resilient(?:ly)?|gracefully)\b/i, 'a failure answered with a named error, never a 500'],
  [/\b(?:efficient(?:ly)?|optimi[sz]ed|optimal(?:ly)?)\b/i, 'with at most 2 database queries per request'],
  [/\b(?:seamless(?:ly)?|smooth(?:ly)?|transparent(?:ly)?)\b/i, 'with no change visible to existing clients'],
];
const ESCAPES = /\s*,?\s*\b(?:as appropriate|if necessary|if needed|as needed|when needed|where possible|if possible|as far as possible|as much as possible|as required|where applicable|if applicable|if desired)\b/gi;
const OPEN_ENDED = /\s*,?\s*\b(?:etc\b\.?|and so on|and so forth|among others|and the like|and more\b(?! than))/gi;

/**
 * A request's clause made testable: escape clauses ("as appropriate") and open-ended lists ("etc.")
 * are dropped, and each vague quality word is kept in quotes with a measurable target after it
 * (`"fast" (answering within 500 ms at p95)`), listed in `replaced` so the plan can ask to confirm it.
 */
export function measurable(text: string): { text: string; replaced: { term: string; measure: string }[] } {
  let out = text.replace(ESCAPES, '').replace(OPEN_ENDED, '');
  const replaced: { term: string; measure: string }[] = [];
  for (const [rule, measure] of VAGUE_MEASURES) {
    const found = new RegExp(rule.source, 'gi');
    out = out.replace(found, (term: string, at: number, whole: string) => {
      if (whole.charAt(at - 1) === '"') return term;
      if (!replaced.some((r) => r.measure === measure)) {
        replaced.push({ term, measure });
        return `"${term}" (${measure})`;
      }
      return `"${term}"`;
    });
  }
  return { text: out.replace(/\s{2,}/g, ' ').trim(), replaced };
}

/** A feature name without vague adjectives ("Faster search" → "search"). */
export function withoutVagueWords(phrase: string): string {
  const kept = phrase.split(/\s+/).filter((w) => !VAGUE_MEASURES.some(([rule]) => new RegExp(`^${rule.source}$`, 'i').test(w.replace(/[^\w-]/g, ''))) && !/^(?:better|improved|nicer?|good|modern)$/i.test(w));
  return kept.length > 0 ? kept.join(' ') : phrase;
}
