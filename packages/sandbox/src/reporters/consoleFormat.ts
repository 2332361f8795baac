/**
 * One readable line per event: `[HH:MM:SS] PHASE        event_type          summary`. Pure: colour
 * is a parameter, so the reporter decides it per instance (TTY, NO_COLOR).
 */
import { isKnownEventType } from '@specline/protocol';
import type { KnownEventType, Phase, SpecEvent } from '@specline/protocol';

const CODES = {
  reset: '\x1b[0m',
  bold: '\x1b[1m',
  dim: '\x1b[2m',
  red: '\x1b[31m',
  green: '\x1b[32m',
  yellow: '\x1b[33m',
  blue: '\x1b[34m',
  magenta: '\x1b[35m',
  cyan: '\x1b[36m',
  white: '\x1b[37m',
} as const;
type Style = keyof typeof CODES;

const PHASE_STYLE: Record<Phase, Style> = {
  explore: 'cyan',
  prd: 'white',
  requirements: 'blue',
  design: 'magenta',
  tasks: 'yellow',
  sync: 'green',
};

export interface FormatOptions {
  color: boolean;
  /** Heartbeats and evaluation details are shown only when verbose. */
  verbose: boolean;
}

/** Strips ANSI colour codes (for tests and for measuring). */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

function paint(text: string, style: Style, color: boolean): string {
  return color ? `${CODES[style]}${text}${CODES.reset}` : text;
}

function str(data: Record<string, unknown>, key: string): string | undefined {
  const value = data[key];
  return typeof value === 'string' ? value : undefined;
}
function num(data: Record<string, unknown>, key: string): number | undefined {
  const value = data[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
function list(data: Record<string, unknown>, key: string): string[] {
  const value = data[key];
  return Array.isArray(value) ? value.map(String) : [];
}
/** First line of a possibly long text, cut to `max` characters. */
function firstLine(text: string | undefined, max = 160): string {
  if (!text) return '';
  const [line = ''] = text.trim().split('\n');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function clock(timestamp: string): string {
  const date = new Date(timestamp);
  if (Number.isNaN(date.getTime())) return '--:--:--';
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/** A score coloured by band: ≥ 0.8 green, ≥ 0.7 yellow, lower red. */
export function formatScore(score: number, color: boolean): string {
  const text = score.toFixed(2);
  return paint(text, score >= 0.8 ? 'green' : score >= 0.7 ? 'yellow' : 'red', color);
}

function summarize(type: KnownEventType, data: Record<string, unknown>, options: FormatOptions): string {
  const { color } = options;
  const red = (text: string) => paint(text, 'red', color);
  const score = num(data, 'eval_score');
  const scoreText = score === undefined ? '' : ` score ${formatScore(score, color)}`;
  switch (type) {
    case 'spec.execution_started':
      return `${paint(`"${str(data, 'title') ?? ''}"`, 'bold', color)} phases: ${list(data, 'phases').join(' → ')}`;
    case 'spec.execution_completed': {
      const tickets = (data['ticket_creation'] ?? {}) as Record<string, unknown>;
      const artifacts = Object.keys(data['markdown_artifacts'] ?? {}).length;
      return paint(
        `completed ${list(data, 'phases_completed').join(', ')}; tickets ${num(tickets, 'tickets_created') ?? 0}, tasks ${num(tickets, 'tasks_created') ?? 0}, artifacts ${artifacts}`,
        'green',
        color,
      );
    }
    case 'spec.execution_failed':
      return red(`failed in ${str(data, 'failed_phase')?.toUpperCase() ?? 'setup'}: ${firstLine(str(data, 'error'))}`);
    case 'spec.phase_started':
      return `attempt ${num(data, 'attempt') ?? 1}`;
    case 'spec.phase_completed':
      return `passed${scoreText} in ${(num(data, 'duration_seconds') ?? 0).toFixed(1)}s, retries ${num(data, 'retry_count') ?? 0}`;
    case 'spec.phase_failed': {
      const why = firstLine(str(data, 'error') ?? str(data, 'eval_feedback'));
      return `${red(`FAILED (${str(data, 'reason') ?? 'unknown'})`)}${scoreText} after ${num(data, 'retry_count') ?? 0} retries${why ? red(`: ${why}`) : ''}`;
    }
    case 'spec.phase_retry': {
      const why = firstLine(str(data, 'error') ?? str(data, 'eval_feedback'));
      return `${paint(`retry ${num(data, 'retry_count') ?? '?'}/${num(data, 'max_retries') ?? '?'}`, 'yellow', color)} (${str(data, 'reason') ?? 'unknown'})${scoreText}${why ? `: ${why}` : ''}`;
    }
    case 'spec.heartbeat':
      return paint(`alive; running ${str(data, 'current_phase') ?? '-'}; done: ${list(data, 'phases_completed').join(', ') || 'none'}`, 'dim', color);
    case 'spec.progress': {
      const passed = data['eval_passed'];
      const mark = passed === true ? paint(' ✓', 'green', color) : passed === false ? red(' ✗') : '';
      const details = options.verbose && data['eval_details'] ? paint(` ${JSON.stringify(data['eval_details'])}`, 'dim', color) : '';
      return `${firstLine(str(data, 'message'), 200)}${mark}${details}`;
    }
    case 'spec.artifact_created':
      return `${str(data, 'artifact_type') ?? 'artifact'} ${str(data, 'path') ?? ''}`;
    case 'spec.requirements_generated':
      return `${num(data, 'requirement_count') ?? 0} requirements → ${str(data, 'path') ?? ''}`;
    case 'spec.design_generated':
      return `${num(data, 'component_count') ?? 0} components → ${str(data, 'path') ?? ''}`;
    case 'spec.tasks_generated':
      return `${num(data, 'task_count') ?? 0} tasks → ${str(data, 'path') ?? ''}`;
    case 'spec.sync_started':
      return `${num(data, 'items_to_sync') ?? 0} items to sync`;
    case 'spec.sync_completed':
      return `${num(data, 'items_synced') ?? 0} items synced`;
    case 'spec.tasks_queued':
      return `${num(data, 'task_count') ?? 0} tasks queued`;
    case 'spec.tickets_creation_started':
      return `creating ${num(data, 'ticket_count') ?? 0} tickets, ${num(data, 'task_count') ?? 0} tasks`;
    case 'spec.tickets_creation_completed': {
      const errors = list(data, 'errors');
      const tail = errors.length ? red(`; ${errors.length} errors: ${firstLine(errors[0])}`) : '';
      return `created ${num(data, 'tickets_created') ?? 0} tickets, ${num(data, 'tasks_created') ?? 0} tasks${tail}`;
    }
    case 'spec.awaiting_approval':
      return paint(`${str(data, 'phase')?.toUpperCase() ?? 'phase'} waits for approval${str(data, 'next_phase') ? `; ${str(data, 'next_phase')?.toUpperCase()} runs after it is approved` : ''}`, 'yellow', color);
    case 'spec.ticket_created':
      return `${str(data, 'ticket_id') ?? ''} ${str(data, 'title') ?? ''}`;
    case 'spec.task_created':
      return `${str(data, 'task_id') ?? ''} ${str(data, 'title') ?? ''} (ticket ${str(data, 'ticket_id') ?? ''})`;
    case 'agent.completed':
      return data['success'] === true
        ? paint('run succeeded', 'green', color)
        : red(`run FAILED${str(data, 'failed_phase') ? ` in ${str(data, 'failed_phase')?.toUpperCase()}` : ''}: ${firstLine(str(data, 'error'))}`);
  }
}

function typeStyle(event: SpecEvent): Style {
  const type = event.event_type;
  if (type === 'agent.completed') return event.data['success'] === true ? 'green' : 'red';
  if (type.endsWith('_failed')) return 'red';
  if (type.endsWith('_retry')) return 'yellow';
  if (type.endsWith('_completed') || type.endsWith('_created')) return 'green';
  if (type === 'spec.heartbeat') return 'dim';
  return 'cyan';
}

/** The line for one event, or `null` when it is not shown (heartbeats unless verbose). */
export function formatEvent(event: SpecEvent, options: FormatOptions): string | null {
  if (event.event_type === 'spec.heartbeat' && !options.verbose) return null;
  const { color } = options;
  const time = paint(`[${clock(event.timestamp)}]`, 'dim', color);
  const phaseName = (event.phase ?? '-').toUpperCase().padEnd(12);
  const phase = event.phase ? paint(phaseName, PHASE_STYLE[event.phase], color) : paint(phaseName, 'dim', color);
  const shortType = event.event_type.startsWith('spec.') ? event.event_type.slice(5) : event.event_type;
  const type = paint(shortType.padEnd(22), typeStyle(event), color);
  const summary = isKnownEventType(event.event_type)
    ? summarize(event.event_type, event.data, options)
    : firstLine(JSON.stringify(event.data), 120);
  return `${time} ${phase} ${type} ${summary}`.trimEnd();
}
