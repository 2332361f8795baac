/**
 * Words for the meaning checks: tokens, a stop-word list, and a light suffix-stripping stemmer
 * ("limiting", "limits", "limiter" → "limit"; "validation", "validates" → "valid"). Deterministic,
 * English only, no dictionary: good enough to tell whether two texts talk about the same things.
 */

/** Function words, EARS boilerplate and verbs that say nothing about a feature ("add", "support"). */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below between both but by can cannot could ' +
    'did do does doing done down during each either else every few for from further had has have having he her here hers him his how i if in ' +
    'into is it its itself just least less let like may me might more most must my no nor not now of off on once one only or other our ours out ' +
    'over own per same she should so some such than that the their theirs them then there these they this those through thus to too under until ' +
    'up upon us very via was we were what when whenever where whether which while who whom whose why will with within without would yet you your ' +
    // EARS and requirement boilerplate
    'shall system given able ability capability functionality feature features ' +
    // verbs that carry no subject matter
    'add adds added adding implement implements implemented implementing support supports supported supporting provide provides provided ' +
    'providing allow allows allowed allowing enable enables enabled make makes made making new use uses used using get gets got ensure ensures ' +
    'need needs want wants let lets way ways thing things able e g eg ie i.e etc'
  ).split(/\s+/),
);

/**
 * Generic software nouns: shared by almost any two requests, so sharing only these does not make a
 * requirement relevant ("THE SYSTEM SHALL export invoices through the API" shares only "api" with
 * a rate-limiting request).
 */
export const WEAK_TERMS: ReadonlySet<string> = new Set(
  [
    'api', 'apis', 'request', 'response', 'data', 'user', 'service', 'endpoint', 'server', 'client', 'app', 'application', 'error', 'test',
    'code', 'file', 'page', 'value', 'record', 'field', 'information', 'input', 'output', 'http', 'json', 'id', 'public', 'private',
    'internal', 'external', 'web', 'backend', 'frontend', 'database', 'time', 'result', 'status', 'message', 'list', 'item', 'number',
    'default', 'configuration', 'setting', 'option', 'return', 'handle', 'call', 'send', 'receive', 'show', 'display', 'check', 'valid',
    'invalid', 'fail', 'failure', 'success', 'operation', 'process', 'change', 'update', 'creat', 'delet', 'read', 'write', 'store',
  ].map((w) => stem(w)),
);

/** Lower-case word tokens (letters, digits, inner hyphens/apostrophes), in order. */
export function tokenize(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+(?:['’-][a-z0-9]+)*/g) ?? []).map((t) => t.replace(/['’]s$/, ''));
}

/**
 * A light stemmer: strips inflections (-s, -es, -ies, -ed, -ing), a final -e, then one derivation
 * (-ation, -ator, -ment, -ness, -ity, -er, -at(e), -ly), then a doubled final consonant. A stem keeps at least three
 * letters and a vowel ("rate" stays "rat", "create", "created" and "creation" all give "cre"). Hyphenated
 * words are stemmed per part ("rate-limiting" → "rat-limit").
 */
export function stem(word: string): string {
  const w = word.toLowerCase();
  if (w.includes('-')) return w.split('-').map(stem).join('-');
  if (w.length <= 3 || /\d/.test(w)) return w;
  let s = w;
  const cut = (suffix: string, replacement = '', min = 3): boolean => {
    if (!s.endsWith(suffix)) return false;
    const base = s.slice(0, s.length - suffix.length) + replacement;
    if (base.length < min || !/[aeiouy]/.test(base)) return false;
    s = base;
    return true;
  };
  // Inflections.
  if (!cut('ies', 'y') && !cut('ied', 'y') && !(/(ss|x|z|ch|sh)es$/.test(s) && cut('es')) && !/(ss|us|is)$/.test(s)) cut('s');
  if (!cut('ing') && !s.endsWith('eed')) cut('ed');
  if (s.length > 3 && s.endsWith('e')) s = s.slice(0, -1);
  // One derivation.
  for (const suffix of ['izations', 'ization', 'ations', 'ation', 'ators', 'ator', 'ments', 'ment', 'ness', 'ity', 'ers', 'er', 'at', 'ly']) {
    if (cut(suffix, '', suffix === 'er' || suffix === 'ers' ? 4 : 3)) break;
  }
  if (s.length > 3 && /([bcdfgklmnprtvz])\1$/.test(s)) s = s.slice(0, -1);
  return s;
}

/** Content terms of a text: tokens minus stop words, stemmed, each once (order of first use). */
export function contentTerms(text: string): string[] {
  const out: string[] = [];
  for (const token of tokenize(text)) {
    if (STOP_WORDS.has(token) || token.length < 2) continue;
    // A hyphenated token counts as its parts too ("rate-limiting" → rat, limit).
    const parts = token.includes('-') ? [token, ...token.split('-')] : [token];
    for (const part of parts) {
      if (STOP_WORDS.has(part) || part.length < 2) continue;
      const s = stem(part);
      if (!out.includes(s)) out.push(s);
    }
  }
  return out;
}

/** Whether a stemmed term is one of the generic {@link WEAK_TERMS}. */
export function isWeakTerm(term: string): boolean {
  return WEAK_TERMS.has(term) || /^\d{1,2}$/.test(term);
}

/** `text` cut to `max` characters on a word boundary, with an ellipsis when cut. For quoting in feedback. */
export function quote(text: string, max = 90): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return `"${flat}"`;
  const cutAt = flat.lastIndexOf(' ', max - 1);
  return `"${flat.slice(0, cutAt > max / 2 ? cutAt : max - 1)}…"`;
}
