/** A run's story from its events: one row per phase, plus the run's outcome. Pure. */
import { parsePhase, phaseIndex } from '@specline/protocol';
import type { Phase, SpecEvent, Usage } from '@specline/protocol';

export type PhaseResult = 'passed' | 'failed' | 'running' | 'pending';

export interface PhaseRow {
  phase: Phase;
  result: PhaseResult;
  /** Failure reason (`evaluation_failed`, `cancelled`, …) when failed. */
  reason: string | null;
  attempts: number;
  /** Every evaluation score seen, in order (retries, then the final one). */
  scores: number[];
  durationSeconds: number | null;
  /** Who wrote the output (`planner`, `anthropic`, `openai`) and with which model; from phase_completed. */
  executor: string | null;
  model: string | null;
  /** Tokens and cost over every attempt of the phase (failed ones included). */
  usage: Usage | null;
}

export interface RunSummary {
  specId: string | null;
  title: string | null;
  /** `null` while no `agent.completed` has been seen. */
  success: boolean | null;
  error: string | null;
  events: number;
  /** Seconds from the first to the last event. */
  durationSeconds: number | null;
  phases: PhaseRow[];
  /** The run's total (agent.completed), when it reported one. */
  usage: Usage | null;
  executor: string | null;
  model: string | null;
}

const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const usageOf = (value: unknown): Usage | null => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Usage) : null);

export function summarizeRun(events: readonly SpecEvent[]): RunSummary {
  const rows = new Map<Phase, PhaseRow & { startedAt?: number }>();
  const planned: Phase[] = [];
  const row = (phase: Phase) => {
    let found = rows.get(phase);
    if (!found) {
      found = { phase, result: 'pending', reason: null, attempts: 0, scores: [], durationSeconds: null, executor: null, model: null, usage: null };
      rows.set(phase, found);
    }
    return found;
  };
  const summary: RunSummary = { specId: null, title: null, success: null, error: null, events: events.length, durationSeconds: null, phases: [], usage: null, executor: null, model: null };
  for (const event of events) {
    summary.specId ??= event.spec_id;
    const data = event.data;
    const named = data['phase'];
    const phase = (typeof named === 'string' ? parsePhase(named) : event.phase) ?? null;
    const time = Date.parse(event.timestamp);
    switch (event.event_type) {
      case 'spec.execution_started':
        summary.title = typeof data['title'] === 'string' ? data['title'] : null;
        if (Array.isArray(data['phases'])) for (const name of data['phases']) {
          const p = parsePhase(String(name));
          if (p && !planned.includes(p)) planned.push(p);
        }
        break;
      case 'spec.phase_started':
        if (phase) {
          const r = row(phase);
          r.result = 'running';
          r.attempts = Math.max(r.attempts, num(data['attempt']) ?? 1);
          r.startedAt ??= time;
        }
        break;
      case 'spec.phase_retry':
        if (phase) {
          const r = row(phase);
          const score = num(data['eval_score']);
          if (score !== undefined) r.scores.push(score);
          r.attempts = Math.max(r.attempts, (num(data['retry_count']) ?? 0) + 1);
        }
        break;
      case 'spec.phase_completed':
        if (phase) {
          const r = row(phase);
          const score = num(data['eval_score']);
          if (score !== undefined) r.scores.push(score);
          r.result = 'passed';
          r.attempts = Math.max(r.attempts, (num(data['retry_count']) ?? 0) + 1);
          r.durationSeconds = num(data['duration_seconds']) ?? null;
          r.executor = str(data['executor']);
          r.model = str(data['model']);
          r.usage = usageOf(data['usage']);
        }
        break;
      case 'spec.phase_failed':
        if (phase) {
          const r = row(phase);
          const score = num(data['eval_score']);
          if (score !== undefined) r.scores.push(score);
          r.result = 'failed';
          r.reason = typeof data['reason'] === 'string' ? data['reason'] : null;
          r.attempts = Math.max(r.attempts, (num(data['retry_count']) ?? 0) + 1);
          if (r.startedAt !== undefined && !Number.isNaN(time)) r.durationSeconds = Math.max(0, (time - r.startedAt) / 1000);
        }
        break;
      case 'agent.completed':
        summary.success = data['success'] === true;
        summary.error = typeof data['error'] === 'string' ? data['error'] : null;
        summary.usage = usageOf(data['usage']);
        summary.executor = str(data['executor']);
        summary.model = str(data['model']);
        break;
      default:
        break;
    }
  }
  const first = events[0];
  const last = events[events.length - 1];
  if (first && last) {
    const span = (Date.parse(last.timestamp) - Date.parse(first.timestamp)) / 1000;
    summary.durationSeconds = Number.isFinite(span) ? Math.max(0, span) : null;
  }
  for (const phase of planned) row(phase);
  summary.phases = [...rows.values()]
    .sort((a, b) => phaseIndex(a.phase) - phaseIndex(b.phase))
    .map(({ startedAt: _startedAt, ...rest }) => rest);
  return summary;
}

function pad(cells: string[], widths: number[]): string {
  return cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
}

function tokens(usage: Usage | null): string {
  if (!usage) return '-';
  const parts = [`${usage.input_tokens ?? 0} in`, `${usage.output_tokens ?? 0} out`];
  if (usage.cache_read_input_tokens) parts.push(`${usage.cache_read_input_tokens} cache-read`);
  if (usage.cache_creation_input_tokens) parts.push(`${usage.cache_creation_input_tokens} cache-write`);
  return parts.join(', ');
}
const dollars = (usage: Usage | null): string => (usage?.cost_usd === undefined ? '-' : `$${usage.cost_usd < 0.01 && usage.cost_usd > 0 ? usage.cost_usd.toFixed(4) : usage.cost_usd.toFixed(2)}`);
/** Whether a model did any of the work (a planner-only run keeps the short table). */
const usedTokens = (summary: RunSummary): boolean => summary.phases.some((r) => (r.usage?.input_tokens ?? 0) + (r.usage?.output_tokens ?? 0) > 0) || (summary.usage?.input_tokens ?? 0) > 0;

/** The summary as an aligned text table (with executor, tokens and cost columns when a model did the work). */
export function formatSummary(summary: RunSummary): string[] {
  const outcome = summary.success === null ? 'no agent.completed (still running, or cut short)' : summary.success ? 'succeeded' : `FAILED${summary.error ? `: ${summary.error}` : ''}`;
  const lines = [
    `Spec ${summary.specId ?? '?'}${summary.title ? ` "${summary.title}"` : ''}`,
    `Result: ${outcome}`,
    `Events: ${summary.events}${summary.durationSeconds === null ? '' : `, over ${summary.durationSeconds.toFixed(1)}s`}`,
  ];
  const withUsage = usedTokens(summary);
  if (withUsage) {
    lines.push(`Executor: ${summary.executor ?? '?'}${summary.model ? ` (${summary.model})` : ''}`);
    lines.push(`Usage: ${tokens(summary.usage)}; cost ${dollars(summary.usage)}`);
  }
  lines.push('');
  const header = ['PHASE', 'RESULT', 'ATTEMPTS', 'SCORES', 'DURATION', ...(withUsage ? ['EXECUTOR', 'TOKENS', 'COST'] : [])];
  const body = summary.phases.map((r) => [
    r.phase,
    r.result === 'failed' && r.reason ? `failed (${r.reason})` : r.result,
    String(r.attempts),
    r.scores.length ? r.scores.map((s) => s.toFixed(2)).join(' → ') : '-',
    r.durationSeconds === null ? '-' : `${r.durationSeconds.toFixed(1)}s`,
    ...(withUsage ? [r.executor ? `${r.executor}${r.model ? `/${r.model}` : ''}` : '-', tokens(r.usage), dollars(r.usage)] : []),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => (cells[i] ?? '').length)));
  lines.push(pad(header, widths), ...body.map((cells) => pad(cells, widths)));
  return lines;
}
