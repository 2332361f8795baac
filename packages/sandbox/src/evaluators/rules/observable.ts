/**
 * Does an acceptance criterion name something a test can observe? An HTTP status, a header or a
 * response field, a stored or changed record, a message or label shown, an email, event or log
 * entry emitted, a file written, a value returned, a decision (refused, accepted), a count or a
 * limit. Intentions ("works correctly", "is handled properly", "as expected") are taken out first,
 * so "errors are handled properly" does not pass on the word "errors".
 */

export interface ObservableAnalysis {
  observable: boolean;
  /** What made it observable (`status code`, `header`, …), for tests and debugging. */
  signals: string[];
  /** Intention phrases found, as written. */
  intentions: string[];
}

const INTENTIONS: RegExp[] = [
  /\b(?:handl|process|deal|manag|treat|cover|address)\w*\b(?:\s+(?:with|of))?[^,.;:]{0,40}?\b(?:properly|correctly|gracefully|appropriately|accordingly|safely|well|as expected|as intended|right)\b/gi,
  /\b(?:works?|working|functions?|functioning|behaves?|behaving|operates?|operating|runs?|running|performs?|performing)\s+(?:\w+\s+)?(?:correctly|properly|as expected|as intended|as designed|fine|well|normally|smoothly|reliably|successfully)\b/gi,
  /\b(?:is|are|be|gets?|get)\s+(?:fully\s+|correctly\s+|properly\s+)?(?:supported|implemented|done|working|functional|in place|taken care of|considered|respected|honou?red|ensured)\b/gi,
  /\b(?:as expected|as intended|as designed|as specified|accordingly|without (?:any )?(?:issues|problems))\b/gi,
  /\b(?:correctly|properly|successfully|appropriately)\b/gi,
];

const SIGNALS: [string, RegExp][] = [
  ['status code', /\b(?:status|http|code|respon\w*|return\w*|answer\w*|receiv\w*|gets?|got|with|replies|reply)\b[^.;]{0,30}?\b[1-5]\d\d\b|\b[1-5]\d\d\b\s*(?:\(|status|response|error|too many|not found|bad request|unauthori[sz]ed|forbidden|conflict|unprocessable|ok\b|created|no content|accepted|gone|payload)|\b[1-5]xx\b/i],
  ['status reason', /\b(?:too many requests|not found|bad request|unauthori[sz]ed|forbidden|conflict|unprocessable (?:entity|content)|internal server error|service unavailable|no content|created)\b/i],
  ['header or cookie', /\b(?:headers?|cookies?)\b|\b[A-Z][A-Za-z0-9]*(?:-[A-Z][A-Za-z0-9]*)+\b/],
  ['response content', /\b(?:respon(?:se|ds?|ded)|body|payload|json|fields?|propert(?:y|ies)|attributes?|returns?|returned|contains?|containing|includes?|including|carr(?:y|ies)|lists?|listed)\b/i],
  ['stored or changed state', /\b(?:is set|are set|stor(?:e|es|ed)|sav(?:e|es|ed)|persist\w*|writ(?:e|es|ten)|records?|recorded|rows?|tables?|database|db|delet\w*|remov\w*|updat\w*|insert\w*|creat(?:e|es|ed)|state|cache[sd]?|counters?|counted|queued?|kept|reset\w*|increment\w*|decrement\w*|decreas\w*|increas\w*|expir\w*|revok\w*|marked|set to|changes? to)\b/i],
  ['shown to the user', /\b(?:messages?|shows?|shown|display\w*|labels?|pages?|screens?|notifications?|toasts?|banners?|dialogs?|buttons?|links?|visible|hidden|renders?|rendered|redirect\w*|navigat\w*|prompt\w*|prints?|printed|output|keyboard|focus\w*|accessible name|aria-[a-z]+|screen reader|tab order|contrast(?: ratio)?)\b/i],
  ['emitted', /\b(?:e-?mails?|sent|sends?|events?|emit\w*|publish\w*|logs?|logged|log entr(?:y|ies)|metrics?|alerts?|webhooks?|notif\w*|trac(?:e|es|ed)|spans?|audit\w*)\b/i],
  ['file', /\b(?:files?|exports?|exported|downloads?|downloaded|uploads?|uploaded|directory|folder)\b|\.(?:csv|pdf|json|xml|txt|md|html|ya?ml|png|zip)\b|\*\.[a-z]+|\b[\w-]+\.(?:ts|tsx|js|py|java|go|rb|rs|kt)\b/i],
  ['value', /\b(?:values?|equals?|equal to|true|false|null|none|zero|empty|ids?|number of|count|total|sum|amount|seconds?|minutes?|hours?|ms|bytes?|percent)\b|`[^`]+`|"[^"]+"|[=≤≥<>]|\b(?:is|are|equals?|becomes?|stays?|remains?|back to|set to)\s+-?\d/i],
  // A named field or variable (`failed_login_count`, `lockedUntil`, `user.is_active`) is something a test reads.
  ['named field', /\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\b[a-z]+[A-Z][A-Za-z0-9]*\b|\b[a-z]\w*\.[a-z_]\w*\b/],
  ['decision', /\b(?:refus\w*|reject\w*|den(?:y|ies|ied)|block\w*|accept\w*|allow\w*|permit\w*|serv(?:e|es|ed)|answer\w*|succeed\w*|fails?|failed|raises?|raised|throws?|thrown|errors?|exceptions?|exits?|exit code|times? out|retr(?:y|ies|ied)|limited|throttl\w*|authori[sz]ed|authenticat\w*|valid|invalid)\b/i],
  ['count or limit', /\b\d[\d,]*(?:\.\d+)?\s*(?:%|ms|s|seconds?|minutes?|hours?|days?|requests?|times|items?|bytes|[kmg]b|characters?|attempts?|per|th|st|nd|rd)\b|\b(?:at most|at least|no more than|no fewer than|no greater than|no less than|up to|within|exactly|more than|fewer than|less than|greater than)\s+\S*\d|\bby (?:one|two|\d+)\b/i],
  ['unchanged', /\b(?:unchanged|unaffected|not affected|does not affect|do not affect|identical|the same)\b/i],
  ['test result', /\b(?:tests?|suites?|specs?|checks?)\b[^.;]{0,60}\b(?:pass\w*|fail\w*|exercis\w*|covers?|names?|asserts?)\b/i],
];

const WEAK_SIGNALS = new Set(['decision', 'value', 'response content']);

/** Which observable signals a criterion has, once its intention phrases are taken out. */
export function analyzeObservable(text: string): ObservableAnalysis {
  let rest = text;
  const intentions: string[] = [];
  for (const pattern of INTENTIONS) {
    rest = rest.replace(pattern, (match) => {
      intentions.push(match.trim());
      return ' '.repeat(match.length);
    });
  }
  // Next to an intention, generic words ("errors are handled properly") do not make it observable.
  const weak = intentions.length > 0 ? WEAK_SIGNALS : new Set<string>();
  const signals = SIGNALS.filter(([name, regex]) => !weak.has(name) && regex.test(rest)).map(([name]) => name);
  return { observable: signals.length > 0, signals, intentions };
}

/** The hint appended to a criterion that names nothing observable. */
export const OBSERVABLE_HINT = 'an HTTP status, a response field or header, a stored or changed record, a message shown, an email/event/log emitted, a file written, a value returned, a count or limit';
