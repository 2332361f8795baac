import { createContext, useContext, useEffect, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import { pollSpecEvents, subscribeSpecEvents, type SpeclineClient, type SubscribeSpecEventsOptions } from '@specline/client';
import { useApi } from '../../lib/api';
import { EventPager, SpecEventFeed, type FeedSnapshot, type FeedTransport, type Schedule } from './eventFeed';
import type { ServerFilter } from './filterEvents';

/**
 * Transport over the app's typed client (pages) and the SSE client (stream, polling). `fetch` defaults to the
 * client's own (which renews an expired session and retries); tests pass a fake so the stream and the pages are
 * served by the same seam.
 */
export function createFeedTransport({
  client,
  fetch,
  stream,
}: {
  client: SpeclineClient;
  fetch?: typeof globalThis.fetch;
  /** Reconnect tuning of the stream (tests pass an immediate `sleep`). */
  stream?: Pick<SubscribeSpecEventsOptions, 'sleep' | 'maxConsecutiveFailures' | 'backoff'>;
}): FeedTransport {
  fetch ??= client.fetch;
  return {
    fetchPage: (specId, query, signal) => client.specs.events(specId, query, signal),
    subscribe: (specId, after, handlers) => subscribeSpecEvents({ baseUrl: client.baseUrl, specId, after, fetch, ...stream, ...handlers }),
    poll: (specId, after, signal) => pollSpecEvents({ baseUrl: client.baseUrl, specId, after, fetch, signal }),
  };
}

/** Feeds shared by every component of a page (timeline, toasts, metrics): one stream per spec. */
export class FeedRegistry {
  private readonly entries = new Map<string, { feed: SpecEventFeed; refs: number; cancelDispose?: () => void }>();

  constructor(
    readonly transport: FeedTransport,
    /** The timers of the feeds and of what follows them (the spec refresh); tests drive it. */
    readonly schedule?: Schedule,
  ) {}

  /** The feed of a spec, created (and its newest page requested) on first use. Safe to call during render. */
  get(specId: string): SpecEventFeed {
    let entry = this.entries.get(specId);
    if (!entry) {
      const feed = new SpecEventFeed({ specId, transport: this.transport, schedule: this.schedule });
      entry = { feed, refs: 0 };
      this.entries.set(specId, entry);
      void feed.load();
      this.disposeWhenUnused(specId);
    }
    return entry.feed;
  }

  /** Keeps the feed open until the returned release is called. */
  retain(specId: string): () => void {
    this.get(specId);
    const entry = this.entries.get(specId)!;
    entry.refs++;
    entry.cancelDispose?.();
    entry.cancelDispose = undefined;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      entry.refs--;
      if (entry.refs === 0) this.disposeWhenUnused(specId);
    };
  }

  /** Closes a feed a moment after its last user left, so a remount (or StrictMode) reuses it. */
  private disposeWhenUnused(specId: string): void {
    const entry = this.entries.get(specId);
    if (!entry) return;
    entry.cancelDispose?.();
    const timer = setTimeout(() => {
      if (entry.refs > 0 || this.entries.get(specId) !== entry) return;
      entry.feed.dispose();
      this.entries.delete(specId);
    }, 1000);
    entry.cancelDispose = () => clearTimeout(timer);
  }
}

const FeedContext = createContext<FeedRegistry | null>(null);
const defaultRegistries = new WeakMap<SpeclineClient, FeedRegistry>();

/** Lets tests (or a page) choose the transport; without it the app's client and the global fetch are used. */
export function SpecFeedProvider({ transport, schedule, children }: { transport: FeedTransport; schedule?: Schedule; children: ReactNode }) {
  const registry = useMemo(() => new FeedRegistry(transport, schedule), [transport, schedule]);
  return <FeedContext.Provider value={registry}>{children}</FeedContext.Provider>;
}

export function useFeedRegistry(): FeedRegistry {
  const provided = useContext(FeedContext);
  const client = useApi();
  if (provided) return provided;
  let registry = defaultRegistries.get(client);
  if (!registry) {
    registry = new FeedRegistry(createFeedTransport({ client }));
    defaultRegistries.set(client, registry);
  }
  return registry;
}

/** The shared feed of a spec; follows the run live while `live` is true. */
export function useSpecEventFeed(specId: string, live: boolean): SpecEventFeed {
  const registry = useFeedRegistry();
  const feed = registry.get(specId);
  useEffect(() => registry.retain(specId), [registry, specId]);
  useEffect(() => {
    feed.setLive(live);
  }, [feed, live]);
  return feed;
}

/** A filtered view paged from the server, kept current with the feed's live events. Null without a filter. */
export function useFilteredPager(feed: SpecEventFeed, filter: ServerFilter | null): EventPager | null {
  const registry = useFeedRegistry();
  const key = filter ? JSON.stringify(filter) : null;
  const pager = useMemo(
    () => (key ? new EventPager({ specId: feed.specId, transport: registry.transport, filter: JSON.parse(key) as ServerFilter }) : null),
    [feed, registry, key],
  );
  useEffect(() => {
    if (!pager) return undefined;
    void pager.load();
    const off = feed.onLive((events) => pager.ingest(events));
    return () => {
      off();
      pager.dispose();
    };
  }, [feed, pager]);
  return pager;
}

export function useFeedSnapshot(pager: EventPager): FeedSnapshot {
  return useSyncExternalStore(pager.subscribe, pager.getSnapshot, pager.getSnapshot);
}
