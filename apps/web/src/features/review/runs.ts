import type { Tone } from '../../components/ui/Badge';

/**
 * A spec's runs (`GET /specs/{id}/runs`, newest first) as the web shows them. Read field by field from
 * the answer, so a field a server leaves out shows as "—" instead of failing the list.
 */

export interface RunPhaseView {
  phase: string;
  state: string | null;
  attempts: number | null;
  score: number | null;
  /** Seconds. */
  duration: number | null;
}

export interface RunView {
  id: string;
  /** 1 for the spec's first run, counting up. */
  number: number;
  kind: string | null;
  status: string;
  approvalMode: string | null;
  fromPhase: string | null;
  awaitingPhase: string | null;
  comment: string | null;
  error: string | null;
  startedAt: string | null;
  endedAt: string | null;
  eventCount: number | null;
  firstSpecSeq: number | null;
  lastSpecSeq: number | null;
  phases: RunPhaseView[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function phaseOf(raw: unknown): RunPhaseView | null {
  if (!isObj(raw)) return null;
  const phase = str(raw['phase']);
  if (!phase) return null;
  return {
    phase,
    state: str(raw['state']) ?? str(raw['status']),
    attempts: num(raw['attempts']),
    score: num(raw['score']) ?? num(raw['eval_score']),
    duration: num(raw['duration']) ?? num(raw['duration_seconds']),
  };
}

/** The runs of an answer, newest first, numbered from the oldest (1) up. */
export function normalizeRuns(answer: { runs?: unknown } | null | undefined): RunView[] {
  const list = Array.isArray(answer?.runs) ? answer.runs.filter(isObj) : [];
  const runs = list.map((raw): Omit<RunView, 'number'> => ({
    id: String(raw['id']),
    kind: str(raw['kind']),
    status: str(raw['status']) ?? 'unknown',
    approvalMode: str(raw['approval_mode']),
    // A launch starts at the first planned phase; the server says `from_phase` only where it differs.
    fromPhase: str(raw['from_phase']) ?? (Array.isArray(raw['planned_phases']) ? str(raw['planned_phases'][0]) : null),
    awaitingPhase: str(raw['awaiting_phase']),
    comment: str(raw['comment']),
    error: str(raw['error']),
    startedAt: str(raw['started_at']),
    endedAt: str(raw['ended_at']),
    eventCount: num(raw['event_count']),
    firstSpecSeq: num(raw['first_spec_seq']),
    lastSpecSeq: num(raw['last_spec_seq']),
    phases: Array.isArray(raw['phases']) ? raw['phases'].map(phaseOf).filter((p): p is RunPhaseView => p !== null) : [],
  }));
  // Newest first as the server sends them; sort by start time when it says so, keep its order otherwise.
  const ordered = runs.every((r) => r.startedAt) ? [...runs].sort((a, b) => Date.parse(b.startedAt!) - Date.parse(a.startedAt!)) : runs;
  return ordered.map((run, index) => ({ ...run, number: ordered.length - index }));
}

const KIND_LABELS: Record<string, string> = {
  launch: 'Run',
  resume: 'Resumed',
  rerun: 'Re-run',
  approval: 'Continued after approval',
  rejection: 'Re-run after rejection',
};

export function runKindLabel(kind: string | null): string {
  if (!kind) return 'Run';
  return KIND_LABELS[kind] ?? kind.charAt(0).toUpperCase() + kind.slice(1).replace(/_/g, ' ');
}

const STATUS_LOOK: Record<string, { label: string; tone: Tone }> = {
  running: { label: 'Running', tone: 'info' },
  executing: { label: 'Running', tone: 'info' },
  queued: { label: 'Queued', tone: 'neutral' },
  awaiting_approval: { label: 'Awaiting your approval', tone: 'warning' },
  completed: { label: 'Completed', tone: 'success' },
  failed: { label: 'Failed', tone: 'danger' },
  // A cancel is a person's choice, not a failure: never red.
  cancelled: { label: 'Cancelled', tone: 'neutral' },
};

export function runStatusLook(status: string): { label: string; tone: Tone } {
  return STATUS_LOOK[status] ?? { label: status.replace(/_/g, ' '), tone: 'neutral' };
}

/** `1 m 05 s`, `12 s`, `—`. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return `${m} m ${String(s).padStart(2, '0')} s`;
}

/** A run as one line of text, for the timeline's separator and the run filter. */
export function runTitle(run: Pick<RunView, 'number' | 'kind' | 'fromPhase'>, phaseName: (phase: string) => string): string {
  const from = run.fromPhase ? ` from ${phaseName(run.fromPhase)}` : '';
  return `Run ${run.number} · ${runKindLabel(run.kind)}${from}`;
}
