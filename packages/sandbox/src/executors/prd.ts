/**
 * The planner's optional PRD phase: overview, goals, user stories (one per clause of the
 * description) and scope, derived from the title, the description and the EXPLORE output.
 */
import type { PrdOutput } from '@specline/protocol';
import { asRecord } from '../analysis/shape';
import type { SpecInfo } from '../types';
import { featureSummary } from './explore/explore';
import { stackProfile } from './profile';
import { capitalize, clauseFacts, featurePhrase, lowerFirst, outOfScopeText, splitClauses, tidy } from './text';

function roleOf(clause: string, http: boolean): string {
  const actor = /^(users?|admins?|administrators?|operators?|customers?|developers?|clients?|owners?|members?)\b/i.exec(clause)?.[1];
  if (actor) return actor.toLowerCase().replace(/s$/, '');
  if (/\bapi key|api client|request\b/i.test(clause) || http) return 'API client';
  return 'user';
}

export function generatePrd(spec: Pick<SpecInfo, 'title' | 'description'>, explore: unknown): PrdOutput {
  const profile = stackProfile(explore);
  const summary = asRecord(asRecord(explore)?.['feature_summary']);
  const fallback = featureSummary(spec);
  const scopeIn = Array.isArray(summary?.['scope_in']) ? (summary['scope_in'] as unknown[]).filter((s): s is string => typeof s === 'string') : fallback.scope_in;
  const scopeOut = Array.isArray(summary?.['scope_out']) ? (summary['scope_out'] as unknown[]).filter((s): s is string => typeof s === 'string') : fallback.scope_out;
  const clauses = splitClauses(spec.description).filter((c) => outOfScopeText(c) === undefined);
  if (clauses.length === 0) clauses.push(tidy(spec.title));
  const phrase = featurePhrase(spec.title);
  const http = profile.httpFramework !== undefined;
  const stories = clauses.map((clause, i) => {
    const facts = clauseFacts(clause);
    const role = roleOf(clause, http);
    const want = lowerFirst(clause.replace(/^(users?|admins?|operators?|customers?|clients?)\s+(can|should be able to|must be able to)\s+/i, ''));
    const criteria = [
      ...facts.statuses.map((s) => `The answer has status ${s}`),
      ...facts.headers.map((h) => `The answer carries ${h}`),
      ...facts.quantities.map((q) => `${capitalize(q)} is enforced exactly`),
    ];
    if (criteria.length < 2) criteria.push(`The behaviour "${clause}" is observable end to end`, 'Failure cases answer with a clear error naming the reason');
    return {
      id: `US-${String(i + 1).padStart(3, '0')}`,
      role,
      want: want.startsWith('the system') ? want : `the system to ${want}`,
      benefit: facts.statuses.some((s) => s >= 400) ? 'I know why a request was refused and when to try again' : `${phrase} works as described`,
      priority: i === 0 ? 'high' : 'medium',
      acceptance_criteria: criteria,
    };
  });
  return {
    generated_by: 'planner',
    feature_name: tidy(spec.title),
    overview: {
      one_liner: typeof summary?.['one_liner'] === 'string' ? summary['one_liner'] : fallback.one_liner,
      problem_statement: typeof summary?.['problem_statement'] === 'string' ? summary['problem_statement'] : `Today the system lacks ${phrase}.`,
      solution_summary: `Add ${phrase} to the ${profile.language}${profile.httpFramework ? `/${profile.httpFramework}` : ''} code under ${profile.sourceRoot}, covering: ${clauses.map(lowerFirst).join('; ')}.`,
    },
    goals: [...clauses.map((c) => capitalize(c)), `Every behaviour is covered by automated ${profile.testRunner ?? ''} tests`.replace('  ', ' ')],
    user_stories: stories,
    scope: { in_scope: scopeIn, out_of_scope: scopeOut },
    assumptions: ['Derived by the deterministic planner from the title, description and repository analysis; no stakeholder interviews.'],
  };
}
