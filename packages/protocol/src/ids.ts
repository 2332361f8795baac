/**
 * Stable, machine-assigned ids: REQ-001, REQ-001.AC-1, DES-001, TKT-001, TSK-001.
 * They never derive from titles, so a rerun or an edit does not change them.
 */
export const ID_PATTERNS = {
  requirement: /^REQ-\d{3,}$/,
  criterion: /^REQ-\d{3,}\.AC-\d+$/,
  component: /^DES-\d{3,}$/,
  ticket: /^TKT-\d{3,}$/,
  task: /^TSK-\d{3,}$/,
} as const;

export type IdKind = keyof typeof ID_PATTERNS;

const PREFIX: Record<Exclude<IdKind, 'criterion'>, string> = {
  requirement: 'REQ',
  component: 'DES',
  ticket: 'TKT',
  task: 'TSK',
};

/** The n-th (1-based) id of a kind: `formatId('task', 7)` → `TSK-007`. */
export function formatId(kind: Exclude<IdKind, 'criterion'>, n: number): string {
  return `${PREFIX[kind]}-${String(n).padStart(3, '0')}`;
}

/** The n-th (1-based) criterion of a requirement: `REQ-002.AC-1`. */
export function criterionId(requirementId: string, n: number): string {
  return `${requirementId}.AC-${n}`;
}
