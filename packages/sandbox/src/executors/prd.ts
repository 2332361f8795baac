/**
 * The planner's optional PRD phase: overview, goals, user stories and scope, written from the same
 * grounded plan as the requirements (`plan/`): the stories are the requirements the change needs
 * (one per functional requirement, with its observable criteria), the solution summary names the
 * kind of change and the files it touches, and an existing implementation is said up front.
 */
import type { PrdOutput } from '@specline/protocol';
import { asRecord } from '../analysis/shape';
import type { SpecInfo } from '../types';
import { featureSummary } from './explore/explore';
import { generateRequirements, planFor, type PlanInputs } from './requirements';
import { capitalize, featurePhrase, lowerFirst, tidy } from './text';

const STANDARD = new Set(['config', 'observability', 'testing']);

function roleOf(text: string, actor: string | undefined, http: boolean): string {
  if (actor) return actor;
  const named = /\b(users?|admins?|administrators?|operators?|customers?|owners?|members?|authors?)\b/i.exec(text)?.[1];
  if (named) return named.toLowerCase().replace(/s$/, '');
  return http ? 'API client' : 'user';
}

export function generatePrd(spec: Pick<SpecInfo, 'title' | 'description'>, explore: unknown, inputs: PlanInputs = {}): PrdOutput {
  const { g, bp } = planFor(spec, explore, inputs);
  const requirements = generateRequirements(spec, explore, inputs);
  const summary = asRecord(asRecord(explore)?.['feature_summary']);
  const fallback = featureSummary(spec);
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : undefined);
  const scopeIn = strings(summary?.['scope_in']) ?? fallback.scope_in;
  const scopeOut = strings(summary?.['scope_out']) ?? fallback.scope_out;
  const phrase = featurePhrase(spec.title);
  const http = g.repo.http !== undefined || bp.endpoints.length > 0;
  const functional = requirements.requirements.filter((r) => !STANDARD.has(String(r['category'])));
  const stories = (functional.length > 0 ? functional : requirements.requirements.slice(0, 1)).map((r, i) => ({
    id: `US-${String(i + 1).padStart(3, '0')}`,
    role: roleOf(`${r.title} ${r.text}`, g.request.actor, http),
    want: `the system to ${lowerFirst(r.title)}`,
    benefit: r['category'] === 'errors' || r['category'] === 'response' ? 'I know why a request was refused and what to change' : `${phrase} works as the request asks`,
    priority: r.priority,
    requirement: r.id,
    acceptance_criteria: r.acceptance_criteria.map((c) => c.text),
  }));
  const files = bp.parts.filter((p) => p.file_path);
  const changed = files.filter((p) => p.change === 'modify').map((p) => `\`${p.file_path}\``);
  const created = files.filter((p) => p.change === 'create').map((p) => `\`${p.file_path}\``);
  const stack = `${g.repo.language}${g.repo.http ? `/${g.repo.http}` : ''}`;
  const where = !g.repo.hasCodebase
    ? 'No repository is connected: the change is described from the request alone.'
    : `${capitalize(bp.label)} in the ${stack} code${changed.length > 0 ? `, changing ${changed.join(', ')}` : ''}${created.length > 0 ? `${changed.length > 0 ? ' and adding' : ', adding'} ${created.join(', ')}` : ''}.`;
  const existing = g.existing ? `Already implemented in ${g.existing.summary}; ` : '';
  return {
    generated_by: 'planner',
    feature_name: tidy(spec.title),
    overview: {
      one_liner: typeof summary?.['one_liner'] === 'string' ? summary['one_liner'] : fallback.one_liner,
      problem_statement: g.existing ? `${existing}the request is met by checking that code against the requirements and closing the gaps.` : typeof summary?.['problem_statement'] === 'string' ? summary['problem_statement'] : `Today the system lacks ${phrase}.`,
      solution_summary: where,
    },
    goals: [...functional.map((r) => r.title), `Every acceptance criterion is checked by a ${bp.runner} test${bp.tests.length > 0 ? ` in ${bp.tests.map((t) => `\`${t.placed.path}\``).join(', ')}` : ''}`],
    user_stories: stories,
    scope: { in_scope: scopeIn, out_of_scope: scopeOut },
    assumptions: ['Derived by the deterministic planner from the request and the code index; no stakeholder interviews.'],
  };
}
