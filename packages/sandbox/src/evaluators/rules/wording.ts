/**
 * Vague and untestable wording, after the INCOSE Guide to Writing Requirements (GtWR v3/v4 rule
 * numbers): R7 vague terms (vague quantifiers and unmeasurable adjectives/adverbs such as "fast",
 * "user-friendly", "scalable"), R8 escape clauses ("as appropriate", "if necessary"), R9 open-ended
 * clauses ("etc.", "and so on"). A vague quality term is accepted when the same sentence quantifies
 * it with the right kind of measure ("fast: within 200 ms" names a duration; "scalable to 10,000
 * users" names a load). Text inside quotes or backticks is literal (a message, a header) and is not
 * judged.
 */

export type WordingRule = 'R7' | 'R8' | 'R9';
export type WordingKind = 'quality' | 'quantifier' | 'frequency' | 'escape' | 'open_ended' | 'filler';
/** What quantifies a term: a duration, a load or size, any measurement, a named mechanism, or nothing can. */
type Measure = 'time' | 'scale' | 'any' | 'mechanism' | 'none';

export interface WordingFinding {
  rule: WordingRule;
  kind: WordingKind;
  /** The words as written in the text. */
  term: string;
  /** Severity when found in a requirement's text, and in an acceptance criterion. */
  inRequirement: 'error' | 'warning';
  inCriterion: 'error' | 'warning';
  /** One actionable line: what is wrong and what to write instead. */
  message: string;
}

interface Term {
  /** Regular-expression source of the phrase (matched as whole words, case-insensitively). */
  phrase: string;
  kind: WordingKind;
  measure: Measure;
  advice: string;
}

const TIME = 'replace it with a measurable bound, e.g. "within 200 ms at p95"';
const LOAD = 'state the load it must sustain, e.g. "10,000 requests per second" or "1,000 concurrent users"';
const USABLE = 'name what the user can observe, e.g. "in at most 3 steps" or "the form shows which field is invalid"';
const FLEX = 'say what can vary and how, e.g. "the limit is read from the RATE_LIMIT_PER_MINUTE setting"';
const ROBUST = 'name the failure and the response, e.g. "IF the store is unreachable, THEN … respond 503 within 1 s"';
const EFFICIENT = 'give the resource bound, e.g. "at most 50 MB of memory" or "one database query per request"';
const SEAMLESS = 'describe the observable behaviour instead, e.g. "existing sessions stay valid after the upgrade"';
const ENOUGH = 'give the value, e.g. "at least 8 characters" or "at most 5 attempts per minute"';
const MINIMAL = 'give the bound, e.g. "at most 2 database queries" or "under 100 KB"';
const STATE_OF_ART = 'name the standard or technique, e.g. "RFC 6585" or "bcrypt with cost factor 12"';
const SECURE = 'name the mechanism, e.g. "stored as a bcrypt hash" or "accepted only over HTTPS"';
const QUANTIFIER = 'give the number or the range, e.g. "at least 3" or "between 10 and 20"';
const APPROX = 'give the value with its tolerance, e.g. "100 ± 5" or "between 95 and 105"';
const FREQUENCY = 'give the interval or the condition, e.g. "every 5 minutes" or "WHEN the job fails"';
const ESCAPE = 'state the condition explicitly (WHEN/IF <condition>, THE SYSTEM SHALL …) or drop it: an escape clause makes the requirement optional';
const OPEN = 'list every case explicitly: an open-ended list cannot be tested';
const FILLER = 'drop it or say what is observable';

const t = (kind: WordingKind, measure: Measure, advice: string, ...phrases: string[]): Term[] => phrases.map((phrase) => ({ phrase, kind, measure, advice }));

/** Longer phrases first, so "as soon as possible" wins over "possible" and "as appropriate" over "appropriate". */
const TERMS: Term[] = [
  // R8 escape clauses.
  ...t('escape', 'none', ESCAPE,
    'so far as is possible', 'as far as possible', 'as much as possible', 'as little as possible', 'if it should prove necessary',
    'to the extent (?:possible|practical|practicable|necessary|feasible)', 'if (?:practicable|practical|feasible)',
    '(?:if|when|where|as) (?:necessary|needed|appropriate|applicable)', '(?:if|where|when) possible', 'as required(?! by\\b)', 'if desired'),
  // R9 open-ended clauses.
  ...t('open_ended', 'none', OPEN,
    'including,? but not limited to', 'and so on', 'and so forth', 'among others', '(?:and|or) the like', '(?:and|or) similar', 'etc\\b\\.?', 'and more\\b(?! than)'),
  // R7: timing.
  ...t('quality', 'time', TIME,
    'as soon as possible', 'in a timely (?:manner|fashion)', 'without (?:undue |unnecessary )?delay', 'in real[- ]time', 'real[- ]time',
    'low[- ]latency', 'high[- ]performance', '(?<!fails? )fast(?:er|est)?', 'quick(?:ly|er)?', 'rapid(?:ly)?', 'speedy', 'swift(?:ly)?', 'responsive',
    'performant', 'promptly', 'timely', 'instantly', 'instantaneous(?:ly)?', 'immediately', 'slow(?:ly)?'),
  // R7: scale.
  ...t('quality', 'scale', LOAD,
    'highly available', 'high availability', 'high[- ]throughput', 'heavy load', 'high load', 'large (?:number|amount|volume)s? of', 'scalab(?:le|ility)', 'massive(?:ly)?'),
  // R7: other unmeasurable qualities.
  ...t('quality', 'any', USABLE, 'user[- ]friendly', 'easy[- ]to[- ]use', 'easy', 'easily', 'intuitive(?:ly)?', 'straightforward', 'convenient(?:ly)?', 'ergonomic'),
  ...t('quality', 'any', FLEX, 'flexib(?:le|ly|ility)', 'extensible', 'expandable'),
  ...t('quality', 'any', ROBUST, 'robust(?:ly|ness)?', 'resilient(?:ly)?', 'reliab(?:le|ly)', 'gracefully', 'fault[- ]tolerant'),
  ...t('quality', 'any', EFFICIENT, 'efficient(?:ly)?', 'optimal(?:ly)?', 'optimi[sz]ed'),
  ...t('quality', 'any', SEAMLESS, 'seamless(?:ly)?', 'transparent(?:ly)?', 'smooth(?:ly)?'),
  ...t('quality', 'any', ENOUGH,
    'adequate(?:ly)?', 'sufficient(?:ly)?', 'reasonabl[ey]', 'acceptabl[ey]', '(?<!as |where |when |if )appropriate(?:ly)?', 'suitabl[ey]', 'satisfactor(?:y|ily)',
    'significant(?:ly)?', 'substantial(?:ly)?', 'considerabl[ey]', 'effectively'),
  ...t('quality', 'any', MINIMAL, 'minimal(?:ly)?', 'minimi[sz]e[ds]?', 'maximi[sz]e[ds]?', 'negligible'),
  ...t('quality', 'none', STATE_OF_ART, 'state[- ]of[- ]the[- ]art', 'cutting[- ]edge', 'best[- ]in[- ]class', 'world[- ]class', 'industry[- ]standard', 'best practices?', 'modern'),
  ...t('quality', 'mechanism', SECURE, 'securely', '(?:be|is|are|remain|stays?) secure'),
  // R7: vague quantifiers and frequencies.
  ...t('quantifier', 'none', QUANTIFIER, 'a lot of', 'lots of', 'a few', 'a number of', 'most of', '(?<!(?:how|as|that|this) )many', 'several', 'numerous', 'various', 'some'),
  ...t('quantifier', 'none', APPROX, 'approximate(?:ly)?', 'roughly', 'nearly', 'almost(?: always)?', '(?:about|around|close to)(?= \\d)'),
  ...t('frequency', 'time', FREQUENCY, 'usually', 'typically', 'often', 'sometimes', 'frequently', 'occasionally', 'regularly', 'periodically', 'seldom', 'rarely'),
  // Words that promise quality without content (warnings).
  ...t('filler', 'none', FILLER, 'high[- ]quality', 'good', 'better', 'nice(?:ly)?', 'clean(?:ly)?', 'elegant(?:ly)?', 'powerful', 'lightweight', 'simpl[ey]'),
];

const COMPILED = TERMS.map((term) => ({ ...term, regex: new RegExp(`(?<![\\w-])(?:${term.phrase})(?![\\w-])`, 'gi') }));

const UNIT_TIME = '(?:ms|msec|milliseconds?|µs|us|microseconds?|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|days?|weeks?)';
const UNIT_LOAD =
  '(?:%|percent|req(?:uest)?s?|rps|qps|tps|users?|clients?|connections?|sessions?|instances?|nodes?|replicas?|servers?|records?|rows?|items?|documents?|events?|messages?|jobs?|tenants?|keys?|files?|transactions?|calls?|concurrent|[kmgt]i?b|bytes?)';
const NUM = '\\d[\\d,]*(?:\\.\\d+)?';
const MEASURES: Record<Exclude<Measure, 'none'>, RegExp> = {
  time: new RegExp(`${NUM}\\s*${UNIT_TIME}(?![a-z])|\\bp(?:50|75|90|95|99|999)\\b|\\b\\d+(?:st|nd|rd|th) percentile\\b`, 'i'),
  scale: new RegExp(`${NUM}\\s*${UNIT_LOAD}(?![a-z])|${NUM}\\s*(?:per|/)\\s*(?:second|minute|hour|s|min)\\b`, 'i'),
  any: new RegExp(
    `${NUM}\\s*(?:%|[a-zµ]+)|\\b(?:at most|at least|no more than|no fewer than|no less than|up to|within|exactly|a maximum of|a minimum of|under|below|above|over)\\s+(?:${NUM}|one|two|three|four|five|six|seven|eight|nine|ten)\\b|[≤≥<>]=?\\s*${NUM}|\\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|hundred|thousand)\\s+(?:steps?|clicks?|seconds?|minutes?|attempts?|queries|query|characters?|requests?|times)\\b`,
    'i',
  ),
  mechanism: /\b(?:hash(?:ed|es)?|bcrypt|scrypt|argon2\w*|sha-?\d+|hmac|encrypt\w*|aes(?:-\d+)?|rsa|tls|https|signed|signature|jwt|oauth\w*|csrf|permissions?|roles?|scopes?)\b/i,
};

/** Replaces quoted literals with spaces of the same length, so positions stay valid and their words are not judged. */
function maskLiterals(text: string): string {
  return text
    .replace(/`[^`]*`|"[^"]*"|“[^”]*”|'[^'\s][^']*[^'\s]'/g, (m) => ' '.repeat(m.length))
    .replace(HTTP_REASONS, (m) => ' '.repeat(m.length));
}

/** HTTP reason phrases as written in Title Case ("429 Too Many Requests") are names, not wording. */
const HTTP_REASONS = /\b(?:Too Many Requests|Request Entity Too Large|Payload Too Large|URI Too Long|Request Header Fields Too Large)\b/g;

function quantified(measure: Measure, sentence: string): boolean {
  if (measure === 'none') return false;
  if (measure === 'any') return MEASURES.any.test(sentence) || MEASURES.time.test(sentence) || MEASURES.scale.test(sentence);
  return MEASURES[measure].test(sentence);
}

const RULE_OF: Record<WordingKind, WordingRule> = { quality: 'R7', quantifier: 'R7', frequency: 'R7', filler: 'R7', escape: 'R8', open_ended: 'R9' };

function describe(term: Term & { regex: RegExp }, written: string): string {
  const rule = RULE_OF[term.kind];
  switch (term.kind) {
    case 'escape':
      return `"${written}" is an escape clause (INCOSE GtWR ${rule}): ${term.advice}`;
    case 'open_ended':
      return `"${written}" leaves the list open (INCOSE GtWR ${rule}): ${term.advice}`;
    case 'filler':
      return `"${written}" is an unmeasurable judgement (INCOSE GtWR ${rule}): ${term.advice}`;
    case 'quantifier':
      return `"${written}" is a vague quantity (INCOSE GtWR ${rule}): ${term.advice}`;
    case 'frequency':
      return `"${written}" is a vague frequency (INCOSE GtWR ${rule}) and the sentence gives no interval: ${term.advice}`;
    case 'quality': {
      const why = term.measure === 'none' ? 'it cannot be measured' : 'nothing in the sentence quantifies it';
      return `"${written}" is vague (INCOSE GtWR ${rule}) and ${why}: ${term.advice}`;
    }
  }
}

const SEVERITIES: Record<WordingKind, Pick<WordingFinding, 'inRequirement' | 'inCriterion'>> = {
  quality: { inRequirement: 'error', inCriterion: 'error' },
  escape: { inRequirement: 'error', inCriterion: 'error' },
  open_ended: { inRequirement: 'error', inCriterion: 'error' },
  quantifier: { inRequirement: 'error', inCriterion: 'warning' },
  frequency: { inRequirement: 'error', inCriterion: 'warning' },
  filler: { inRequirement: 'warning', inCriterion: 'warning' },
};

/** Every vague, escape or open-ended phrase of `text` that the text does not quantify, in order of appearance. */
export function findVagueWording(text: string): WordingFinding[] {
  const masked = maskLiterals(text);
  const taken: [number, number][] = [];
  const found: { at: number; finding: WordingFinding }[] = [];
  for (const term of COMPILED) {
    term.regex.lastIndex = 0;
    for (const match of masked.matchAll(term.regex)) {
      const start = match.index;
      const end = start + match[0].length;
      if (taken.some(([a, b]) => start < b && end > a)) continue;
      taken.push([start, end]);
      if (quantified(term.measure, masked)) continue;
      const written = text.slice(start, end).trim();
      found.push({ at: start, finding: { rule: RULE_OF[term.kind], kind: term.kind, term: written, ...SEVERITIES[term.kind], message: describe(term, written) } });
    }
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.finding);
}
