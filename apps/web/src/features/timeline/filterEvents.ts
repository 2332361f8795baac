import { isFailureEvent, type Phase, type StoredEvent } from '@specline/protocol';
import { getEventMeta } from './eventMeta';
import { summarizeEvent } from './summarizeEvent';

export const HEARTBEAT_TYPE = 'spec.heartbeat';

export interface TimelineFilters {
  /** Event types to show; empty = all. */
  types: readonly string[];
  phase: Phase | null;
  failuresOnly: boolean;
  /** Free text over type, label, summary and the JSON payload. */
  search: string;
  /** Only the events of this run (`StoredEvent.run_id`); null = every run. */
  runId?: string | null;
}

export const NO_FILTERS: TimelineFilters = { types: [], phase: null, failuresOnly: false, search: '', runId: null };

/** The filters the server can apply (`event_types`, `phase`, `failures_only`): a filtered view pages them from the server. */
export interface ServerFilter {
  event_types?: string[];
  phase?: Phase;
  failures_only?: boolean;
  run_id?: string;
}

export function serverFilterOf(filters: TimelineFilters): ServerFilter | null {
  const server: ServerFilter = {};
  if (filters.types.length > 0) server.event_types = [...filters.types].sort();
  if (filters.phase) server.phase = filters.phase;
  if (filters.failuresOnly) server.failures_only = true;
  if (filters.runId) server.run_id = filters.runId;
  return Object.keys(server).length > 0 ? server : null;
}

/** The same rule as the server's, for live events merged into a filtered view. */
export function matchesServerFilter(event: StoredEvent, filter: ServerFilter | null): boolean {
  if (!filter) return true;
  if (filter.event_types && !filter.event_types.includes(event.event_type)) return false;
  if (filter.phase && event.phase !== filter.phase) return false;
  if (filter.failures_only && !isFailureEvent(event)) return false;
  if (filter.run_id && event.run_id !== filter.run_id) return false;
  return true;
}

const haystacks = new WeakMap<StoredEvent, string>();

/** Lower-cased text an event is searched in; computed once per event. */
export function searchText(event: StoredEvent): string {
  let text = haystacks.get(event);
  if (text === undefined) {
    text = `${event.event_type}\n${getEventMeta(event.event_type).label}\n${summarizeEvent(event)}\n${event.phase ?? ''}\n${JSON.stringify(event.event_data)}`.toLowerCase();
    haystacks.set(event, text);
  }
  return text;
}

export interface HeartbeatSummary {
  count: number;
  /** Emit time of the newest heartbeat. */
  lastAt: string | null;
}

export interface FilteredView {
  /** Rows to render, newest first: never heartbeats (they are collapsed into {@link HeartbeatSummary}). */
  rows: StoredEvent[];
  heartbeats: HeartbeatSummary;
}

/**
 * Applies every filter (combined with AND) to events given in ascending `spec_seq` order; rows come out
 * newest first. Heartbeats never become rows; they are counted instead.
 */
export function filterEvents(ascending: readonly StoredEvent[], filters: TimelineFilters): FilteredView {
  const server = serverFilterOf(filters);
  const terms = filters.search.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const rows: StoredEvent[] = [];
  let count = 0;
  let lastAt: string | null = null;
  for (let i = ascending.length - 1; i >= 0; i--) {
    const event = ascending[i]!;
    if (event.event_type === HEARTBEAT_TYPE) {
      count++;
      lastAt ??= event.emitted_at;
      continue;
    }
    if (!matchesServerFilter(event, server)) continue;
    if (terms.length > 0) {
      const text = searchText(event);
      if (!terms.every((term) => text.includes(term))) continue;
    }
    rows.push(event);
  }
  return { rows, heartbeats: { count, lastAt } };
}
