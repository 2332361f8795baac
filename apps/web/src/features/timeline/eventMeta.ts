import {
  Ban,
  Bot,
  CheckCheck,
  CircleCheck,
  CircleDot,
  CirclePlay,
  CircleX,
  FileCode,
  FileOutput,
  FileSearch,
  FileText,
  FolderTree,
  Hand,
  Flag,
  HeartPulse,
  ListPlus,
  ListTodo,
  MessageSquare,
  OctagonX,
  Palette,
  Play,
  RefreshCw,
  RotateCcw,
  Ticket,
  TicketCheck,
  TicketPlus,
  Wrench,
  Zap,
  type LucideIcon,
} from 'lucide-react';
import { isFailureEvent, isKnownEventType, type KnownEventType } from '@specline/protocol';

export type EventTone = 'info' | 'success' | 'warning' | 'danger' | 'accent' | 'neutral';

export interface EventMeta {
  label: string;
  icon: LucideIcon;
  tone: EventTone;
  /** Set for a `spec.progress` line that reports a repository tool call (`read_file`, …): the row shows it as a call. */
  tool?: string;
}

/** Icon, label and colour of every catalogue type: one table, checked complete by the compiler and a test. */
export const EVENT_META: Record<KnownEventType, EventMeta> = {
  'spec.execution_started': { label: 'Execution started', icon: Play, tone: 'info' },
  'spec.execution_completed': { label: 'Execution completed', icon: Flag, tone: 'success' },
  'spec.execution_failed': { label: 'Execution failed', icon: OctagonX, tone: 'danger' },
  'spec.phase_started': { label: 'Phase started', icon: CirclePlay, tone: 'info' },
  'spec.phase_completed': { label: 'Phase passed', icon: CircleCheck, tone: 'success' },
  'spec.phase_failed': { label: 'Phase failed', icon: CircleX, tone: 'danger' },
  'spec.phase_retry': { label: 'Phase retry', icon: RotateCcw, tone: 'warning' },
  'spec.heartbeat': { label: 'Heartbeat', icon: HeartPulse, tone: 'neutral' },
  'spec.progress': { label: 'Progress', icon: MessageSquare, tone: 'neutral' },
  'spec.artifact_created': { label: 'Artifact created', icon: FileOutput, tone: 'accent' },
  'spec.requirements_generated': { label: 'Requirements generated', icon: FileText, tone: 'accent' },
  'spec.design_generated': { label: 'Design generated', icon: Palette, tone: 'accent' },
  'spec.tasks_generated': { label: 'Tasks generated', icon: ListTodo, tone: 'accent' },
  'spec.sync_started': { label: 'Sync started', icon: RefreshCw, tone: 'info' },
  'spec.sync_completed': { label: 'Sync completed', icon: CheckCheck, tone: 'success' },
  'spec.tasks_queued': { label: 'Tasks queued', icon: Zap, tone: 'accent' },
  'spec.tickets_creation_started': { label: 'Ticket creation started', icon: TicketPlus, tone: 'info' },
  'spec.tickets_creation_completed': { label: 'Ticket creation completed', icon: TicketCheck, tone: 'success' },
  'spec.ticket_created': { label: 'Ticket created', icon: Ticket, tone: 'accent' },
  'spec.task_created': { label: 'Task created', icon: ListPlus, tone: 'accent' },
  'spec.awaiting_approval': { label: 'Awaiting approval', icon: Hand, tone: 'warning' },
  'agent.completed': { label: 'Agent finished', icon: Bot, tone: 'success' },
};

/** The look of an event type nobody catalogued: still readable, labelled with the type itself. */
export const GENERIC_META: EventMeta = { label: 'Event', icon: CircleDot, tone: 'neutral' };

export function getEventMeta(type: string): EventMeta {
  return isKnownEventType(type) ? EVENT_META[type] : { ...GENERIC_META, label: type };
}

/** Icons of the repository tools a model-backed executor calls; another tool gets the wrench. */
export const TOOL_ICONS: Readonly<Record<string, LucideIcon>> = { list_files: FolderTree, read_file: FileCode, search: FileSearch };

/** A run a person (or the system) cancelled: its phase_failed / execution_failed / agent.completed say so. */
export function isCancelEvent(event: { event_type: string; event_data: Record<string, unknown> }): boolean {
  const data = event.event_data;
  if (event.event_type === 'spec.phase_failed') return data['reason'] === 'cancelled';
  if (event.event_type === 'spec.execution_failed' || event.event_type === 'agent.completed') return typeof data['error'] === 'string' && data['error'].startsWith('cancelled');
  return false;
}

const CANCEL_LABELS: Record<string, string> = {
  'spec.phase_failed': 'Phase cancelled',
  'spec.execution_failed': 'Execution cancelled',
  'agent.completed': 'Agent finished (cancelled)',
};

/**
 * Meta of one event: a failed `agent.completed` looks like a failure, not a success; a cancelled run is
 * neutral, not red; a progress line with a `tool` is a tool call.
 */
export function eventLook(event: { event_type: string; event_data: Record<string, unknown> }): EventMeta {
  const meta = getEventMeta(event.event_type);
  if (isCancelEvent(event)) return { label: CANCEL_LABELS[event.event_type] ?? meta.label, icon: Ban, tone: 'neutral' };
  if (event.event_type === 'agent.completed' && isFailureEvent(event)) return { ...meta, label: 'Agent finished (failed)', icon: OctagonX, tone: 'danger' };
  const tool = event.event_data['tool'];
  if (event.event_type === 'spec.progress' && typeof tool === 'string' && tool.trim() !== '') {
    return { label: 'Tool call', icon: TOOL_ICONS[tool] ?? Wrench, tone: 'info', tool };
  }
  return meta;
}

/** Tailwind classes per tone: icon colour and a subtle badge. */
export const TONE_CLASSES: Record<EventTone, { icon: string; badge: string }> = {
  info: { icon: 'text-blue-600', badge: 'bg-blue-50 text-blue-800 ring-blue-200' },
  success: { icon: 'text-green-700', badge: 'bg-green-50 text-green-800 ring-green-200' },
  warning: { icon: 'text-amber-600', badge: 'bg-amber-50 text-amber-900 ring-amber-200' },
  danger: { icon: 'text-red-600', badge: 'bg-red-50 text-red-800 ring-red-200' },
  accent: { icon: 'text-violet-600', badge: 'bg-violet-50 text-violet-800 ring-violet-200' },
  neutral: { icon: 'text-slate-500', badge: 'bg-slate-50 text-slate-700 ring-slate-200' },
};
