import { useEffect, useSyncExternalStore } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { toast } from 'sonner';
import type { SpecStatus, StoredEvent } from '@specline/protocol';
import { useSpec } from '../specs/useSpec';
import type { Connection, SpecEventFeed } from '../timeline/eventFeed';
import { useFeedRegistry, useSpecEventFeed } from '../timeline/feedContext';
import { retainLiveSpecSync } from './liveSpecSync';
import { toastForEvent } from './liveToasts';
import { followsStream } from './specFromEvents';

export { REFRESH_COALESCE_MS } from './liveSpecSync';

/** Toasts already shown, by spec and spec_seq: each event toasts once, whichever component hears it. */
const shown = new Set<string>();
/** Per spec: whether the current run's end has been announced (reset by `execution_started`). */
const runEndShown = new Map<string, boolean>();

/** Shows the toasts of a batch of live events, each at most once. Exported for tests. */
export function announce(specId: string, events: readonly StoredEvent[], show: (toastId: string, toast: NonNullable<ReturnType<typeof toastForEvent>>) => void): void {
  for (const event of events) {
    const key = `${specId}:${event.spec_seq}`;
    if (shown.has(key)) continue;
    shown.add(key);
    if (event.event_type === 'spec.execution_started') runEndShown.set(specId, false);
    const next = toastForEvent(event, runEndShown.get(specId) ?? false);
    if (event.event_type === 'spec.execution_completed' || event.event_type === 'spec.execution_failed') runEndShown.set(specId, true);
    if (next) show(key, next);
  }
}

function showToast(toastId: string, next: NonNullable<ReturnType<typeof toastForEvent>>): void {
  const options = { id: toastId, description: next.description || undefined };
  switch (next.kind) {
    case 'success':
      toast.success(next.title, options);
      return;
    case 'error':
      toast.error(next.title, options);
      return;
    case 'warning':
      toast.warning(next.title, options);
      return;
    case 'info':
      toast.info(next.title, options);
      return;
  }
}

function useConnection(feed: SpecEventFeed): Connection {
  return useSyncExternalStore(feed.subscribe, () => feed.getSnapshot().connection, () => feed.getSnapshot().connection);
}

/** The slow read of the spec while the run's stream is down (its events are then polled every 2 s). */
export const STREAM_DOWN_POLL_MS = 30_000;
/** While the spec waits in the run queue: its place in line is not an event (the run's start is). */
export const QUEUED_POLL_MS = 15_000;

/** How often the spec itself is read: never while the stream is healthy (its events keep the spec current). */
export function specPollInterval(status: SpecStatus | undefined, connection: Connection): number | false {
  if (status === 'queued') return QUEUED_POLL_MS;
  if (status !== 'executing') return false;
  return connection === 'live' || connection === 'connecting' ? false : STREAM_DOWN_POLL_MS;
}

/**
 * The spec query, kept current from the run's events (issue 14): the events the timeline's stream already
 * receives are written into the cached spec (status, phase, progress, phase_status, usage, errors, awaiting
 * approval), and the spec is read again only after events that bring rows the events do not carry, once per
 * burst (see {@link LiveSpecSync}). Each phase transition or run end shows one toast, driven by the event.
 * No interval read while the stream is healthy; a slow one while it is down (the feed then polls events).
 */
export function useLiveSpec(specId: string) {
  const registry = useFeedRegistry();
  const connection = useConnection(registry.get(specId));
  const query = useSpec(specId, { refetchInterval: (spec) => specPollInterval(spec?.status, connection) });
  const isExecuting = query.data?.status === 'executing';
  const feed = useSpecEventFeed(specId, followsStream(query.data?.status));
  const queryClient = useQueryClient();

  useEffect(
    () => retainLiveSpecSync({ specId, feed, queryClient, schedule: registry.schedule, onEvents: (events) => announce(specId, events, showToast) }),
    [feed, specId, queryClient, registry],
  );

  return { ...query, spec: query.data, isExecuting, connection, feed };
}
