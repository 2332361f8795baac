/**
 * Auto REQUIREMENTS: one EARS requirement per clause of the feature description, plus input
 * validation and a log line per handled request. Every criterion names something a test can observe
 * (a status code, a header, a stored row, a log line, a returned value, a message).
 */
import { clauseFacts, featureWords, lowerFirst, outOfScopeText, splitClauses, startsWithVerb, tidy, truncate } from '../../../executors/text';
import { looksHttp } from './repo';
import type { Seen } from './seen';

const VAGUE =
  /\b(?:fast(?:er)?|quick(?:ly)?|user[- ]friendly|easy|easily|simple|simply|intuitive(?:ly)?|seamless(?:ly)?|robust(?:ly)?|efficient(?:ly)?|appropriate(?:ly)?|as needed|as appropriate|flexible|scalable|properly|nicely|etc\.?|and so on)\b/gi;
const WEAK = /\b(?:should|may|might|could)\b/gi;

const STATUS_NAMES: Record<number, string> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
  409: 'Conflict', 413: 'Payload Too Large', 422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

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

function response(clause: string): string {
  const text = plain(clause);
  const able = /^(.+?)\s+(?:can|shall be able to|are able to|is able to)\s+(.+)$/i.exec(text);
  const modal = /^(.+?)\s+(?:must|shall|will|needs to|need to)\s+(.+)$/i.exec(text);
  if (startsWithVerb(text)) return lowerFirst(text);
  if (able) return `allow ${lowerFirst(able[1]!)} to ${able[2]!}`;
  if (modal) return `ensure that ${lowerFirst(modal[1]!)} ${modal[2]!}`;
  return `support ${lowerFirst(text)}`;
}

function typeOf(clause: string): string {
  if (/\b(auth\w*|permission|password|secret|token|role|login|sign[- ]?in|csrf)\b/i.test(clause)) return 'security';
  if (/\b(latency|throughput|p9\d|within \d+\s*(ms|milliseconds?|seconds?))\b/i.test(clause)) return 'performance';
  if (/\b(retry|retries|timeout|recover|backup)\b/i.test(clause)) return 'reliability';
  return 'functional';
}

function statusText(status: number): string {
  return `HTTP ${status}${STATUS_NAMES[status] ? ` (${STATUS_NAMES[status]})` : ''}`;
}

function criteriaFor(clause: string, feature: string, http: boolean): string[] {
  const facts = clauseFacts(clause);
  const out: string[] = [];
  const failures = facts.statuses.filter((s) => s >= 400);
  for (const status of facts.statuses) {
    out.push(
      status >= 400
        ? `When the condition "${truncate(plain(clause), 70)}" holds, the response status is ${statusText(status)} and the JSON body has an \`error\` field naming the reason.`
        : `When the request is valid, the response status is ${statusText(status)}.`,
    );
  }
  for (const header of facts.headers) {
    out.push(
      /^retry-after$/i.test(header)
        ? 'The response carries a Retry-After header whose value is a positive whole number of seconds.'
        : `The response carries the ${header} header with a non-empty value.`,
    );
  }
  for (const route of facts.routes) out.push(`${route.method} ${route.path} is served and its response matches the documented schema.`);
  const quantity = facts.limit?.quota ?? facts.quantities[0];
  if (quantity) {
    out.push(`An automated test at exactly ${quantity} and one step past ${quantity} observes a different, documented result on each side of that boundary.`);
  }
  if (http) {
    if (failures.length > 0) out.push(`A request that does not meet that condition is not answered with ${failures.map(statusText).join(' or ')}.`);
    else out.push(`When a valid request exercises this behaviour, the response status is 200 (or 201 when something is created) and the body shows the result.`);
    out.push(`After a successful request the stored ${feature} row reflects the change, and after a refused request the stored rows are unchanged.`);
  } else {
    out.push(`When ${feature} runs with valid input, the returned value shows the result, and a unit test asserts that value.`);
    out.push(`When ${feature} runs with invalid input, it fails with an error message naming the invalid value, and no stored state changes.`);
  }
  return [...new Set(out)].slice(0, 4);
}

function ears(clause: string, feature: string, http: boolean): string {
  const explicit = /^(when|whenever|if|while|where)\s+(.+?),\s*(?:then\s+)?(.+)$/i.exec(clause);
  if (explicit) {
    const word = explicit[1]!.toLowerCase() === 'whenever' ? 'WHEN' : explicit[1]!.toUpperCase();
    return `${word} ${plain(explicit[2]!)}, ${word === 'IF' ? 'THEN ' : ''}THE SYSTEM SHALL ${response(explicit[3]!)}.`;
  }
  const trigger = http ? `a client sends a request to the ${feature} endpoint` : `the ${feature} code path is invoked`;
  if (clauseFacts(clause).statuses.some((s) => s >= 400) || /^(reject|deny|block|refuse|fail|prevent)\b/i.test(clause)) {
    return `IF ${trigger.replace('sends', 'sends an invalid or disallowed')}, THEN THE SYSTEM SHALL ${response(clause)}.`;
  }
  return `WHEN ${trigger}, THE SYSTEM SHALL ${response(clause)}.`;
}

export function autoRequirements(seen: Seen): Record<string, unknown> {
  const { brief, files } = seen;
  const feature = featureWords(brief.title, 3).join(' ');
  const http = looksHttp(files, `${brief.title} ${brief.description}`);
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
    push(
      {
        title: truncate(plain(clause).replace(/^./, (c) => c.toUpperCase()), 70),
        type: typeOf(clause),
        priority: i === 0 || clauseFacts(clause).statuses.some((s) => s >= 400) ? 'high' : 'medium',
        text: ears(clause, feature, http),
        source: clause,
      },
      criteriaFor(clause, feature, http),
    );
  });

  push(
    http
      ? {
          title: `Reject malformed ${feature} requests`,
          type: 'functional',
          priority: 'high',
          text: `IF a request to the ${feature} endpoint has a missing or malformed field, THEN THE SYSTEM SHALL answer HTTP 400 with a JSON body naming the field, and store nothing.`,
          source: 'input validation',
        }
      : {
          title: `Reject invalid ${feature} input`,
          type: 'functional',
          priority: 'high',
          text: `IF ${feature} receives a missing or malformed argument, THEN THE SYSTEM SHALL raise an error whose message names the argument, and change no stored state.`,
          source: 'input validation',
        },
    http
      ? [
          'A request with a required field missing is answered with HTTP 400 and the body names that field.',
          'A request with a field of the wrong type is answered with HTTP 400, and the number of stored rows is unchanged afterwards.',
        ]
      : [
          'A call with a required argument missing fails with an error message that names the argument.',
          'After a failed call, reading the stored state returns the same values as before the call.',
        ],
  );
  push(
    {
      title: `Log each ${feature} outcome`,
      type: 'non_functional',
      priority: 'low',
      text: `WHEN ${feature} handles a request, THE SYSTEM SHALL write one structured log line with the outcome and the duration in milliseconds.`,
      source: 'observability',
    },
    [
      'Each handled request produces exactly one log line with the fields `outcome` and `duration_ms`.',
      'A refused or failed request logs at level `warn` or `error`, and the line names the error code.',
    ],
  );

  return {
    generated_by: 'fake-llm',
    feature_name: feature,
    requirements,
    context_used: { files_listed: files.length, file_read: seen.read?.path ?? null, search_query: seen.search?.query ?? null },
  };
}
