/**
 * The one query-key factory of the web app. Every `useQuery` / `setQueryData` / `invalidateQueries`
 * goes through it, so keys cannot drift apart. Keys are hierarchical: invalidating `queryKeys.specs.all`
 * touches every spec query; `queryKeys.specs.scope(id)` every query of one spec.
 */

export interface SpecListParams {
  status?: string;
  include_archived?: boolean;
  limit?: number;
  offset?: number;
}

export interface TicketListParams {
  project_id?: string;
  status?: string;
  spec_id?: string;
  limit?: number;
  offset?: number;
}

export interface PageParams {
  limit?: number;
  offset?: number;
}

/** Filters of the events list (the timeline); kept loose so the timeline can add its own. */
export type EventsKeyParams = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

export const queryKeys = {
  me: ['auth', 'me'] as const,
  projects: {
    all: ['projects'] as const,
    list: (params: PageParams = {}) => ['projects', 'list', params] as const,
    detail: (projectId: string) => ['projects', 'detail', projectId] as const,
    members: (projectId: string) => ['projects', 'members', projectId] as const,
  },
  specs: {
    all: ['specs'] as const,
    lists: ['specs', 'list'] as const,
    list: (projectId: string, params: SpecListParams = {}) => ['specs', 'list', projectId, params] as const,
    /** Prefix of every query about one spec (detail, versions, events, …). */
    scope: (specId: string) => ['specs', 'one', specId] as const,
    detail: (specId: string) => ['specs', 'one', specId, 'detail'] as const,
    versions: (specId: string, params: PageParams = {}) => ['specs', 'one', specId, 'versions', params] as const,
    /** Prefix of all versions pages of one spec, for invalidation. */
    versionsAll: (specId: string) => ['specs', 'one', specId, 'versions'] as const,
    events: (specId: string, params: EventsKeyParams = {}) => ['specs', 'one', specId, 'events', params] as const,
    /** Prefix of all events queries of one spec, for invalidation. */
    eventsAll: (specId: string) => ['specs', 'one', specId, 'events'] as const,
    linkedTickets: (specId: string) => ['specs', 'one', specId, 'linked-tickets'] as const,
    executionStatus: (specId: string) => ['specs', 'one', specId, 'execution-status'] as const,
    criteriaStatus: (specId: string) => ['specs', 'one', specId, 'criteria-status'] as const,
    phaseData: (specId: string) => ['specs', 'one', specId, 'phase-data'] as const,
    /** Review mode: the spec's runs, one run's diff, the proposals waiting on person-edited rows. */
    runs: (specId: string) => ['specs', 'one', specId, 'runs'] as const,
    runDiff: (specId: string, runId: string) => ['specs', 'one', specId, 'runs', runId, 'diff'] as const,
    proposals: (specId: string) => ['specs', 'one', specId, 'proposals'] as const,
  },
  /** `GET /search` answers, by the trimmed query text. */
  search: (q: string) => ['search', q] as const,
  tickets: {
    all: ['tickets'] as const,
    list: (params: TicketListParams = {}) => ['tickets', 'list', params] as const,
    detail: (ticketId: string) => ['tickets', 'detail', ticketId] as const,
  },
} as const;
