import { isKnownEventType, type KnownEventType } from '@specline/protocol';
import { formatCost } from '../execution/cost';
import { executorName, isPlanner } from '../phases/executors';
import { formatScore, reasonText, PHASE_INFO } from '../phases/phaseSteps';

/** What the summary picker reads: works for stored events (`event_data`). */
export interface SummarizableEvent {
  event_type: string;
  phase?: string | null;
  event_data: Record<string, unknown>;
}

const MAX_SUMMARY = 300;

function str(data: Record<string, unknown>, key: string): string | undefined {
  const value = data[key];
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
function num(data: Record<string, unknown>, key: string): number | undefined {
  const value = data[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
function list(data: Record<string, unknown>, key: string): unknown[] | undefined {
  const value = data[key];
  return Array.isArray(value) ? value : undefined;
}
function obj(data: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const value = data[key];
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString()} ${count === 1 ? one : many}`;
}

function phaseName(phase: unknown): string | undefined {
  if (typeof phase !== 'string' || !phase) return undefined;
  return phase in PHASE_INFO ? PHASE_INFO[phase as keyof typeof PHASE_INFO].label : phase;
}

/** First non-empty line without its list marker; a heading line ("Issues found:") keeps its first item. */
export function firstLine(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim().replace(/^[-*•]\s+/, ''))
    .filter((l) => l !== '');
  const [first, second] = lines;
  // "Issues found:" alone says nothing: keep the first item with it.
  if (first?.endsWith(':') && second) return `${first} ${second}`;
  return first;
}

function seconds(value: number): string {
  return value < 10 ? `${value.toFixed(1)} s` : value < 120 ? `${Math.round(value)} s` : `${Math.floor(value / 60)} min ${Math.round(value % 60)} s`;
}

/** `by Anthropic claude-sonnet-4-5`, `by the offline planner (no model)`; undefined when the event does not say. */
function writtenBy(data: Record<string, unknown>): string | undefined {
  const executor = str(data, 'executor');
  if (!executor) return undefined;
  if (isPlanner(executor)) return 'by the offline planner (no model)';
  const model = str(data, 'model');
  return `by ${executorName(executor)}${model ? ` ${model}` : ''}`;
}

/** Tokens and cost of a model-written phase or run (`usage`); nothing for the planner or when not reported. */
function spent(data: Record<string, unknown>): string | undefined {
  const usage = obj(data, 'usage');
  if (!usage || isPlanner(str(data, 'executor'))) return undefined;
  const tokens = (num(usage, 'input_tokens') ?? 0) + (num(usage, 'output_tokens') ?? 0);
  const cost = num(usage, 'cost_usd');
  return join(tokens > 0 && plural(tokens, 'token'), cost !== undefined && formatCost(cost)) || undefined;
}

const join = (...parts: (string | undefined | false)[]) => parts.filter((p): p is string => Boolean(p)).join(' · ');

function summarizeKnown(type: KnownEventType, data: Record<string, unknown>, phase: string | null | undefined): string {
  const phaseLabel = phaseName(str(data, 'phase') ?? phase);
  switch (type) {
    case 'spec.execution_started': {
      const phases = list(data, 'phases');
      return join(str(data, 'title') && `“${str(data, 'title')}”`, phases && plural(phases.length, 'phase'));
    }
    case 'spec.execution_completed': {
      const done = list(data, 'phases_completed');
      const tickets = obj(data, 'ticket_creation');
      const errors = tickets && list(tickets, 'errors');
      return join(
        done && `${plural(done.length, 'phase')} completed`,
        tickets && `${plural(num(tickets, 'tickets_created') ?? 0, 'ticket')}, ${plural(num(tickets, 'tasks_created') ?? 0, 'task')} created`,
        errors && errors.length > 0 && plural(errors.length, 'error'),
      );
    }
    case 'spec.execution_failed':
      return join(str(data, 'error') ?? 'failed', phaseName(data['failed_phase']) && `in ${phaseName(data['failed_phase'])}`);
    case 'spec.phase_started': {
      const attempt = num(data, 'attempt');
      return join(phaseLabel, attempt !== undefined && attempt > 1 && `attempt ${attempt}`);
    }
    case 'spec.phase_completed': {
      const score = num(data, 'eval_score');
      const duration = num(data, 'duration_seconds');
      const retries = num(data, 'retry_count');
      const output = obj(data, 'phase_output');
      const noCodebase = (str(data, 'phase') ?? phase) === 'explore' && output?.['has_codebase'] === false;
      return join(
        noCodebase && 'no repository connected: planned from the request alone',
        score !== undefined && `score ${formatScore(score)}`,
        duration !== undefined && seconds(duration),
        retries !== undefined && retries > 0 && `after ${plural(retries, 'retry', 'retries')}`,
        writtenBy(data),
        spent(data),
      );
    }
    case 'spec.phase_failed': {
      const detail = str(data, 'error') ?? firstLine(str(data, 'eval_feedback'));
      const score = num(data, 'eval_score');
      const why = reasonText(str(data, 'reason')) ?? 'failed';
      return join(detail ? `${why}: ${detail}` : why, score !== undefined && `score ${formatScore(score)}`);
    }
    case 'spec.phase_retry': {
      const retry = num(data, 'retry_count');
      const max = num(data, 'max_retries');
      const score = num(data, 'eval_score');
      const detail = firstLine(str(data, 'eval_feedback')) ?? str(data, 'error') ?? reasonText(str(data, 'reason')) ?? undefined;
      return join(retry !== undefined && `attempt ${retry + 1}${max !== undefined ? `/${max}` : ''}`, score !== undefined && `score ${formatScore(score)}`, detail);
    }
    case 'spec.heartbeat': {
      const done = list(data, 'phases_completed');
      return join(phaseName(data['current_phase']) ? `running ${phaseName(data['current_phase'])}` : 'alive', done && `${plural(done.length, 'phase')} done`);
    }
    case 'spec.progress': {
      const tool = str(data, 'tool');
      if (!tool) return str(data, 'message') ?? '';
      const args = str(data, 'args_summary');
      return args ? `${tool} ${args}` : join(tool, str(data, 'message'));
    }
    case 'spec.artifact_created':
      return join(str(data, 'artifact_type'), str(data, 'path'));
    case 'spec.requirements_generated':
      return join(plural(num(data, 'requirement_count') ?? 0, 'requirement'), str(data, 'path'));
    case 'spec.design_generated':
      return join(plural(num(data, 'component_count') ?? 0, 'component'), str(data, 'path'));
    case 'spec.tasks_generated':
      return join(plural(num(data, 'task_count') ?? 0, 'task'), str(data, 'path'));
    case 'spec.sync_started':
      return `${plural(num(data, 'items_to_sync') ?? 0, 'item')} to sync`;
    case 'spec.sync_completed':
      return `${plural(num(data, 'items_synced') ?? 0, 'item')} synced`;
    case 'spec.tasks_queued':
      return `${plural(num(data, 'task_count') ?? 0, 'task')} queued`;
    case 'spec.tickets_creation_started':
      return `${plural(num(data, 'ticket_count') ?? 0, 'ticket')}, ${plural(num(data, 'task_count') ?? 0, 'task')} to create`;
    case 'spec.tickets_creation_completed': {
      const errors = list(data, 'errors') ?? [];
      const first = errors.find((e): e is string => typeof e === 'string');
      return join(
        `${plural(num(data, 'tickets_created') ?? 0, 'ticket')}, ${plural(num(data, 'tasks_created') ?? 0, 'task')} created`,
        errors.length > 0 && `${plural(errors.length, 'error')}${first ? `: ${first}` : ''}`,
      );
    }
    case 'spec.ticket_created':
      return join(str(data, 'title'), str(data, 'local_id'));
    case 'spec.task_created':
      return join(str(data, 'title'), str(data, 'local_id'));
    case 'spec.awaiting_approval': {
      const next = phaseName(data['next_phase']);
      return join(`${phaseName(data['phase']) ?? 'phase'} waits for your approval`, next && `then ${next}`);
    }
    case 'agent.completed': {
      if (data['success'] === false) {
        const where = phaseName(data['failed_phase']);
        return join(`failed: ${str(data, 'error') ?? 'no error given'}`, where && `in ${where}`);
      }
      const done = list(data, 'phases_completed');
      const awaiting = phaseName(data['awaiting_approval']);
      if (awaiting) return join(`stopped for approval of ${awaiting}`, done && `${plural(done.length, 'phase')} completed`);
      return join('succeeded', done && `${plural(done.length, 'phase')} completed`, writtenBy(data), spent(data));
    }
  }
}

const GENERIC_KEYS = ['error', 'message', 'reason', 'detail', 'title', 'summary', 'status'];

/** The most useful field of an event as one line; errors and reasons come before phase names. */
export function summarizeEvent(event: SummarizableEvent): string {
  const data = event.event_data;
  let text: string;
  if (isKnownEventType(event.event_type)) {
    text = summarizeKnown(event.event_type, data, event.phase);
  } else {
    const key = GENERIC_KEYS.find((k) => str(data, k) !== undefined);
    const nested = obj(data, 'result');
    text = key ? (str(data, key) ?? '') : (nested && str(nested, 'summary')) ?? (Object.keys(data).length > 0 ? JSON.stringify(data) : '');
  }
  return text.length > MAX_SUMMARY ? `${text.slice(0, MAX_SUMMARY - 1)}…` : text;
}
