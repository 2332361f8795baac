/**
 * The planner's REQUIREMENTS phase, grounded in the repository (`plan/`): the kind of change decides
 * the requirements a change of that kind needs, written with the code base's routes, parameters,
 * settings, views and test files (`plan/recipes.ts`); each clause of the description that states
 * something of its own becomes a requirement too. A feature that already exists is reported as such
 * (`existing_implementation`). Kept standard requirements (configuration, validation, observability,
 * tests) are specific to the change. Each has a stable id (REQ-001…), EARS text, a type, a priority
 * and at least two observable acceptance criteria (REQ-001.AC-1…).
 */
import { criterionId, formatId, type Priority, type RequirementsOutput } from '@specline/protocol';
import type { CodeIndex } from '../codeindex/types';
import type { SpecInfo } from '../types';
import { buildBlueprint, type Aspect, type Blueprint } from './plan/blueprint';
import { ground, type Grounding } from './plan/ground';
import { recipeDrafts, testsDraft, type Draft as RecipeDraft } from './plan/recipes';
import { repoFacts } from './plan/repo';
import { concepts } from './plan/words';
import { stackProfile, type StackProfile } from './profile';
import { CLAUSE_VERBS, capitalize, clauseFacts, featurePhrase, featureWords, lowerFirst, measurable, outOfScopeText, routePath, splitClauses, startsWithVerb, tidy, truncate, withoutVagueWords, type ClauseFacts } from './text';

/** What the later phases can be given besides the EXPLORE output: the code index, and whether a code base exists. */
export interface PlanInputs {
  index?: CodeIndex;
  hasCodebase?: boolean;
}

/** The grounding and blueprint of a request (deterministic: every phase recomputes the same one). */
export function planFor(spec: Pick<SpecInfo, 'title' | 'description'>, explore: unknown, inputs: PlanInputs = {}): { g: Grounding; bp: Blueprint } {
  const g = ground(spec, repoFacts(explore, inputs.index, inputs.hasCodebase ?? true));
  return { g, bp: buildBlueprint(g) };
}

export type RequirementCategory = 'rule' | 'response' | 'behaviour' | 'ui' | 'config' | 'errors' | 'observability' | 'testing';

interface Draft {
  title: string;
  type: string;
  priority: Priority;
  category: RequirementCategory;
  aspect?: Aspect;
  text: string;
  criteria: string[];
  source: string;
  dependsOn: number[];
  existing?: string;
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
/** The first modal of a sentence and its subject: "Users must confirm their email before they can log in" → users / must / confirm …. */
const MODAL = /^(.+?)\s+(must not|mustn't|must never|shall not|should not|cannot|can not|may not|must be able to|should be able to|shall be able to|will be able to|are able to|is able to|needs to|need to|has to|have to|must|shall|should|will|can|could|may)\s+(.+)$/i;
/** Subjects that are the system itself ("The API must return 429" → "return 429"). */
const SYSTEM_SUBJECT = /^(?:the\s+)?(?:system|api|server|service|backend|application|app|platform|endpoint|it)$/i;

/** "Successful logins reset the counter": a subject of one or two words, then a verb. */
function declarative(text: string): boolean {
  const words = text.split(/\s+/).map((w) => w.toLowerCase().replace(/[^a-z-]/g, ''));
  return [1, 2].some((i) => words[i] !== undefined && (CLAUSE_VERBS.has(words[i]) || (words[i].endsWith('s') && CLAUSE_VERBS.has(words[i].slice(0, -1)))) && !CLAUSE_VERBS.has(words[0]!));
}

export function responseText(clause: string, facts: ClauseFacts): string {
  let text = tidy(clause);
  const modal = startsWithVerb(text) ? null : MODAL.exec(text);
  if (startsWithVerb(text)) text = lowerFirst(text);
  else if (modal) {
    const subject = lowerFirst(modal[1]!);
    const word = modal[2]!.toLowerCase();
    const rest = modal[3]!;
    const system = SYSTEM_SUBJECT.test(subject);
    if (/not|never|cannot|can not|mustn't/.test(word)) text = system ? `NOT ${rest}` : `NOT allow ${subject} to ${rest}`;
    else if (/able to|^can$|^could$|^may$/.test(word)) text = system ? rest : `allow ${subject} to ${rest}`;
    // An obligation keeps its force: "Users must confirm their email" → "require users to confirm their email".
    else if (/must|shall|needs? to|ha(?:s|ve) to/.test(word)) text = system ? rest : `require ${subject} to ${rest}`;
    else text = system ? rest : `ensure that ${subject} ${rest.replace(/^be\b/, 'are')}`;
  } else if (/\b(is|are|has|have|returns?|gets?|becomes?|stays?|contains?)\b/.test(text) || /^(?:a|an|the|each|every|any|all|no)\s+\w+(?:\s+\w+)?\s+[a-z]+s\b/i.test(text) || declarative(text)) text = `ensure that ${lowerFirst(text)}`;
  else if (/^(?:a|an|the)\s/i.test(text) || /^[A-Z]/.test(text)) text = `provide ${lowerFirst(text)}`;
  else text = `provide ${lowerFirst(text)}`;
  // "add POST /x" as a requirement: the system serves the route.
  text = text.replace(/^(?:add|create|implement|build|introduce|expose)\s+(?=(?:GET|POST|PUT|PATCH|DELETE)\s+\/)/, 'serve ');
  // Routes in code quotes, so the sentence's full stop is never read as part of the path.
  text = text.replace(/(?<!`)\b(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(\/[\w/{}<>:.*-]*)(?!`)/g, (_m, method: string, path: string) => `\`${method} ${routePath(path)}\`${path.slice(routePath(path).length)}`);
  for (const status of facts.statuses) {
    const name = STATUS_NAMES[status];
    text = text.replace(new RegExp(`(?<!HTTP )\\b${status}\\b(?!\\s*\\()`), `HTTP ${status}${name ? ` (${name})` : ''}`);
  }
  for (const header of facts.headers) {
    if (!new RegExp(`${header}\\s+header`, 'i').test(text)) text = text.replace(new RegExp(`\\b(?:an?\\s+|the\\s+)?${header}\\b`), `a ${header} header`);
  }
  return text;
}

function trigger(clause: string, facts: ClauseFacts, previous: { facts: ClauseFacts; id: string; title: string } | undefined, feature: string, target?: string, hasUi = true): { text: string; category: RequirementCategory } {
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
  if (/^(show|display|render|list|highlight|hide)\b/i.test(clause) && hasUi) return { text: `WHEN a user opens the ${feature} view, THE SYSTEM SHALL ${response}.`, category: 'ui' };
  if (facts.routes.length > 0) return { text: `WHEN a client sends \`${facts.routes[0]!.method} ${facts.routes[0]!.path}\`, THE SYSTEM SHALL ${response}.`, category: 'behaviour' };
  if (target) return { text: `WHEN a client sends \`${target}\`, THE SYSTEM SHALL ${response}.`, category: 'behaviour' };
  return { text: `WHEN a client uses ${feature}, THE SYSTEM SHALL ${response}.`, category: 'behaviour' };
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
        : `The response includes the ${header} header with a non-empty value.`,
    );
  }
  for (const route of facts.routes) out.push(`\`${route.method} ${route.path}\` answers a valid request with a 2xx status and the documented body (${lowerFirst(truncate(clause, 80))}).`);
  if (facts.statuses.some((s) => s >= 400)) out.push(`A request that does not meet the failure condition is not answered with ${facts.statuses.filter((s) => s >= 400).join(' or ')}.`);
  out.push(...topicCriteria(clause));
  const match = /^(WHEN|IF|WHILE|WHERE)\s+(.+?),\s*(?:THEN\s+)?THE SYSTEM SHALL (NOT )?(.+?)\.?$/.exec(draftText);
  if (match && out.length < 3) {
    const [, keyword, condition, not, response] = match as unknown as [string, string, string, string | undefined, string];
    const given = keyword === 'WHERE' ? `Given ${condition}` : keyword === 'WHILE' ? `While ${condition}` : `When ${condition}`;
    out.push(`${given}, an automated ${profile.testRunner ?? ''} test observes that the system does ${not ? 'not ' : ''}${response.replace(/^NOT /, '')}, by reading the resulting state or response.`.replace('  ', ' '));
    const allow = /^allow (.+?) to (.+)$/.exec(response);
    const attempt = allow ? `An attempt by ${allow[1]!} to ${allow[2]!}` : `An attempt to ${response}`;
    if (out.length < 3 && !not) out.push(`${attempt} that is invalid or not permitted is refused with an error naming the reason, and ${feature} changes nothing in that case.`);
  }
  for (const quantity of facts.quantities.filter(() => !facts.limit).slice(0, 1)) out.push(`At exactly ${quantity} the rule applies and just beyond ${quantity} it does not; the threshold is read from configuration with ${quantity} as the default.`);
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

/** Does a clause only restate the title ("Add pagination to the posts list" under that title)? */
function restatesTitle(clause: string, title: string): boolean {
  const own = concepts(clause);
  const titled = new Set(concepts(title));
  return own.length === 0 || own.every((c) => titled.has(c));
}

/** Requirements from the clauses of the description (each that says something the title does not). */
function clauseDrafts(clauses: readonly string[], profile: StackProfile, feature: string, bp: Blueprint, hasUi: boolean, vagueNotes: string[]): { drafts: Draft[]; facts: ClauseFacts[] } {
  const drafts: Draft[] = [];
  const facts: ClauseFacts[] = [];
  const target = bp.facts.targets.length === 1 ? bp.facts.targets[0] : undefined;
  clauses.forEach((raw, i) => {
    const { text: clause, replaced } = measurable(raw);
    // What is left of "Reset as appropriate" says nothing on its own.
    if (clause.split(/\s+/).filter((w) => /[a-z]/i.test(w)).length < 2) return;
    for (const r of replaced) vagueNotes.push(`${formatId('requirement', drafts.length + 1)}: "${r.term}" is not testable as written; the plan proposes "${r.measure}" — confirm or change the number.`);
    // Facts come from what the request says, not from the targets the planner proposes.
    const clauseFact = clauseFacts(raw);
    const prevIndex = drafts.length - 1;
    const prev = prevIndex >= 0 ? { facts: facts[prevIndex]!, id: formatId('requirement', prevIndex + 1), title: drafts[prevIndex]!.title } : undefined;
    const { text, category } = trigger(clause, clauseFact, prev, feature, target, hasUi);
    drafts.push({
      title: truncate(capitalize(tidy(raw)), 80),
      type: requirementType(clause, category),
      priority: i === 0 || category === 'response' || category === 'rule' ? 'high' : 'medium',
      category,
      text,
      criteria: clauseCriteria(clause, clauseFact, text, profile, feature),
      source: `description clause ${i + 1}: "${tidy(raw)}"`,
      dependsOn: category === 'response' && prev ? [prevIndex] : [],
    });
    facts.push(clauseFact);
  });
  return { drafts, facts };
}

/** The kept standard requirements, each specific to the change: settings for stated numbers, invalid input, observability. */
function standardDrafts(g: Grounding, bp: Blueprint, drafts: readonly Draft[], allFacts: readonly ClauseFacts[], topic: string): Draft[] {
  const out: Draft[] = [];
  const has = (category: RequirementCategory) => drafts.some((d) => d.category === category);
  const quantities = [...new Set(allFacts.flatMap((f) => (f.limit ? [f.limit.quota] : f.quantities)))];
  const where = g.settingsFile ? ` in \`${g.settingsFile}\`` : '';
  if (quantities.length > 0 && !has('config')) {
    out.push({
      title: `Configurable ${topic} settings`,
      type: 'constraint',
      priority: 'medium',
      category: 'config',
      aspect: 'config',
      text: `WHERE an operator configures ${topic}${where}, THE SYSTEM SHALL read its values (${quantities.join(', ')}) from configuration, use the described values as defaults, and refuse to start with an invalid value.`,
      criteria: [
        `With no configuration set, the effective values are the described defaults: ${quantities.join(', ')}.`,
        `A configured value replaces the default and is used for the next ${topic} decision.`,
        'A missing, negative or non-numeric value makes start-up fail with an error that names the setting and the bad value.',
      ],
      source: 'numbers stated in the description',
      dependsOn: [],
    });
  }
  const http = g.repo.http !== undefined || bp.endpoints.length > 0 || allFacts.some((f) => f.statuses.length > 0 || f.routes.length > 0);
  const takesInput = bp.kind !== 'rule' && bp.kind !== 'job';
  if (takesInput && !has('errors')) {
    const target = bp.facts.targets.find((t) => /^(POST|PUT|PATCH)\b/.test(t)) ?? bp.facts.targets[0];
    const status = bp.facts.invalidStatus;
    out.push({
      title: `Refuse invalid input to ${topic}`,
      type: 'reliability',
      priority: 'high',
      category: 'errors',
      aspect: 'validation',
      text: target
        ? `IF \`${target}\` receives input for ${topic} with a missing or malformed field, THEN THE SYSTEM SHALL answer ${status} with an error body naming the field and leave stored state unchanged.`
        : `IF ${topic} receives a missing or malformed value, THEN THE SYSTEM SHALL refuse it with an error naming the value and leave stored state unchanged.`,
      criteria: [
        http || target ? `A request with a missing or malformed field is answered ${status} and the error body names the field.` : 'A missing or malformed value is refused with an error whose message names the value.',
        'After a refused request, reading the stored state back in a test shows no change.',
      ],
      source: 'kept requirement: invalid input, for this change',
      dependsOn: drafts.length > 0 ? [0] : [],
    });
  }
  if ((bp.kind === 'rule' || bp.kind === 'integration' || bp.kind === 'job') && !has('observability')) {
    const event = `${featureWords(g.spec.title, 3).join('_')}_${bp.kind === 'job' ? 'run' : 'refused'}`;
    out.push({
      title: `Log ${topic} outcomes`,
      type: 'non_functional',
      priority: 'medium',
      category: 'observability',
      aspect: 'observability',
      text: `WHEN ${topic} ${bp.kind === 'job' ? 'runs' : bp.kind === 'integration' ? 'calls the outside service' : 'refuses a request'}, THE SYSTEM SHALL write one structured log entry \`${event}\` with the outcome and the identifiers involved, never secret values.`,
      criteria: [
        `Each ${bp.kind === 'job' ? 'run' : bp.kind === 'integration' ? 'call' : 'refusal'} writes exactly one log entry with the event \`${event}\` and its outcome.`,
        'No log entry contains an API key, token, password or secret; at most a short hash of it.',
      ],
      source: 'kept requirement: observability of this change',
      dependsOn: drafts.length > 0 ? [0] : [],
    });
  }
  return out;
}

/** Recipe drafts (indices into their own list) appended after `base`, without those a clause already states. */
function mergeRecipe(base: readonly Draft[], clauses: readonly string[], recipe: readonly RecipeDraft[]): Draft[] {
  const out = [...base];
  const index = new Map<number, number>();
  recipe.forEach((draft, i) => {
    if (base.length > 0 && draft.covers && clauses.some((c) => draft.covers!.test(c))) return;
    index.set(i, out.length);
    const { covers: _covers, ...rest } = draft;
    out.push({ ...rest, dependsOn: draft.dependsOn.map((d) => index.get(d)).filter((d): d is number => d !== undefined) });
  });
  return out;
}

export function generateRequirements(spec: Pick<SpecInfo, 'title' | 'description'>, explore: unknown, inputs: PlanInputs = {}): RequirementsOutput {
  const profile = stackProfile(explore);
  const { g, bp } = planFor(spec, explore, inputs);
  const topic = withoutVagueWords(featurePhrase(spec.title).replace(/^(?:the|a|an)\s+/i, ''));
  const feature = withoutVagueWords(featureWords(spec.title).join(' '));
  const vagueNotes: string[] = [];
  const stated = splitClauses(spec.description).filter((c) => outOfScopeText(c) === undefined);
  const own = stated.filter((c) => !restatesTitle(c, spec.title));
  const recipe = recipeDrafts(g, bp);
  // A clause about what is shown is a UI requirement only where there is a user interface (a front end, templates) or no code base to tell.
  const hasUi = !g.repo.grounded || profile.frontendFramework !== undefined || bp.facts.formBased || g.repo.files.some((f) => /\.(tsx|jsx|vue|svelte|html)$/.test(f));
  const fromClauses = clauseDrafts(own.length > 0 || recipe.length > 0 ? own : [tidy(spec.title) || 'Provide the requested feature'], profile, feature, bp, hasUi, vagueNotes);
  const functional = mergeRecipe(fromClauses.drafts, own, recipe);
  const standard = standardDrafts(g, bp, functional, fromClauses.facts, topic);
  const beforeTests = [...functional, ...standard];
  const tests = testsDraft(g, bp, beforeTests.map((_, i) => i), topic);
  const all: Draft[] = [...beforeTests, tests];
  const requirements = all.map((draft, i) => {
    const id = formatId('requirement', i + 1);
    return {
      id,
      title: draft.title,
      type: draft.type,
      category: draft.category,
      ...(draft.aspect ? { aspect: draft.aspect } : {}),
      priority: draft.priority,
      text: draft.text,
      acceptance_criteria: draft.criteria.map((text, n) => ({ id: criterionId(id, n + 1), text })),
      dependencies: draft.dependsOn.map((d) => formatId('requirement', d + 1)),
      source: draft.source,
      ...(draft.existing ? { existing_implementation: draft.existing } : {}),
    };
  });
  const stack = `${g.repo.language}${g.repo.http ? ` / ${g.repo.http}` : ''}`;
  return {
    generated_by: 'planner',
    feature_name: tidy(spec.title),
    change_kind: bp.kind,
    requirements,
    existing_implementation: g.existing ? { summary: `Already implemented in ${g.existing.summary}`, files: g.existing.files, routes: g.existing.routes.map((r) => `${r.method} ${r.path}`), symbols: g.existing.symbols } : null,
    notes: [
      ...bp.notes,
      ...vagueNotes,
      ...(g.existing ? ['The requirements below state how the existing flow must behave; the design and tasks change the existing code only where it falls short, and add no second implementation.'] : []),
    ],
    code_context: g.touches.slice(0, 8).map((t) => ({ path: t.path, symbols: t.symbols.slice(0, 6), reason: t.reason })),
    has_codebase: g.repo.hasCodebase,
    assumptions: [
      g.repo.hasCodebase ? `The change is built into the existing ${stack} code${g.repo.grounded ? `, following its layout (${bp.parts.filter((p) => p.file_path).slice(0, 3).map((p) => p.file_path).join(', ')})` : ''}.` : 'No repository is connected: requirements come from the request alone and name no existing file.',
      'Derived by the deterministic planner from the request and the code index; review the wording before approval.',
    ],
    out_of_scope: splitClauses(spec.description).map(outOfScopeText).filter((c): c is string => c !== undefined),
  };
}
