import type {
  AddMemberBody,
  CreateCriterionBody,
  CreateProjectBody,
  CreateRequirementBody,
  CreateSpecBody,
  CreateSpecTaskBody,
  CreateTicketBody,
  TicketType,
  ExecuteSpecBody,
  IngestBody,
  LaunchSpecBody,
  LoginBody,
  PutDesignBody,
  RegisterBody,
  RerunBody,
  SyncBody,
  UpdateCriterionBody,
  UpdateMemberBody,
  UpdateProjectBody,
  UpdateRequirementBody,
  UpdateSpecBody,
  UpdateSpecTaskBody} from '@specline/protocol';
import {
  Criterion,
  CriteriaStatusResponse,
  Design,
  EventsPage,
  ExecuteSpecResponse,
  ExecutionStatusResponse,
  HealthResponse,
  IngestResponse,
  LaunchSpecResponse,
  LinkedTicketsResponse,
  LoginResponse,
  MemberList,
  MessageResponse,
  PhaseDataResponse,
  Project,
  ProjectList,
  ProjectMember,
  Requirement,
  ReviewResponse,
  RunDiff,
  SearchResults,
  Spec,
  SpecList,
  SpecProposal,
  SpecProposalList,
  SpecRunList,
  SpecTask,
  SpecVersionList,
  SyncResponse,
  Ticket,
  TicketList,
  TicketHistory,
  TicketTaskList,
  User,
  type Phase,
} from '@specline/protocol';
import { z } from 'zod';
import { ApiError, errorFromResponse } from './errors';

export const API_PREFIX = '/api/v1';

export interface SpeclineClientOptions {
  /** Origin of the server (`http://localhost:8080`); '' (the default) calls the page's own origin. */
  baseUrl?: string;
  /** The fetch to use; defaults to the global one. */
  fetch?: typeof fetch;
  /** A user token to send as `Authorization: Bearer`; without it the session cookie does the work. */
  getToken?: () => string | null | undefined;
  /** Called on every 401 answer (not on a failed login), before the ApiError is thrown. */
  onUnauthorized?: (error: ApiError) => void;
  /**
   * Renew the session transparently (browsers; the default is off). Access tokens are short-lived: on a 401
   * from any route but `/auth/*` the client calls `POST /auth/refresh` once (concurrent calls share one
   * refresh; the refresh cookie goes along with `credentials: 'include'`) and repeats the request. Only
   * when the refresh fails is `onUnauthorized` called. `client.fetch` does the same for other requests
   * (the event stream).
   */
  refreshSession?: boolean;
}

type QueryValue = string | number | boolean | readonly (string | number)[] | null | undefined;
export type QueryParams = Readonly<Record<string, QueryValue>>;

export interface PageParams {
  limit?: number;
  offset?: number;
}
export interface SpecListParams extends PageParams {
  status?: string;
  include_archived?: boolean;
  /** `true`: only archived specs; `false`: only the others (overrides `include_archived`). */
  archived?: boolean;
}
export interface TicketListParams extends PageParams {
  project_id?: string;
  status?: string;
  spec_id?: string;
  /** `quick`, `spec_driven` or `generated` (made by a spec's SYNC). */
  type?: TicketType;
}
export interface EventsParams extends PageParams {
  event_types?: string | readonly string[];
  /** Only events with `spec_seq` greater than this. */
  after?: number;
  /** Only events with `spec_seq` lower than this. */
  before?: number;
  order?: 'asc' | 'desc';
  phase?: Phase;
  failures_only?: boolean;
  /** Only the events of one run (`GET /specs/{id}/runs`). */
  run_id?: string;
}
export type ExportFormat = 'json' | 'markdown';
export interface ExportedSpec {
  format: ExportFormat;
  /** The document as text (JSON or Markdown). */
  text: string;
  /** From `Content-Disposition`, or `spec-<id>.json|md`. */
  filename: string;
  contentType: string;
}

interface RequestOptions {
  query?: QueryParams;
  body?: unknown;
  headers?: Record<string, string>;
  /** Overrides `getToken` (sandbox routes take the sandbox token). */
  token?: string;
  /** A 401 here is an answer for the caller (bad password), not a lost session. */
  skipUnauthorizedHook?: boolean;
  signal?: AbortSignal;
}

/** Appends `query` to `path`; arrays repeat the key, null/undefined are left out. */
export function buildUrl(baseUrl: string, path: string, query?: QueryParams): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value as readonly (string | number)[]) params.append(key, String(item));
    } else {
      params.append(key, String(value));
    }
  }
  const search = params.toString();
  return `${baseUrl.replace(/\/+$/, '')}${API_PREFIX}${path}${search ? `?${search}` : ''}`;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function seg(value: string): string {
  return encodeURIComponent(value);
}

function filenameFrom(disposition: string | null): string | undefined {
  if (!disposition) return undefined;
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(disposition);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
    } catch {
      /* fall through to the plain filename */
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition);
  return plain?.[1]?.trim() || undefined;
}

/** Creates the typed client: one function per route of docs/api.md; every answer is parsed with its protocol schema. */
export function createSpeclineClient(options: SpeclineClientOptions = {}) {
  const baseUrl = options.baseUrl ?? '';
  const rawFetch: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  /**
   * The session's renewal. Ahead of time: a timer at 3/4 of the access token's lifetime, armed by every
   * login, register and refresh answer (so an open page never sends an expired token). On demand: a
   * 401 (the page was reloaded, or the machine slept). One refresh at a time: every 401 that arrives
   * meanwhile waits for it.
   */
  let refreshing: Promise<boolean> | undefined;
  let renewTimer: ReturnType<typeof setTimeout> | undefined;
  const disarm = () => {
    if (renewTimer !== undefined) clearTimeout(renewTimer);
    renewTimer = undefined;
  };
  const arm = (expiresInSeconds: number) => {
    if (!options.refreshSession || !Number.isFinite(expiresInSeconds) || expiresInSeconds <= 0) return;
    disarm();
    renewTimer = setTimeout(() => void refreshOnce(), Math.max(1000, expiresInSeconds * 750));
    (renewTimer as { unref?: () => void }).unref?.();
  };
  const refreshOnce = (): Promise<boolean> => {
    refreshing ??= rawFetch(buildUrl(baseUrl, '/auth/refresh'), { method: 'POST', headers: { accept: 'application/json' }, credentials: 'include' })
      .then(
        async (response) => {
          const text = await response.text().catch(() => '');
          if (response.ok) arm(LoginResponse.safeParse(safeParse(text)).data?.expires_in ?? 0);
          else disarm();
          return response.ok;
        },
        () => false,
      )
      .finally(() => {
        refreshing = undefined;
      });
    return refreshing;
  };
  /** The credential exchanges themselves: a 401 there is an answer, not an expired session. */
  const isCredentialRoute = (input: Parameters<typeof fetch>[0]): boolean => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    return /\/auth\/(login|register|refresh|logout)(\?|$)/.test(url);
  };
  /** The fetch of every call: with `refreshSession`, a 401 outside `/auth/*` refreshes the session once and retries. */
  const doFetch: typeof fetch = async (input, init) => {
    const response = await rawFetch(input, init);
    if (response.status !== 401 || !options.refreshSession || isCredentialRoute(input) || init?.signal?.aborted) return response;
    if (!(await refreshOnce())) return response;
    await response.body?.cancel().catch(() => undefined);
    return rawFetch(input, init);
  };

  async function send(method: string, path: string, opts: RequestOptions): Promise<{ response: Response; text: string; label: string }> {
    const label = `${method} ${API_PREFIX}${path}`;
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    const token = opts.token ?? options.getToken?.() ?? undefined;
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    let response: Response;
    let text: string;
    try {
      response = await doFetch(buildUrl(baseUrl, path, opts.query), { method, headers, body, credentials: 'include', signal: opts.signal });
      text = await response.text();
    } catch (cause) {
      if (opts.signal?.aborted) throw cause; // a cancelled query is not a network failure
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new ApiError({ status: 0, code: 'network_error', detail: `could not reach the server: ${reason}`, request: label, cause });
    }
    if (!response.ok) {
      const error = errorFromResponse(response.status, response.statusText, text, label);
      if (response.status === 401 && !opts.skipUnauthorizedHook) options.onUnauthorized?.(error);
      throw error;
    }
    return { response, text, label };
  }

  async function json<S extends z.ZodType>(schema: S, method: string, path: string, opts: RequestOptions = {}): Promise<z.output<S>> {
    const { response, text, label } = await send(method, path, opts);
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (cause) {
      throw new ApiError({ status: response.status, code: 'invalid_response', detail: `the answer is not JSON: ${text.slice(0, 120)}`, request: label, cause });
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      const errors = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(root)', message: issue.message }));
      const first = errors[0];
      const detail = `the answer does not match the API contract${first ? ` at ${first.path}: ${first.message}` : ''}`;
      throw new ApiError({ status: response.status, code: 'invalid_response', detail, errors, request: label, cause: parsed.error });
    }
    return parsed.data;
  }

  async function empty(method: string, path: string, opts: RequestOptions = {}): Promise<void> {
    await send(method, path, opts);
  }

  /** A login answer arms the renewal timer (with `refreshSession`). */
  const armed = (answer: LoginResponse): LoginResponse => {
    arm(answer.expires_in);
    return answer;
  };

  const specPath = (specId: string) => `/specs/${seg(specId)}`;
  const reqPath = (specId: string, reqId: string) => `${specPath(specId)}/requirements/${seg(reqId)}`;

  return {
    baseUrl,
    /** The client's fetch (with `refreshSession`: renews the session on a 401), for the event stream and polling. */
    fetch: doFetch,
    /** The URL of a route, for links and for the stream client. */
    url: (path: string, query?: QueryParams) => buildUrl(baseUrl, path, query),

    health: (signal?: AbortSignal) => json(HealthResponse, 'GET', '/health', { signal }),

    auth: {
      register: (body: z.input<typeof RegisterBody>) => json(LoginResponse, 'POST', '/auth/register', { body, skipUnauthorizedHook: true }).then(armed),
      login: (body: z.input<typeof LoginBody>) => json(LoginResponse, 'POST', '/auth/login', { body, skipUnauthorizedHook: true }).then(armed),
      logout: () => empty('POST', '/auth/logout', { skipUnauthorizedHook: true }).finally(disarm),
      /** A new access token for the refresh cookie (the client does this by itself with `refreshSession`). */
      refresh: () => json(LoginResponse, 'POST', '/auth/refresh', { skipUnauthorizedHook: true }).then(armed),
      me: (signal?: AbortSignal) => json(User, 'GET', '/auth/me', { signal }),
    },

    projects: {
      list: (params: PageParams = {}, signal?: AbortSignal) => json(ProjectList, 'GET', '/projects', { query: { ...params }, signal }),
      create: (body: z.input<typeof CreateProjectBody>) => json(Project, 'POST', '/projects', { body }),
      get: (projectId: string, signal?: AbortSignal) => json(Project, 'GET', `/projects/${seg(projectId)}`, { signal }),
      /** Owner only. Any subset of name, repository and model settings; `model_settings.api_key: null` removes the key. */
      update: (projectId: string, body: z.input<typeof UpdateProjectBody>) => json(Project, 'PATCH', `/projects/${seg(projectId)}`, { body }),
      members: (projectId: string, signal?: AbortSignal) => json(MemberList, 'GET', `/projects/${seg(projectId)}/members`, { signal }),
      addMember: (projectId: string, body: z.input<typeof AddMemberBody>) => json(ProjectMember, 'POST', `/projects/${seg(projectId)}/members`, { body }),
      /** Owner only; the last owner cannot become a member (409 `conflict`). */
      updateMember: (projectId: string, userId: string, body: z.input<typeof UpdateMemberBody>) =>
        json(ProjectMember, 'PATCH', `/projects/${seg(projectId)}/members/${seg(userId)}`, { body }),
      removeMember: (projectId: string, userId: string) => empty('DELETE', `/projects/${seg(projectId)}/members/${seg(userId)}`),
    },

    /** Specs, requirements and tickets holding every word of `q`, in the projects the caller belongs to (`limit` per kind). */
    search: (params: { q: string; limit?: number }, signal?: AbortSignal) => json(SearchResults, 'GET', '/search', { query: { ...params }, signal }),

    tickets: {
      create: (body: CreateTicketBody, opts: { idempotencyKey?: string } = {}) =>
        json(Ticket, 'POST', '/tickets', { body, headers: opts.idempotencyKey ? { 'idempotency-key': opts.idempotencyKey } : undefined }),
      list: (params: TicketListParams = {}, signal?: AbortSignal) => json(TicketList, 'GET', '/tickets', { query: { ...params }, signal }),
      get: (ticketId: string, signal?: AbortSignal) => json(Ticket, 'GET', `/tickets/${seg(ticketId)}`, { signal }),
      tasks: (ticketId: string, signal?: AbortSignal) => json(TicketTaskList, 'GET', `/tickets/${seg(ticketId)}/tasks`, { signal }),
      /** What happened to the ticket, oldest first (creation, review, block, last change). */
      history: (ticketId: string, signal?: AbortSignal) => json(TicketHistory, 'GET', `/tickets/${seg(ticketId)}/history`, { signal }),
    },

    specs: {
      listByProject: (projectId: string, params: SpecListParams = {}, signal?: AbortSignal) =>
        json(SpecList, 'GET', `/specs/project/${seg(projectId)}`, { query: { ...params }, signal }),
      create: (body: z.input<typeof CreateSpecBody>) => json(Spec, 'POST', '/specs', { body }),
      launch: (body: LaunchSpecBody) => json(LaunchSpecResponse, 'POST', '/specs/launch', { body }),
      get: (specId: string, signal?: AbortSignal) => json(Spec, 'GET', specPath(specId), { signal }),
      update: (specId: string, body: z.input<typeof UpdateSpecBody>) => json(Spec, 'PATCH', specPath(specId), { body }),
      /** Archives the spec (`DELETE /specs/{id}`). */
      archive: (specId: string) => json(MessageResponse, 'DELETE', specPath(specId)),
      approveRequirements: (specId: string) => json(Spec, 'POST', `${specPath(specId)}/approve-requirements`),
      approveDesign: (specId: string) => json(Spec, 'POST', `${specPath(specId)}/approve-design`),
      /** Review mode: sends the phase's output back with a comment; the phase runs again with it. */
      rejectRequirements: (specId: string, comment: string) => json(ReviewResponse, 'POST', `${specPath(specId)}/reject-requirements`, { body: { comment } }),
      rejectDesign: (specId: string, comment: string) => json(ReviewResponse, 'POST', `${specPath(specId)}/reject-design`, { body: { comment } }),
      /** A new run from `from_phase`: it and the phases after it are regenerated; person-edited rows are kept. */
      rerun: (specId: string, body: z.input<typeof RerunBody>) => json(ReviewResponse, 'POST', `${specPath(specId)}/rerun`, { body }),
      /** Newest first. */
      runs: (specId: string, signal?: AbortSignal) => json(SpecRunList, 'GET', `${specPath(specId)}/runs`, { signal }),
      /** What one run changed, per phase, compared with each phase's previous output. */
      runDiff: (specId: string, runId: string, signal?: AbortSignal) => json(RunDiff, 'GET', `${specPath(specId)}/runs/${seg(runId)}/diff`, { signal }),
      /** Changes a run wanted to make to person-edited rows (`status` filters: open, accepted, dismissed, superseded). */
      proposals: (specId: string, params: { status?: string } & PageParams = {}, signal?: AbortSignal) =>
        json(SpecProposalList, 'GET', `${specPath(specId)}/proposals`, { query: { ...params }, signal }),
      /** Accept applies the proposed fields to the row (withdrawing the approvals its old content had); dismiss keeps the person's. */
      acceptProposal: (specId: string, proposalId: string) => json(SpecProposal, 'POST', `${specPath(specId)}/proposals/${seg(proposalId)}/accept`),
      dismissProposal: (specId: string, proposalId: string) => json(SpecProposal, 'POST', `${specPath(specId)}/proposals/${seg(proposalId)}/dismiss`),
      versions: (specId: string, params: PageParams = {}, signal?: AbortSignal) =>
        json(SpecVersionList, 'GET', `${specPath(specId)}/versions`, { query: { ...params }, signal }),
      /** Starts a run; `status: 'already_running'` when one is live. */
      execute: (specId: string, body: z.input<typeof ExecuteSpecBody> = {}) => json(ExecuteSpecResponse, 'POST', `${specPath(specId)}/execute`, { body }),
      cancel: (specId: string) => json(Spec, 'POST', `${specPath(specId)}/cancel`),
      phaseData: (specId: string, signal?: AbortSignal) => json(PhaseDataResponse, 'GET', `${specPath(specId)}/phase-data`, { signal }),
      executionStatus: (specId: string, signal?: AbortSignal) => json(ExecutionStatusResponse, 'GET', `${specPath(specId)}/execution-status`, { signal }),
      criteriaStatus: (specId: string, signal?: AbortSignal) => json(CriteriaStatusResponse, 'GET', `${specPath(specId)}/criteria-status`, { signal }),
      linkedTickets: (specId: string, signal?: AbortSignal) => json(LinkedTicketsResponse, 'GET', `${specPath(specId)}/linked-tickets`, { signal }),
      events: (specId: string, params: EventsParams = {}, signal?: AbortSignal) =>
        json(EventsPage, 'GET', `${specPath(specId)}/events`, { query: { ...params, failures_only: params.failures_only === undefined ? undefined : String(params.failures_only) }, signal }),
      /** Downloads the export as text, with the filename the server suggests. */
      export: async (specId: string, format: ExportFormat): Promise<ExportedSpec> => {
        const { response, text } = await send('GET', `${specPath(specId)}/export`, { query: { format }, headers: { accept: format === 'json' ? 'application/json' : 'text/markdown' } });
        const filename = filenameFrom(response.headers.get('content-disposition')) ?? `spec-${specId}.${format === 'json' ? 'json' : 'md'}`;
        const contentType = response.headers.get('content-type') ?? (format === 'json' ? 'application/json' : 'text/markdown');
        return { format, text, filename, contentType };
      },
    },

    requirements: {
      create: (specId: string, body: z.input<typeof CreateRequirementBody>) => json(Requirement, 'POST', `${specPath(specId)}/requirements`, { body }),
      update: (specId: string, reqId: string, body: z.input<typeof UpdateRequirementBody>) => json(Requirement, 'PATCH', reqPath(specId, reqId), { body }),
      delete: (specId: string, reqId: string) => empty('DELETE', reqPath(specId, reqId)),
    },

    criteria: {
      create: (specId: string, reqId: string, body: z.input<typeof CreateCriterionBody>) => json(Criterion, 'POST', `${reqPath(specId, reqId)}/criteria`, { body }),
      update: (specId: string, reqId: string, criterionId: string, body: z.input<typeof UpdateCriterionBody>) =>
        json(Criterion, 'PATCH', `${reqPath(specId, reqId)}/criteria/${seg(criterionId)}`, { body }),
      delete: (specId: string, reqId: string, criterionId: string) => empty('DELETE', `${reqPath(specId, reqId)}/criteria/${seg(criterionId)}`),
    },

    design: {
      put: (specId: string, body: z.input<typeof PutDesignBody>) => json(Design, 'PUT', `${specPath(specId)}/design`, { body }),
    },

    tasks: {
      list: (specId: string, signal?: AbortSignal) => json(z.array(SpecTask), 'GET', `${specPath(specId)}/tasks`, { signal }),
      create: (specId: string, body: z.input<typeof CreateSpecTaskBody>) => json(SpecTask, 'POST', `${specPath(specId)}/tasks`, { body }),
      update: (specId: string, taskId: string, body: z.input<typeof UpdateSpecTaskBody>) => json(SpecTask, 'PATCH', `${specPath(specId)}/tasks/${seg(taskId)}`, { body }),
      delete: (specId: string, taskId: string) => empty('DELETE', `${specPath(specId)}/tasks/${seg(taskId)}`),
    },

    /** Routes a sandbox calls with its own token. */
    sandbox: {
      postEvents: (sandboxId: string, token: string, body: IngestBody | Record<string, unknown>) =>
        json(IngestResponse, 'POST', `/sandboxes/${seg(sandboxId)}/events`, { body, token, skipUnauthorizedHook: true }),
      sync: (specId: string, token: string, body: SyncBody) => json(SyncResponse, 'POST', `${specPath(specId)}/sync`, { body, token, skipUnauthorizedHook: true }),
    },
  };
}

export type SpeclineClient = ReturnType<typeof createSpeclineClient>;
