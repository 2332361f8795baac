/**
 * The planner's REQUIREMENTS phase: one requirement per clause of the description, plus the
 * non-functional ones every feature needs (configuration when the description states numbers, error
 * handling, observability, tests). Each has a stable id (REQ-001…), EARS text, a type, a priority
 * and at least two testable acceptance criteria (REQ-001.AC-1…).
 */
import { criterionId, formatId, type Priority, type RequirementsOutput } from '@specline/protocol';
import type { SpecInfo } from '../types';
import { stackProfile, type StackProfile } from './profile';
import { capitalize, clauseFacts, featureWords, lowerFirst, outOfScopeText, splitClauses, startsWithVerb, tidy, truncate, type ClauseFacts } from './text';

export type RequirementCategory = 'rule' | 'response' | 'behaviour' | 'ui' | 'config' | 'errors' | 'observability' | 'testing';

interface Draft {
  title: string;
  type: string;
  priority: Priority;
  category: RequirementCategory;
  text: string;
  criteria: string[];
  source: string;
  dependsOn: number[];
}

const STATUS_NAMES: Readonly<Record<number, string>> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 410: 'Gone', 413: 'Payload Too Large',
  415: 'Unsupported Media Type', 422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Gateway Timeout',
};

export function article(noun: string): string {
  return /^[aeiou]/i.test(noun) || /^[AEFHILMNORSX][A-Z]/.test(noun) ? 'an' : 'a';
}

/** "100 requests per minute" → its parts. */
export function parseQuota(quota: string): { count: number; unit: string; period: string | undefined } | undefined {
  const match = /(\d[\d,]*)\s+([a-z]+?)s?\b(?:\s+(?:per|a|an|each|every)\s+([a-z]+))?/i.exec(quota);
  if (!match) return undefined;
  return { count: Number(match[1]!.replace(/,/g, '')), unit: match[2]!.toLowerCase(), period: match[3]?.toLowerCase() };
}

function subjectNoun(subject: string): string {
  return subject.replace(/^(each|every|the|a|an|per)\s+/i, '');
}

/** A clause as the response part of an EARS sentence ("limit each API key …", "return HTTP 429 (Too Many Requests) …"). */
export function responseText(clause: string, facts: ClauseFacts): string {
  let text = tidy(clause);
  const able = /^(.+?)\s+(?:can|could|may|must be able to|should be able to|shall be able to|will be able to|are able to|is able to)\s+(.+)$/i.exec(text);
  const modal = /^(.+?)\s+(?:must|should|shall|will|needs to|need to)\s+(.+)$/i.exec(text);
  if (startsWithVerb(text)) text = lowerFirst(text);
  else if (able) text = `allow ${lowerFirst(able[1]!)} to ${able[2]!}`;
  else if (modal) text = `ensure that ${lowerFirst(modal[1]!)} ${modal[2]!}`;
  else if (/\b(is|are|has|have|returns?|gets?|becomes?|stays?|contains?)\b/.test(text)) text = `ensure that ${lowerFirst(text)}`;
  else text = `support ${lowerFirst(text)}`;
  for (const status of facts.statuses) {
    const name = STATUS_NAMES[status];
    text = text.replace(new RegExp(`(?<!HTTP )\\b${status}\\b(?!\\s*\\()`), `HTTP ${status}${name ? ` (${name})` : ''}`);
  }
  for (const header of facts.headers) {
    if (!new RegExp(`${header}\\s+header`, 'i').test(text)) text = text.replace(new RegExp(`\\b(?:an?\\s+|the\\s+)?${header}\\b`), `a ${header} header`);
  }
  return text;
}

function trigger(clause: string, facts: ClauseFacts, previous: { facts: ClauseFacts; id: string; title: string } | undefined, feature: string): { text: string; category: RequirementCategory } {
  const explicit = /^(when|whenever|once|after|before|if|while|during|where|unless)\s+(.+?),\s+(?:then\s+)?(.+)$/i.exec(clause);
  if (explicit) {
    const word = explicit[1]!.toLowerCase();
    const condition = tidy(explicit[2]!);
    const response = responseText(explicit[3]!, facts);
    const category: RequirementCategory = facts.statuses.length > 0 ? 'response' : 'behaviour';
    if (word === 'if') return { text: `IF ${condition}, THEN THE SYSTEM SHALL ${response}.`, category };
    if (word === 'unless') return { text: `IF it is not the case that ${condition}, THEN THE SYSTEM SHALL ${response}.`, category };
    if (word === 'while' || word === 'during') return { text: `WHILE ${word === 'during' ? `${condition} is in progress` : condition}, THE SYSTEM SHALL ${response}.`, category };
    if (word === 'where') return { text: `WHERE ${condition}, THE SYSTEM SHALL ${response}.`, category };
    return { text: `WHEN ${word === 'when' || word === 'whenever' ? '' : `${word} `}${condition}, THE SYSTEM SHALL ${response}.`, category };
  }
  const negative = /^(?:do not|don't|never|must not|should not|shall not)\s+(.+)$/i.exec(clause);
  if (negative) return { text: `WHEN ${feature} handles a request, THE SYSTEM SHALL NOT ${lowerFirst(tidy(negative[1]!))}.`, category: 'rule' };
  const response = responseText(clause, facts);
  const failure = facts.statuses.some((s) => s >= 400) || /^(reject|deny|block|refuse|fail|prevent)\b/i.test(clause);
  if (failure) {
    const limit = previous?.facts.limit;
    const condition = limit
      ? `${article(subjectNoun(limit.subject))} ${subjectNoun(limit.subject)} exceeds ${limit.quota}`
      : previous
        ? `a request violates ${previous.id} (${lowerFirst(truncate(previous.title, 60))})`
        : `a request to ${feature} cannot be served as specified`;
    return { text: `IF ${condition}, THEN THE SYSTEM SHALL ${response}.`, category: 'response' };
  }
  if (facts.limit) {
    const noun = subjectNoun(facts.limit.subject);
    return { text: `WHEN ${article(noun)} ${noun} makes a request, THE SYSTEM SHALL ${response}.`, category: 'rule' };
  }
  if (/\b(configurable|optional(ly)?|setting|feature flag|toggle)\b/i.test(clause)) return { text: `WHERE ${feature} is enabled, THE SYSTEM SHALL ${response}.`, category: 'config' };
  if (/^(show|display|render|list|highlight|hide)\b/i.test(clause)) return { text: `WHEN a user opens the ${feature} view, THE SYSTEM SHALL ${response}.`, category: 'ui' };
  return { text: `WHEN a client invokes the ${feature} feature, THE SYSTEM SHALL ${response}.`, category: 'behaviour' };
}

function requirementType(rawClause: string, category: RequirementCategory): string {
  const clause = rawClause.replace(/\b[A-Z][A-Za-z0-9]*(?:-[A-Z][A-Za-z0-9]*)+\b/g, ''); // header names say nothing about the type
  if (/\b(auth\w*|permission|password|secret|encrypt\w*|token|role|csrf|xss)\b/i.test(clause)) return 'security';
  if (/\b(latency|throughput|p9\d|within \d+\s*(ms|milliseconds?|seconds?))\b/i.test(clause)) return 'performance';
  if (category === 'ui') return 'usability';
  if (/\b(retry|retries|timeout|recover|fail ?over|backup)\b/i.test(clause)) return 'reliability';
  return 'functional';
}

function clauseCriteria(clause: string, facts: ClauseFacts, draftText: string, profile: StackProfile, feature: string): string[] {
  const out: string[] = [];
  const limit = facts.limit;
  const quota = limit ? parseQuota(limit.quota) : undefined;
  if (limit && quota) {
    const noun = subjectNoun(limit.subject);
    const window = quota.period ? ` in the current ${quota.period}` : '';
    out.push(`Given ${article(noun)} ${noun} that has made ${quota.count - 1} ${quota.unit}s${window}, when it makes one more, then that ${quota.unit} is served normally (it is within ${limit.quota}).`);
    out.push(`Given ${article(noun)} ${noun} that has made ${quota.count} ${quota.unit}s${window}, when it makes another, then that ${quota.unit} is refused and not processed.`);
    out.push(`Each ${noun} is counted separately: one ${noun} reaching the limit does not affect ${quota.unit}s made with another ${noun}.`);
    if (quota.period) out.push(`When the next ${quota.period} begins, ${article(noun)} ${noun} that had reached the limit can make ${quota.unit}s again (verified with an injected clock, no real waiting).`);
    return out;
  }
  for (const status of facts.statuses) out.push(`The response status code is ${status}${STATUS_NAMES[status] ? ` (${STATUS_NAMES[status]})` : ''}.`);
  for (const header of facts.headers) {
    out.push(
      header.toLowerCase() === 'retry-after'
        ? 'The response includes a Retry-After header whose value is a positive whole number of seconds until a retry can succeed, and a retry after that many seconds is not refused for the same reason.'
        : `The response includes the ${header} header with a non-empty, correct value.`,
    );
  }
  for (const route of facts.routes) out.push(`${route.method} ${route.path} is served and documented, and answers as described: ${lowerFirst(truncate(clause, 80))}.`);
  if (facts.statuses.some((s) => s >= 400)) out.push(`A request that does not meet the failure condition is not answered with ${facts.statuses.filter((s) => s >= 400).join(' or ')}.`);
  out.push(...topicCriteria(clause));
  const match = /^(WHEN|IF|WHILE|WHERE)\s+(.+?),\s*(?:THEN\s+)?THE SYSTEM SHALL (NOT )?(.+?)\.?$/.exec(draftText);
  if (match && out.length < 3) {
    const [, keyword, condition, not, response] = match as unknown as [string, string, string, string | undefined, string];
    const given = keyword === 'WHERE' ? `Given ${condition}` : keyword === 'WHILE' ? `While ${condition}` : `When ${condition}`;
    out.push(`${given}, an automated ${profile.testRunner ?? ''} test observes that the system does ${not ? 'not ' : ''}${response} — checking the resulting state or response, not only that a call succeeded.`.replace('  ', ' '));
    const allow = /^allow (.+?) to (.+)$/.exec(response);
    const attempt = allow ? `An attempt by ${allow[1]!} to ${allow[2]!}` : `An attempt to ${response}`;
    if (out.length < 3 && !not) out.push(`${attempt} that is invalid or not permitted is refused with an error naming the reason, and ${feature} changes nothing in that case.`);
  }
  for (const quantity of facts.quantities.filter(() => !facts.limit).slice(0, 1)) out.push(`The threshold ${quantity} is honoured exactly at its boundary (at ${quantity} and just beyond it) and taken from configuration, with ${quantity} as the default.`);
  const fallbacks = [
    `The behaviour "${truncate(clause, 80)}" is covered by an automated test that fails when it is removed.`,
    `Invalid or unexpected input to this behaviour is refused with an error naming the reason, and nothing is changed by ${feature}.`,
  ];
  for (const fallback of fallbacks) if (out.length < 2) out.push(fallback);
  return out;
}

/** Criteria that follow from what the clause is about (a file format, a notification, pagination …). */
function topicCriteria(clause: string): string[] {
  const out: string[] = [];
  if (/\bcsv\b/i.test(clause)) out.push('The produced file is valid CSV (RFC 4180): a header row, one line per record, and fields containing commas, quotes or line breaks are quoted.');
  if (/\bjson\b/i.test(clause)) out.push('The payload is valid JSON that matches the documented schema; unknown fields are not required by consumers.');
  if (/\b(e-?mail|notify|notification)\b/i.test(clause)) out.push('Exactly one notification is sent per triggering event, to the intended recipient only, and a failed delivery is retried or reported.');
  if (/\bpaginat\w*|\bpages?\b.*\blist\b/i.test(clause)) out.push('Results are paginated with a stable order; `limit` and `offset` (or a cursor) return every item exactly once across pages.');
  if (/\b(stream|streams|streaming)\b/i.test(clause)) out.push('Output is written incrementally: memory use stays bounded while a large result is produced, and the first bytes arrive before the whole result is computed.');
  if (/\b(upload|uploads)\b/i.test(clause)) out.push('An upload over the size limit or of a disallowed type is refused with an error naming the limit, and nothing is stored.');
  if (/\b(delete|remove)\b/i.test(clause)) out.push('After deletion the item can no longer be read, and deleting it again is answered as "not found" without side effects.');
  if (/\b(search|filter|sort)\b/i.test(clause)) out.push('Only matching items are returned, in the documented order, and an empty result is an empty list rather than an error.');
  if (/\b(button|page|screen|view|dialog|form)\b/i.test(clause)) out.push('The control is reachable by keyboard, has an accessible name, and states its result in text (not colour alone).');
  return out;
}

/**
 * Criteria for a requirement text written by anyone (used to repair a requirement that has fewer than
 * two): the same rules as for the planner's own clauses.
 */
export function criteriaForText(text: string, explore: unknown, title: string): string[] {
  const response = /THE SYSTEM SHALL (?:NOT )?(.+?)\.?$/i.exec(text)?.[1] ?? text;
  return clauseCriteria(response, clauseFacts(text), text, stackProfile(explore), featureWords(title).join(' '));
}

interface Context {
  title: string;
  feature: string;
  profile: StackProfile;
}

function nonFunctional(ctx: Context, drafts: readonly Draft[], allFacts: readonly ClauseFacts[]): Draft[] {
  const { feature, profile } = ctx;
  const out: Draft[] = [];
  const quantities = [...new Set(allFacts.flatMap((f) => (f.limit ? [f.limit.quota] : f.quantities)))];
  const http = profile.httpFramework !== undefined || allFacts.some((f) => f.statuses.length > 0 || f.routes.length > 0);
  const secretish = /\b(api key|token|secret|password|credential)s?\b/i.test(drafts.map((d) => d.source).join(' '));
  if (quantities.length > 0) {
    out.push({
      title: `Configurable ${feature} settings`,
      type: 'constraint',
      priority: 'medium',
      category: 'config',
      text: `WHERE an operator configures ${feature}, THE SYSTEM SHALL read its values (${quantities.join(', ')}) from configuration, use the described values as defaults, and refuse to start with an invalid value.`,
      criteria: [
        `With no configuration set, the effective values are the described defaults: ${quantities.join(', ')}.`,
        `A configured value replaces the default and is used for the next ${feature} decision.`,
        'A missing, negative or non-numeric value makes start-up fail with an error that names the setting and the bad value.',
      ],
      source: 'numbers stated in the description',
      dependsOn: [],
    });
  }
  out.push({
    title: `Validation and error handling for ${feature}`,
    type: 'reliability',
    priority: 'high',
    category: 'errors',
    text: `IF ${feature} receives invalid input or a dependency it relies on fails, THEN THE SYSTEM SHALL answer with a clear error that names the problem and leave stored state unchanged.`,
    criteria: [
      http
        ? 'A request with invalid input is answered with a 4xx status and a JSON error body whose message names the invalid field or value.'
        : 'Invalid input is rejected with an error whose message names the invalid field or value.',
      `When a dependency of ${feature} (its store or a downstream service) fails, the caller receives a defined error${http ? ' (5xx, or the documented fail-open behaviour)' : ''} and the failure is logged with its cause.`,
      'After any rejected or failed operation, no partial change is left in stored state (checked by reading the state back in a test).',
    ],
    source: 'standard requirement: errors and validation',
    dependsOn: [],
  });
  out.push({
    title: `Observability of ${feature}`,
    type: 'non_functional',
    priority: 'medium',
    category: 'observability',
    text: `WHEN ${feature} makes a decision or fails, THE SYSTEM SHALL record a structured log entry with the outcome and the identifiers involved${secretish ? ', never the secret values themselves' : ''}.`,
    criteria: [
      `Each ${feature} decision produces one structured log entry (via the project logger${profile.hasLogger ? `, e.g. the ${profile.httpFramework ?? 'framework'} request logger` : ''}) with the outcome and the subject's identifier.`,
      secretish ? 'No log entry contains a full API key, token or secret; at most a short non-reversible prefix or hash.' : 'Log entries contain no secret or personal data beyond an identifier.',
      `The number of refused and of failed ${feature} operations can be counted from the log entries or metrics.`,
    ],
    source: 'standard requirement: observability',
    dependsOn: [],
  });
  const functionalIds = drafts.map((_, i) => formatId('requirement', i + 1));
  const timeBased = allFacts.some((f) => f.quantities.some((q) => /second|minute|hour|day|week|ms/.test(q)));
  out.push({
    title: `Automated tests for ${feature}`,
    type: 'constraint',
    priority: 'medium',
    category: 'testing',
    text: `WHERE the ${profile.testRunner ?? 'project'} test suite runs, THE SYSTEM SHALL have automated tests that exercise every acceptance criterion of ${functionalIds.length > 0 ? functionalIds.join(', ') : 'this feature'}.`,
    criteria: [
      `Every acceptance criterion of ${functionalIds.join(', ') || 'this feature'} is exercised by at least one ${profile.testRunner ?? ''} test (${profile.testPattern}) that names the criterion id.`.replace('  ', ' '),
      `\`${profile.testCommand}\` passes with the new tests included, and each new test fails when the behaviour it checks is removed.`,
      ...(timeBased ? ['Tests that depend on time use an injected clock; none of them sleeps for real.'] : []),
    ],
    source: 'standard requirement: tests',
    dependsOn: drafts.map((_, i) => i),
  });
  return out;
}

export function generateRequirements(spec: Pick<SpecInfo, 'title' | 'description'>, explore: unknown): RequirementsOutput {
  const profile = stackProfile(explore);
  const feature = featureWords(spec.title).join(' ');
  const ctx: Context = { title: spec.title, feature, profile };
  const clauses = splitClauses(spec.description).filter((c) => outOfScopeText(c) === undefined);
  if (clauses.length === 0) clauses.push(tidy(spec.title) || 'Provide the requested feature');
  const drafts: Draft[] = [];
  const facts: ClauseFacts[] = [];
  clauses.forEach((clause, i) => {
    const clauseFact = clauseFacts(clause);
    const prevIndex = drafts.length - 1;
    const prev = prevIndex >= 0 ? { facts: facts[prevIndex]!, id: formatId('requirement', prevIndex + 1), title: drafts[prevIndex]!.title } : undefined;
    const { text, category } = trigger(clause, clauseFact, prev, feature);
    const criteria = clauseCriteria(clause, clauseFact, text, profile, feature);
    drafts.push({
      title: truncate(capitalize(clause), 80),
      type: requirementType(clause, category),
      priority: i === 0 || category === 'response' || category === 'rule' ? 'high' : 'medium',
      category,
      text,
      criteria,
      source: `description clause ${i + 1}: "${clause}"`,
      dependsOn: category === 'response' && prev ? [prevIndex] : [],
    });
    facts.push(clauseFact);
  });
  const all = [...drafts, ...nonFunctional(ctx, drafts, facts)];
  const requirements = all.map((draft, i) => {
    const id = formatId('requirement', i + 1);
    return {
      id,
      title: draft.title,
      type: draft.type,
      category: draft.category,
      priority: draft.priority,
      text: draft.text,
      acceptance_criteria: draft.criteria.map((text, n) => ({ id: criterionId(id, n + 1), text })),
      dependencies: draft.dependsOn.map((d) => formatId('requirement', d + 1)),
      source: draft.source,
    };
  });
  return {
    generated_by: 'planner',
    feature_name: tidy(spec.title),
    requirements,
    assumptions: [
      `The feature is built into the existing ${profile.language}${profile.httpFramework ? ` / ${profile.httpFramework}` : ''} code base under ${profile.sourceRoot}.`,
      'Requirements were derived clause by clause from the description by the deterministic planner; review the wording before approval.',
    ],
    out_of_scope: splitClauses(spec.description).map(outOfScopeText).filter((c): c is string => c !== undefined),
  };
}
