/**
 * Words of a request and of code, reduced to comparable concepts: identifiers are split
 * (`recover_password`, `PostService`, `/password-recovery/{email}`), words are stemmed (`visits` →
 * `visit`, `booking` → `book`) and synonyms folded (`recovery` → `reset`, `sign in` → `login`), so a
 * request and a route can be compared word for word. Also the naming helpers that write a new file
 * name in the style of its neighbours. Pure functions.
 */

/** Groups of words meaning the same thing in a request or in code; the first is the concept's name. */
const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['reset', 'recovery', 'recover', 'forgot', 'forgotten', 'restore'],
  ['password', 'passwd', 'pwd', 'passphrase'],
  ['login', 'signin', 'logon', 'authenticate', 'authentication', 'credential'],
  ['signup', 'register', 'registration', 'enrol', 'enroll'],
  ['email', 'mail', 'smtp', 'mailer'],
  ['limit', 'throttle', 'ratelimit', 'quota', 'limiter'],
  ['attempt', 'try', 'tries'],
  ['paginate', 'pagination', 'paginated', 'paging', 'paginator'],
  ['book', 'reserve', 'reservation', 'appointment'],
  ['delete', 'remove', 'destroy'],
  ['search', 'lookup', 'find'],
  ['user', 'account'],
  ['notify', 'notification', 'alert'],
  ['confirm', 'verify', 'verification', 'confirmation', 'activate', 'activation'],
  ['token', 'jwt'],
  ['admin', 'superuser', 'administrator'],
  ['vet', 'veterinarian'],
  ['item', 'product'],
  ['post', 'article'],
  ['comment', 'reply'],
  ['setting', 'config', 'configuration', 'settings'],
];

const CONCEPT: ReadonlyMap<string, string> = new Map(SYNONYM_GROUPS.flatMap((group) => group.map((word) => [word, group[0]!] as const)));

/** Words that say nothing about what a change is about. */
const NOISE: ReadonlySet<string> = new Set([
  'a', 'an', 'the', 'to', 'of', 'for', 'on', 'in', 'with', 'and', 'or', 'by', 'per', 'from', 'into', 'at', 'as', 'our', 'its', 'their', 'his', 'her', 'be', 'is', 'are',
  'it', 'this', 'that', 'these', 'those', 'via', 'using', 'use', 'so', 'can', 'could', 'should', 'must', 'may', 'will', 'shall', 'when', 'if', 'then', 'than', 'also', 'only',
  'add', 'new', 'feature', 'support', 'allow', 'let', 'enable', 'make', 'able', 'ability', 'way', 'option', 'some', 'any', 'all', 'each', 'every', 'more', 'other',
  'implement', 'introduce', 'provide', 'build', 'create', 'want', 'need', 'like', 'online', 'py', 'ts', 'js', 'java', 'go', 'tsx', 'src', 'main', 'test', 'tests', 'init',
  'api', 'v1', 'v2', 'app', 'application', 'system', 'index', 'lib', 'org', 'com', 'example', 'get', 'set', 'none', 'true', 'false', 'self', 'def', 'class', 'return', 'default',
  // Vague qualities of a request: what it is about is the noun they qualify.
  'fast', 'faster', 'quick', 'quicker', 'better', 'improved', 'improve', 'easy', 'easier', 'simple', 'simpler', 'robust', 'scalable', 'efficient', 'seamless', 'nicer', 'modern', 'friendly',
]);

/** Words whose -ing or -s ending is part of the word. */
const KEEP: ReadonlySet<string> = new Set(['setting', 'string', 'spring', 'thing', 'during', 'pending', 'nothing', 'something', 'everything', 'morning', 'evening', 'ceiling', 'status', 'address', 'access', 'process', 'class', 'alias', 'news', 'analysis', 'series', 'bonus', 'business', 'canvas', 'campus', 'always', 'less', 'https', 'http', 'css', 'rss', 'sms', 'aws', 'dns', 'jpa', 'this', 'yes', 'was', 'has', 'does', 'is', 'its', 'us']);

/** `visits` → `visit`, `categories` → `category`, `booking` → `book`, `shipping` → `ship`. */
export function stem(word: string): string {
  let w = word.toLowerCase();
  if (KEEP.has(w) || w.length <= 3) return w;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (/(?:x|ch|sh|ss|zz)es$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.endsWith('ing') && !KEEP.has(w) && w.length - 3 >= 4) {
    w = w.slice(0, -3);
    if (/([b-df-hj-np-tv-z])\1$/.test(w) && !/(?:ll|ss|zz)$/.test(w)) w = w.slice(0, -1);
  }
  return w;
}

/** Splits identifiers, paths and prose into lower-case words (`getUserById` → get user by id). */
export function splitWords(text: string): string[] {
  return text
    .replace(/\b(log|sign)[\s-](in|up|on)\b/gi, '$1$2')
    .replace(/\be-mail/gi, 'email')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .map((w) => w.toLowerCase())
    .filter((w) => w !== '');
}

/** The concept a word stands for (`recovery` → `reset`), after stemming. */
export function concept(word: string): string {
  const lower = word.toLowerCase();
  return CONCEPT.get(lower) ?? CONCEPT.get(stem(lower)) ?? stem(lower);
}

/** Significant concepts of a text, in order of first appearance, without repeats. */
export function concepts(text: string): string[] {
  const out: string[] = [];
  for (const word of splitWords(text)) {
    if (NOISE.has(word) || /^\d+$/.test(word) || word.length < 2) continue;
    const c = concept(word);
    if (!NOISE.has(c) && !out.includes(c)) out.push(c);
  }
  return out;
}

export function isNoise(word: string): boolean {
  return NOISE.has(word.toLowerCase());
}

/** `visit` → `visits`, `category` → `categories`, `box` → `boxes`. */
export function plural(word: string): string {
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(?:s|x|z|ch|sh)$/.test(word)) return `${word}es`;
  return `${word}s`;
}

export type NameStyle = 'snake_case' | 'kebab-case' | 'camelCase' | 'PascalCase' | 'lowercase';

/** The naming style of one file name's stem, when it has several words (`password_reset` → snake_case). */
export function styleOf(stem: string): NameStyle | undefined {
  if (/^[a-z0-9]+(?:_[a-z0-9]+)+$/.test(stem)) return 'snake_case';
  if (/^[a-z0-9]+(?:-[a-z0-9]+)+$/.test(stem)) return 'kebab-case';
  if (/^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+$/.test(stem)) return 'PascalCase';
  if (/^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+$/.test(stem)) return 'camelCase';
  if (/^[A-Z][a-z0-9]+$/.test(stem)) return 'PascalCase';
  return undefined;
}

export function inStyle(words: readonly string[], style: NameStyle): string {
  const parts = words.map((w) => w.toLowerCase()).filter((w) => w !== '');
  const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
  switch (style) {
    case 'snake_case':
      return parts.join('_');
    case 'kebab-case':
      return parts.join('-');
    case 'PascalCase':
      return parts.map(cap).join('');
    case 'lowercase':
      return parts.join('');
    case 'camelCase':
      return parts.map((w, i) => (i === 0 ? w : cap(w))).join('');
  }
}

/** `src/shop/api/routes/login.py` → `login`; `OwnerControllerTests.java` → `OwnerControllerTests`; `auth.test.ts` → `auth`. */
export function baseName(path: string): string {
  const file = path.slice(path.lastIndexOf('/') + 1);
  return file.replace(/(?:\.(?:test|spec))?\.[A-Za-z0-9]+$/, '');
}

export function dirName(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function extOf(path: string): string {
  const file = path.slice(path.lastIndexOf('/') + 1);
  const i = file.lastIndexOf('.');
  return i <= 0 ? '' : file.slice(i + 1);
}

/**
 * The path an analogous file for another resource would have: `src/main/java/x/owner/OwnerController.java`
 * with owner → visit gives `…/owner/VisitController.java`; `tests/api/test_items.py` with item → order
 * gives `tests/api/test_orders.py`; `src/services/postService.ts` with post → comment gives
 * `src/services/commentService.ts`. Only the file name is rewritten, in the case and plural it had;
 * undefined when the file name does not name the resource. `multiWord` is the style for a
 * several-word name when the file name itself shows none (`items.py` → `password_resets.py` in Python).
 */
export function substituteName(path: string, from: string, to: readonly string[], multiWord: NameStyle = 'camelCase'): string | undefined {
  const dir = dirName(path);
  const file = dir === '' ? path : path.slice(dir.length + 1);
  const parts = file.match(/[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])|[^A-Za-z0-9]+/g) ?? [];
  const sep: NameStyle = file.includes('_') ? 'snake_case' : file.includes('-') ? 'kebab-case' : /[a-z][A-Z]/.test(file) ? 'camelCase' : multiWord;
  const single = from.toLowerCase();
  const many = plural(single);
  const index = parts.findIndex((p, i) => (p.toLowerCase() === single || p.toLowerCase() === many) && !/^[A-Z]+$/.test(p.length > 1 ? p : '') && (i === 0 || !/^[a-z]/.test(p) || !/[A-Za-z0-9]$/.test(parts[i - 1]!)));
  if (index < 0 || to.length === 0) return undefined;
  const part = parts[index]!;
  const words = part.toLowerCase() === many ? [...to.slice(0, -1), plural(to[to.length - 1]!)] : [...to];
  const capital = /^[A-Z]/.test(part);
  const replacement = capital ? inStyle(words, 'PascalCase') : sep === 'camelCase' ? inStyle(words, 'camelCase') : inStyle(words, sep);
  const renamed = [...parts.slice(0, index), replacement, ...parts.slice(index + 1)].join('');
  return dir === '' ? renamed : `${dir}/${renamed}`;
}
