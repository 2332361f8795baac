import { useEffect, useSyncExternalStore } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { toast } from 'sonner';
import type { StoredEvent } from '@specline/protocol';
import { queryKeys } from '../../lib/queryKeys';
import { useSpec } from '../specs/useSpec';
import type { Connection, SpecEventFeed } from '../timeline/eventFeed';
import { useSpecEventFeed } from '../timeline/feedContext';
import { SPEC_REFRESH_TYPES, toastForEvent } from './liveToasts';

/** How long live events are gathered before the spec is refetched once for all of them. */
export const REFRESH_COALESCE_MS = 150;

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

/**
 * The spec query, kept fresh from the run's events: the spec is refetched after events that change it (a
 * phase starting or ending, outputs, the end of the run), not after every event, and each phase transition
 * or run end shows one toast, driven by the event itself. While the stream is down the spec query's own
 * 5 s refresh (see `useSpec`) and the feed's 2 s event polling take over; both stop when the run ends.
 */
export function useLiveSpec(specId: string) {
  const query = useSpec(specId);
  const isExecuting = query.data?.status === 'executing';
  const feed = useSpecEventFeed(specId, isExecuting);
  const connection = useConnection(feed);
  const queryClient = useQueryClient();

  useEffect(() => {
    // A burst of events (a phase ending emits several) refreshes the spec once: invalidations are
    // coalesced for a moment, so a refetch is not started and then cancelled by the next event.
    let timer: ReturnType<typeof setTimeout> | undefined;
    let listsToo = false;
    const refresh = () => {
      timer = undefined;
      for (const key of [
        queryKeys.specs.detail(specId),
        queryKeys.specs.executionStatus(specId),
        queryKeys.specs.criteriaStatus(specId),
        queryKeys.specs.phaseData(specId),
        queryKeys.specs.versionsAll(specId),
        queryKeys.specs.linkedTickets(specId),
        queryKeys.specs.runs(specId),
        queryKeys.specs.proposals(specId),
        ...(listsToo ? [queryKeys.specs.lists] : []),
      ]) {
        void queryClient.invalidateQueries({ queryKey: key });
      }
      listsToo = false;
    };
    const stop = feed.onLive((events) => {
      announce(specId, events, showToast);
      if (!events.some((e) => SPEC_REFRESH_TYPES.has(e.event_type))) return;
      if (events.some((e) => e.event_type === 'agent.completed')) listsToo = true;
      timer ??= setTimeout(refresh, REFRESH_COALESCE_MS);
    });
    return () => {
      stop();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [feed, specId, queryClient]);

  return { ...query, spec: query.data, isExecuting, connection, feed };
}
