/**
 * Auto REQUIREMENTS: one EARS requirement per clause of the feature description, plus input
 * validation and a log line per handled request. The trigger names the route the agent saw in the
 * file it read; every criterion names something a test can observe (a status code, a header, a
 * stored row, a log line, a message).
 */
import { clauseFacts, featureWords, lowerFirst, outOfScopeText, splitClauses, startsWithVerb, tidy, truncate } from '../../../executors/text';
import { exportsOf, keywordFor, looksHttp, routesIn } from './repo';
import type { Seen } from './seen';

const VAGUE =
  /\b(?:fast(?:er)?|quick(?:ly)?|user[- ]friendly|easy|easily|simple|simply|intuitive(?:ly)?|seamless(?:ly)?|robust(?:ly)?|efficient(?:ly)?|appropriate(?:ly)?|as needed|as appropriate|flexible|scalable|properly|nicely|etc\.?|and so on)\b/gi;
const WEAK = /\b(?:should|may|might|could)\b/gi;

const STATUS_NAMES: Record<number, string> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
  409: 'Conflict', 413: 'Payload Too Large', 422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

const COUNTED =
  /\b(\d+)\s+((?:[a-z]+\s+){0,2}?)(attempts?|requests?|calls?|tries|times|logins?|messages?|uploads?|items?|errors?)\b(?:\s+(?:within|in|per|every|over)\s+(?:a\s+|an\s+|the\s+)?((?:\d+\s+)?(?:seconds?|minutes?|hours?|days?|ms|milliseconds?)))?/i;

/** Imperative verbs the planner's list lacks. */
const MORE_VERBS = /^(?:print|exit|output|raise|throw|open|close|format|parse|convert|reset|unlock|increment|decrement|skip|stop|start|run|keep|hash|encrypt|sign|invalidate|redirect|mask|truncate|sort|group|retry)\b/i;

export interface AutoRequirement {
  id: string;
  title: string;
  type: string;
  priority: 'low' | 'medium' | 'high' | 'critical';
  text: string;
  acceptance_criteria: { id: string; text: string }[];
  source: string;
}

/** Drops vague wording and weak modals from a clause taken from the brief. */
export function plain(text: string): string {
  return tidy(text.replace(VAGUE, ' ').replace(WEAK, 'shall').replace(/\s+([,.;])/g, '$1').replace(/\s{2,}/g, ' '));
}

function statusText(status: number): string {
  return `HTTP ${status}${STATUS_NAMES[status] ? ` (${STATUS_NAMES[status]})` : ''}`;
}

/** A clause as the response part of an EARS sentence, status codes spelled out. */
function response(clause: string): string {
  let text = plain(clause);
  const able = /^(.+?)\s+(?:can|shall be able to|are able to|is able to)\s+(.+)$/i.exec(text);
  const modal = /^(.+?)\s+(?:must|shall|will|needs to|need to)\s+(.+)$/i.exec(text);
  if (startsWithVerb(text) || MORE_VERBS.test(text)) text = lowerFirst(text);
  else if (able) text = `allow ${lowerFirst(able[1]!)} to ${able[2]!}`;
  else if (modal) text = `ensure that ${lowerFirst(modal[1]!)} ${modal[2]!}`;
  else text = `support ${lowerFirst(text)}`;
  for (const status of clauseFacts(clause).statuses) text = text.replace(new RegExp(`(?<!HTTP )\\b${status}\\b`), statusText(status));
  return text;
}

function typeOf(clause: string): string {
  const words = clause.replace(/\b[A-Z][A-Za-z0-9]*(?:-[A-Z][A-Za-z0-9]*)+\b/g, ''); // header names say nothing about the type
  if (/\b(auth\w*|permission|password|secret|token|role|csrf|brute)\b/i.test(words)) return 'security';
  if (/\b(latency|throughput|p9\d|within \d+\s*(ms|milliseconds?|seconds?))\b/i.test(words)) return 'performance';
  if (/\b(retry|retries|timeout|recover|backup)\b/i.test(words)) return 'reliability';
  return 'functional';
}

interface Situation {
  http: boolean;
  /** `POST /api/login`, or a description of where the feature is reached. */
  target: string;
  feature: string;
}

function criteriaFor(clause: string, condition: string | undefined, at: Situation): string[] {
  const facts = clauseFacts(clause);
  const out: string[] = [];
  const failures = facts.statuses.filter((s) => s >= 400);
  const refused = failures[0] !== undefined ? `answered with ${statusText(failures[0])}` : 'refused with an error naming the rule';
  const counted = COUNTED.exec(clause);
  if (counted) {
    const n = Number(counted[1]);
    const unit = counted[3]!.toLowerCase();
    const one = unit === 'tries' ? 'try' : unit.replace(/s$/, '');
    const many = unit === 'try' ? 'tries' : `${one}s`;
    const what = `${counted[2] ?? ''}${many}`;
    const window = counted[4] ? ` within ${counted[4]}` : '';
    out.push(`Given ${n - 1} ${counted[2] ?? ''}${n - 1 === 1 ? one : many}${window}, the next request to ${at.target} is processed as before, not ${refused}.`);
    out.push(`Given ${n} ${what}${window}, the next request to ${at.target} is ${refused}.`);
    if (counted[4]) out.push(`Once ${counted[4]} have passed since the first of those ${what}, a request is processed again (a test drives an injected clock, with no real waiting).`);
  } else if (failures.length > 0) {
    out.push(`When ${condition ?? 'the refusal condition holds'}, the response status is ${statusText(failures[0]!)}.`);
  } else if (facts.quantities[0]) {
    out.push(`A test with an injected clock at exactly ${facts.quantities[0]} and just past it observes the documented result on each side of that boundary.`);
  }
  for (const status of facts.statuses.filter((s) => s < 400)) out.push(`When the request is valid, the response status is ${statusText(status)}.`);
  for (const header of facts.headers) {
    out.push(
      /^retry-after$/i.test(header)
        ? `The ${failures[0] ?? 'refused'} response carries a Retry-After header whose value is a positive whole number of seconds, no more than the time left in the window.`
        : `The response carries the ${header} header with a non-empty value.`,
    );
  }
  if (failures.length > 0) out.push(`The ${failures.join('/')} response body is JSON with an \`error\` field naming the rule that refused the request.`);
  for (const route of facts.routes) out.push(`${route.method} ${route.path} is served and its response matches the documented schema.`);
  const exit = /\bexit(?:s|ing)?\s+with\s+(?:code|status)\s+(\d+)/i.exec(clause);
  if (exit) out.push(`When ${condition ?? 'this happens'}, the process exits with code ${exit[1]!} and writes nothing to standard output.`);
  const naming = /\b(?:error|message)\s+(?:naming|that names|with)\s+the\s+([a-z][a-z ]*?)(?:\s+and\b|[,.;]|$)/i.exec(clause);
  if (naming) out.push(`The error message printed to standard error names the ${naming[1]!.trim()}.`);
  if (/\bas JSON\b|\bJSON (?:output|format)\b/i.test(clause)) out.push('The output parses as JSON (a test runs `JSON.parse` / `json.loads` on it) and holds the same values as the plain report.');
  const short = truncate(plain(clause), 70);
  const fallbacks = at.http
    ? [
        `A test that sends ${at.target} where "${short}" applies observes it in the response status code and body and in the stored ${at.feature} row.`,
        `A test that sends ${at.target} where it does not apply gets the same status code and body as before this change.`,
      ]
    : [
        `A test that calls ${at.target} where "${short}" applies observes it in the returned value or the printed output.`,
        `A test that calls ${at.target} where it does not apply gets the same returned value and output as before this change.`,
      ];
  for (const fallback of fallbacks) if (out.length < 2) out.push(fallback);
  return [...new Set(out)].slice(0, 5);
}

function ears(clause: string, previousTitle: string | undefined, at: Situation): { text: string; condition: string | undefined } {
  const explicit = /^(when|whenever|if|while|where|after|once|before|unless|during)\s+(.+?),\s*(?:then\s+)?(.+)$/i.exec(clause);
  const arrives = at.http ? `a request to ${at.target} arrives` : `${at.target} runs`;
  if (explicit) {
    const word = explicit[1]!.toLowerCase();
    const condition = plain(explicit[2]!);
    const then = response(explicit[3]!);
    if (word === 'if') return { text: `IF ${condition}, THEN THE SYSTEM SHALL ${then}.`, condition };
    if (word === 'unless') return { text: `IF it is not the case that ${condition}, THEN THE SYSTEM SHALL ${then}.`, condition: `not ${condition}` };
    if (word === 'while' || word === 'during') return { text: `WHILE ${condition}${word === 'during' ? ' is in progress' : ''}, THE SYSTEM SHALL ${then}.`, condition };
    if (word === 'where') return { text: `WHERE ${condition}, THE SYSTEM SHALL ${then}.`, condition };
    if (word === 'when' || word === 'whenever') return { text: `WHEN ${condition}, THE SYSTEM SHALL ${then}.`, condition };
    return { text: `WHEN ${arrives} ${word} ${condition}, THE SYSTEM SHALL ${then}.`, condition: `${word} ${condition}` };
  }
  const refusal = clauseFacts(clause).statuses.some((s) => s >= 400) || /^(reject|deny|block|refuse|fail|prevent)\b/i.test(clause);
  if (refusal) {
    const condition = previousTitle ? `a request to ${at.target} breaks the rule "${lowerFirst(truncate(previousTitle, 60))}"` : `a request to ${at.target} is not allowed`;
    return { text: `IF ${condition}, THEN THE SYSTEM SHALL ${response(clause)}.`, condition };
  }
  return { text: `WHEN ${at.http ? `a client sends ${at.target}` : `${at.target} is called`}, THE SYSTEM SHALL ${response(clause)}.`, condition: undefined };
}

export function autoRequirements(seen: Seen): Record<string, unknown> {
  const { brief, files } = seen;
  const feature = featureWords(brief.title, 2).join(' ');
  const http = looksHttp(files, `${brief.title} ${brief.description}`);
  const keyword = keywordFor(`${brief.title} ${brief.description}`, files);
  const routes = [...routesIn(seen.read?.content ?? ''), ...clauseFacts(brief.description).routes];
  const route = routes.find((r) => r.path.toLowerCase().includes(keyword)) ?? routes[0];
  const symbol = exportsOf(seen.read?.content ?? '')[0];
  const at: Situation = {
    http,
    feature,
    target: route
      ? `${route.method} ${route.path}`
      : http
        ? `the endpoint that "${truncate(brief.title, 60)}" changes`
        : symbol
          ? `${symbol}() in ${seen.read!.path}`
          : seen.read
            ? seen.read.path
            : `the code that "${truncate(brief.title, 60)}" changes`,
  };
  const clauses = splitClauses(brief.description)
    .filter((c) => outOfScopeText(c) === undefined)
    .slice(0, 6);
  if (clauses.length === 0) clauses.push(tidy(brief.title));

  const requirements: AutoRequirement[] = [];
  const push = (draft: Omit<AutoRequirement, 'id' | 'acceptance_criteria'>, criteria: string[]) => {
    const id = `REQ-${String(requirements.length + 1).padStart(3, '0')}`;
    requirements.push({ id, ...draft, acceptance_criteria: criteria.map((text, k) => ({ id: `${id}.AC-${k + 1}`, text })) });
  };
  clauses.forEach((clause, i) => {
    const { text, condition } = ears(clause, requirements[i - 1]?.title, at);
    push(
      {
        title: truncate(plain(clause).replace(/^./, (c) => c.toUpperCase()), 70),
        type: typeOf(clause),
        priority: i === 0 || clauseFacts(clause).statuses.some((s) => s >= 400) ? 'high' : 'medium',
        text,
        source: clause,
      },
      criteriaFor(clause, condition, at),
    );
  });

  push(
    http
      ? {
          title: `Reject malformed requests to ${at.target}`,
          type: 'functional',
          priority: 'high',
          text: `IF a request to ${at.target} has a missing or malformed field, THEN THE SYSTEM SHALL answer HTTP 400 (Bad Request) with a JSON body naming the field, and store nothing.`,
          source: 'input validation',
        }
      : {
          title: `Reject invalid input to ${at.target}`,
          type: 'functional',
          priority: 'high',
          text: `IF ${at.target} receives a missing or malformed argument, THEN THE SYSTEM SHALL raise an error whose message names the argument, and change no stored state.`,
          source: 'input validation',
        },
    http
      ? [
          `A request to ${at.target} with a required field missing is answered with HTTP 400 and the body names that field.`,
          'A request with a field of the wrong type is answered with HTTP 400, and the number of stored rows is unchanged afterwards.',
        ]
      : [
          'A call with a required argument missing fails with an error message that names the argument.',
          'After a failed call, reading the stored state returns the same values as before the call.',
        ],
  );
  push(
    {
      title: `Log each ${feature} decision`,
      type: 'non_functional',
      priority: 'low',
      text: http
        ? `WHEN the ${feature} rules decide a request to ${at.target}, THE SYSTEM SHALL write one structured log line with the outcome and the duration in milliseconds.`
        : `WHEN ${at.target} finishes, THE SYSTEM SHALL write one structured log line with the ${feature} outcome and the duration in milliseconds.`,
      source: 'observability',
    },
    http
      ? [
          'Each decided request produces exactly one log line with the fields `outcome` and `duration_ms`.',
          'A refused request logs at level `warn`, and its line names the rule that refused it.',
        ]
      : [
          'Each call produces exactly one log line with the fields `outcome` and `duration_ms`.',
          'A failed call logs at level `error`, and its line names the error.',
        ],
  );

  return {
    generated_by: 'fake-llm',
    feature_name: feature,
    requirements,
    context_used: { files_listed: files.length, file_read: seen.read?.path ?? null, search_query: seen.search?.query ?? null, route: route ? `${route.method} ${route.path}` : null },
  };
}
