/**
 * Does each requirement trace to the request? Key terms (content words after stop-word removal and
 * light stemming) of the requirement's title and text are compared with the request's title and
 * description. A requirement is related when it shares a specific (non-generic) term with the
 * request, when it names a requirement that does, or when it shares a specific term with the
 * requirements that trace directly (so "persist the theme preference" stays related to "dark mode"
 * through "WHEN the user selects dark mode, THE SYSTEM SHALL switch the theme"; the acceptance criteria
 * count for this comparison with the neighbours, not for the one with the request). Cross-cutting kinds
 * (validation and errors, tests, security, observability) are accepted on the same terms: they must
 * name what of the feature they are about.
 */
import { asArray, asRecord, itemLabel } from '../../analysis/shape';
import { contentTerms, isWeakTerm } from '../../analysis/words';
import { text } from '../scorecard';

export type CrossCutting = 'validation and errors' | 'tests' | 'security' | 'observability';

export interface RequirementRelevance {
  where: string;
  id?: string;
  sentence: string;
  related: boolean;
  /** `direct`: shares terms with the request; `reference`: names a requirement that does; `neighbour`: shares terms with those requirements. */
  via: 'direct' | 'reference' | 'neighbour' | null;
  shared: string[];
  crossCutting: CrossCutting | null;
}

export interface RelevanceReport {
  /** The request's specific terms, for messages. */
  requestTerms: string[];
  requirements: RequirementRelevance[];
}

const CROSS_CUTTING: [CrossCutting, RegExp][] = [
  ['tests', /\b(?:tests?|testing|test suite|test cases?)\b/i],
  ['observability', /\b(?:log\w*|metrics?|monitor\w*|observab\w*|tracing|traces?|audit\w*|telemetry|alert\w*)\b/i],
  ['security', /\b(?:secur\w*|authenticat\w*|authori[sz]\w*|permissions?|secrets?|credentials?|encrypt\w*|access control)\b/i],
  ['validation and errors', /\b(?:validat\w*|invalid|errors?|failures?|fails?)\b/i],
];

const REQ_ID = /\bREQ-\d{3,}\b/g;

/** Relevance of each requirement of `requirements` to the request `spec`. */
export function judgeRelevance(spec: { title: string; description?: string }, requirements: readonly unknown[]): RelevanceReport {
  const requestAll = contentTerms(`${spec.title} ${spec.description ?? ''}`);
  const specific = requestAll.filter((term) => !isWeakTerm(term));
  // A request made only of generic words ("Improve the API") is matched on those.
  const requestTerms = new Set(specific.length > 0 ? specific : requestAll);

  const rows: (RequirementRelevance & { terms: string[] })[] = requirements.map((item, i) => {
    const r = asRecord(item);
    const sentence = text(r?.['text']) ?? '';
    const label = `${text(r?.['title']) ?? ''} ${sentence}`;
    const terms = contentTerms(label);
    const shared = terms.filter((term) => requestTerms.has(term));
    // Criteria widen what a requirement talks about, for the comparison with its neighbours.
    const criteria = asArray(r?.['acceptance_criteria']).map((c) => (typeof c === 'string' ? c : text(asRecord(c)?.['text']) ?? '')).join(' ');
    const wide = [...new Set([...terms, ...contentTerms(criteria)])];
    const crossCutting = CROSS_CUTTING.find(([, regex]) => regex.test(label))?.[0] ?? null;
    const id = text(r?.['id']);
    return { where: itemLabel('requirements', item, i), ...(id ? { id } : {}), sentence, related: shared.length > 0, via: shared.length > 0 ? 'direct' : null, shared, crossCutting, terms: wide };
  });

  const direct = rows.filter((row) => row.via === 'direct');
  const directIds = new Set(direct.map((row) => row.id).filter((id): id is string => id !== undefined));
  const neighbourTerms = new Set(direct.flatMap((row) => row.terms).filter((term) => !isWeakTerm(term) && !/^\d+$/.test(term)));
  for (const row of rows) {
    if (row.related) continue;
    const refs = [...row.sentence.matchAll(REQ_ID)].map((m) => m[0]).filter((id) => directIds.has(id) && id !== row.id);
    if (refs.length > 0) {
      Object.assign(row, { related: true, via: 'reference', shared: refs });
      continue;
    }
    const shared = row.terms.filter((term) => neighbourTerms.has(term));
    if (shared.length > 0) Object.assign(row, { related: true, via: 'neighbour', shared });
  }
  return { requestTerms: [...requestTerms], requirements: rows.map(({ terms: _terms, ...row }) => row) };
}
