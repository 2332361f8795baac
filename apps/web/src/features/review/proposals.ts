import type { FieldChange } from './diff';

/**
 * Proposals (`GET /specs/{id}/proposals`): a change a run wanted to make to a row a person had edited.
 * Runs never overwrite such rows; the change waits here until a person accepts or dismisses it.
 */

export interface ProposalView {
  id: string;
  runId: string | null;
  /** requirement, criterion, task, design. */
  kind: string;
  /** add, update, remove. */
  action: string;
  /** Stable id of the row (`REQ-002`, `REQ-002.AC-1`, `TSK-003`); null for the design. */
  localId: string | null;
  /** The requirement of a criterion. */
  parentLocalId: string | null;
  /** Server id of the row. */
  targetId: string | null;
  title: string | null;
  changes: FieldChange[];
  status: string;
  createdAt: string | null;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The open proposals of an answer (accepted, dismissed and superseded ones are history, not shown on rows). */
export function normalizeProposals(answer: { proposals?: unknown } | null | undefined): ProposalView[] {
  const list = Array.isArray(answer?.proposals) ? answer.proposals.filter(isObj) : [];
  return list
    .map((raw) => ({
      id: String(raw['id']),
      runId: str(raw['run_id']),
      kind: str(raw['kind']) ?? 'item',
      action: str(raw['action']) ?? 'update',
      localId: str(raw['local_id']),
      parentLocalId: str(raw['parent_local_id']),
      targetId: str(raw['target_id']),
      title: str(raw['title']),
      changes: Array.isArray(raw['changes'])
        ? raw['changes'].filter(isObj).map((c) => ({ field: str(c['field']) ?? '?', before: c['before'], after: c['after'] }))
        : [],
      status: str(raw['status']) ?? 'open',
      createdAt: str(raw['created_at']),
    }))
    .filter((p) => p.status === 'open');
}

/** The proposals about one row: matched by server id or stable id. */
export function proposalsForRow(proposals: readonly ProposalView[], kind: string, row: { id: string; local_id: string | null }): ProposalView[] {
  return proposals.filter((p) => p.kind === kind && ((p.targetId !== null && p.targetId === row.id) || (p.localId !== null && p.localId === row.local_id)));
}

/** The criterion proposals of one requirement (its criteria, edited or new). */
export function criterionProposalsOf(proposals: readonly ProposalView[], requirement: { local_id: string | null }): ProposalView[] {
  if (!requirement.local_id) return [];
  return proposals.filter((p) => p.kind === 'criterion' && (p.parentLocalId === requirement.local_id || (p.localId?.startsWith(`${requirement.local_id}.`) ?? false)));
}

export const ACTION_TEXT: Record<string, string> = {
  add: 'The run would add this',
  update: 'The run would change this',
  remove: 'The run would remove this',
};
