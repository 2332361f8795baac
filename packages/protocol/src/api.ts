import { z } from 'zod';
import { EventSource } from './ingest';
import { ApprovalMode, Phase, Priority, SpecStatus } from './phases';
import { PhaseFailureReason } from './events';

/** HTTP DTOs of `/api/v1`. Paths and field names follow the original API where clients would notice. */

const id = z.string().min(1);
/**
 * Hours as the `real` (float4) columns hold them: at least 0.01 h (a float4 underflows below ~1e-45,
 * so 1e-320 could not be stored) and at most `max`.
 */
const hours = (max: number) => z.number().min(0.01, 'at least 0.01 hours').max(max);
/** Like {@link hours}, but 0 is allowed too (no time spent yet). */
const spentHours = (max: number) => z.number().min(0).max(max).refine((v) => v === 0 || v >= 0.01, 'either 0 or at least 0.01 hours');
const isoTime = z.string();
const nullableTime = isoTime.nullable();

// ── auth ─────────────────────────────────────────────────────────────────────
export const RegisterBody = z.object({
  email: z.email().max(320),
  password: z.string().min(8, 'password must be at least 8 characters').max(200),
  name: z.string().trim().min(1).max(200),
});
export type RegisterBody = z.infer<typeof RegisterBody>;

export const LoginBody = z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(200) });
export type LoginBody = z.infer<typeof LoginBody>;

export const User = z.object({ id, email: z.string(), name: z.string(), created_at: isoTime });
export type User = z.infer<typeof User>;

export const LoginResponse = z.object({ access_token: z.string(), token_type: z.literal('bearer'), expires_in: z.number().int(), user: User });
export type LoginResponse = z.infer<typeof LoginResponse>;

// ── projects ─────────────────────────────────────────────────────────────────
export const ProjectRole = z.enum(['owner', 'member']);
export type ProjectRole = z.infer<typeof ProjectRole>;

/** Who writes a spec: the deterministic offline `planner`, or a model through `anthropic` / `openai` (any OpenAI-compatible server). */
export const EXECUTORS = ['planner', 'anthropic', 'openai'] as const;
export const ExecutorName = z.enum(EXECUTORS);
export type ExecutorName = z.infer<typeof ExecutorName>;

/** The model each provider uses when none is set (the sandbox's `--model` default; the web's placeholders). */
export const DEFAULT_EXECUTOR_MODELS: Readonly<Record<Exclude<ExecutorName, 'planner'>, string>> = {
  anthropic: 'claude-sonnet-5-5',
  openai: 'gpt-4.1-mini',
};

/**
 * A project's model settings. `null` means "the server-wide default" (from the environment). The API
 * key is write-only: reads say only whether one is set and its last four characters.
 */
export const ProjectModelSettings = z.object({
  executor: ExecutorName.nullable(),
  model: z.string().nullable(),
  base_url: z.string().nullable(),
  api_key_set: z.boolean(),
  api_key_last4: z.string().nullable(),
});
export type ProjectModelSettings = z.infer<typeof ProjectModelSettings>;

export const Project = z.object({
  id,
  name: z.string(),
  created_by: id,
  role: ProjectRole,
  /** The connected repository (any git URL, `file://` included), or null: runs then plan from the request alone. */
  repo_url: z.string().nullable(),
  /** Branch, tag or commit to explore; null → the repository's default branch. */
  repo_ref: z.string().nullable(),
  model_settings: ProjectModelSettings,
  /** Whether runs stop for a person's approval after REQUIREMENTS and DESIGN (`review`) or run straight through (`auto`, the default). */
  approval_mode: ApprovalMode,
  created_at: isoTime,
  updated_at: isoTime,
});
export type Project = z.infer<typeof Project>;

const repoUrl = z.string().trim().min(1).max(2000);
const repoRef = z.string().trim().min(1).max(255);
const modelName = z.string().trim().min(1).max(200);
const baseUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).max(2000);
const apiKey = z.string().trim().min(1).max(1000);

/** Model settings as written: any subset; `null` clears a value back to the server default (`api_key: null` removes the key). */
export const ModelSettingsInput = z
  .object({ executor: ExecutorName.nullable(), model: modelName.nullable(), base_url: baseUrl.nullable(), api_key: apiKey.nullable() })
  .partial();
export type ModelSettingsInput = z.infer<typeof ModelSettingsInput>;

export const CreateProjectBody = z.object({
  name: z.string().trim().min(1).max(200),
  repo_url: repoUrl.nullable().optional(),
  repo_ref: repoRef.nullable().optional(),
  model_settings: ModelSettingsInput.optional(),
  /** Default `auto`. */
  approval_mode: ApprovalMode.optional(),
});
export type CreateProjectBody = z.infer<typeof CreateProjectBody>;

/** `PATCH /projects/{id}` (owner): any subset of the creation fields. */
export const UpdateProjectBody = z
  .object({ name: z.string().trim().min(1).max(200), repo_url: repoUrl.nullable(), repo_ref: repoRef.nullable(), model_settings: ModelSettingsInput, approval_mode: ApprovalMode })
  .partial();
export type UpdateProjectBody = z.infer<typeof UpdateProjectBody>;

export const ProjectMember = z.object({ user_id: id, email: z.string(), name: z.string(), role: ProjectRole, added_at: isoTime });
export type ProjectMember = z.infer<typeof ProjectMember>;

export const AddMemberBody = z.object({ email: z.email(), role: ProjectRole.default('member') });
export type AddMemberBody = z.infer<typeof AddMemberBody>;

/** `PATCH /projects/{id}/members/{user_id}` (owner): a member's new role; the last owner cannot step down. */
export const UpdateMemberBody = z.object({ role: ProjectRole });
export type UpdateMemberBody = z.infer<typeof UpdateMemberBody>;

/** Offset pagination: every list answers with `total` and `has_more`. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type PageQuery = z.infer<typeof PageQuery>;

// ── tickets ──────────────────────────────────────────────────────────────────
export const WorkflowMode = z.enum(['quick', 'spec_driven']);
export type WorkflowMode = z.infer<typeof WorkflowMode>;

/** Priorities are accepted in any case (`MEDIUM`, `medium`) and stored lower-case. */
export const PriorityInput = z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), Priority);

export const CreateTicketBody = z.object({
  title: z.string().trim().min(1).max(500),
  description: z.string().max(20_000).default(''),
  project_id: id,
  priority: PriorityInput.default('medium'),
  workflow_mode: WorkflowMode.default('quick'),
  phase_id: z.string().max(100).optional(),
});
export type CreateTicketBody = z.input<typeof CreateTicketBody>;

export const TicketStatus = z.enum(['backlog', 'todo', 'in_progress', 'done', 'cancelled']);
export type TicketStatus = z.infer<typeof TicketStatus>;

export const Ticket = z.object({
  id,
  title: z.string(),
  description: z.string(),
  status: TicketStatus,
  priority: Priority,
  phase_id: z.string(),
  project_id: id,
  workflow_mode: WorkflowMode,
  spec_id: id.nullable(),
  /** Local id (`TKT-001`) when the ticket was created by a spec's SYNC. */
  local_id: z.string().nullable(),
  approval_status: z.string(),
  /** The blocked overlay (`POST /tickets/{id}/block`): the status stays, the ticket cannot move until unblocked. Always sent. */
  is_blocked: z.boolean().optional(),
  blocked_reason: z.string().nullable().optional(),
  blocked_at: nullableTime.optional(),
  created_at: isoTime,
  updated_at: isoTime,
});
export type Ticket = z.infer<typeof Ticket>;

export const TicketList = z.object({ tickets: z.array(Ticket), total: z.number().int(), has_more: z.boolean() });
export type TicketList = z.infer<typeof TicketList>;

export const TicketTask = z.object({
  id,
  ticket_id: id,
  local_id: z.string().nullable(),
  title: z.string(),
  description: z.string(),
  status: z.string(),
  priority: Priority,
  estimated_hours: z.number().nullable(),
  dependencies: z.array(z.string()),
  created_at: isoTime,
});
export type TicketTask = z.infer<typeof TicketTask>;

/**
 * What a ticket is (`GET /tickets?type=`): `quick` (made by hand, no run), `spec_driven` (made with a spec
 * run), `generated` (made by a spec's SYNC; it has a `local_id` such as `TKT-001`).
 */
export const TicketType = z.enum(['quick', 'spec_driven', 'generated']);
export type TicketType = z.infer<typeof TicketType>;

/** `GET /tickets/{id}/history`: what is known to have happened to a ticket, oldest first. */
export const TicketHistoryEntry = z.object({
  at: isoTime,
  kind: z.enum(['created', 'generated', 'approved', 'rejected', 'blocked', 'updated']),
  summary: z.string(),
  /** Who did it (a user's name), when known. */
  by: z.string().nullable(),
});
export type TicketHistoryEntry = z.infer<typeof TicketHistoryEntry>;
export const TicketHistory = z.object({ ticket_id: id, entries: z.array(TicketHistoryEntry) });
export type TicketHistory = z.infer<typeof TicketHistory>;

// ── specs ────────────────────────────────────────────────────────────────────
export const Criterion = z.object({ id, local_id: z.string().nullable(), text: z.string(), completed: z.boolean() });
export type Criterion = z.infer<typeof Criterion>;

export const RequirementStatus = z.enum(['pending', 'in_progress', 'completed']);
export const Requirement = z.object({
  id,
  /** Stable id from the run (`REQ-001`), or null for one a person added. */
  local_id: z.string().nullable(),
  title: z.string(),
  /** EARS condition (`WHEN a key exceeds its limit`), empty when unconditional. */
  condition: z.string(),
  /** EARS response (`THE SYSTEM SHALL answer 429`). */
  action: z.string(),
  text: z.string(),
  type: z.string(),
  priority: Priority,
  status: RequirementStatus,
  linked_design: z.string().nullable(),
  criteria: z.array(Criterion),
  /** Set when a person last edited it; a rerun leaves such rows alone. */
  edited_at: nullableTime,
  position: z.number().int(),
});
export type Requirement = z.infer<typeof Requirement>;

export const CreateRequirementBody = z.object({
  title: z.string().trim().min(1).max(500),
  condition: z.string().max(5_000).default(''),
  action: z.string().trim().min(1).max(5_000),
  priority: PriorityInput.default('medium'),
  type: z.string().max(50).default('functional'),
  linked_design: z.string().max(100).nullable().optional(),
  acceptance_criteria: z.array(z.string().trim().min(1).max(2_000)).max(50).optional(),
});
export const UpdateRequirementBody = z
  .object({
    title: z.string().trim().min(1).max(500),
    condition: z.string().max(5_000),
    action: z.string().trim().min(1).max(5_000),
    priority: PriorityInput,
    status: RequirementStatus,
    linked_design: z.string().max(100).nullable(),
  })
  .partial();
export const CreateCriterionBody = z.object({ text: z.string().trim().min(1).max(2_000) });
export const UpdateCriterionBody = z.object({ text: z.string().trim().min(1).max(2_000), completed: z.boolean() }).partial();

export const ApiSpecEntry = z.object({
  method: z.string(),
  path: z.string(),
  /** Same as `path`: the original API's name for it. */
  endpoint: z.string(),
  description: z.string(),
});
export const Design = z.object({
  architecture: z.string(),
  data_model: z.string(),
  api_spec: z.array(ApiSpecEntry),
  components: z.array(z.object({ id: z.string(), name: z.string(), responsibility: z.string(), file_path: z.string().optional() })),
  error_handling: z.string(),
  testing_strategy: z.string(),
  architecture_diagram: z.string().nullable(),
  edited_at: nullableTime,
});
export type Design = z.infer<typeof Design>;
/**
 * One endpoint of `PUT /design`: `path`, or `endpoint` (the original client's name for it); `path` wins
 * when both are sent. `description: null` is an empty description.
 */
export const PutApiSpecEntry = z
  .object({
    method: z.string().min(1).max(10),
    path: z.string().min(1).max(500).optional(),
    endpoint: z.string().min(1).max(500).optional(),
    description: z.string().max(5_000).nullable().default(''),
  })
  .refine((e) => e.path !== undefined || e.endpoint !== undefined, { message: 'path (or endpoint) is required', path: ['path'] });
export const PutDesignBody = z.object({
  /** `null` (the original client's empty design) is stored as ''. */
  architecture: z.string().max(200_000).nullable().default(''),
  data_model: z.string().max(200_000).nullable().default(''),
  api_spec: z.array(PutApiSpecEntry).max(500).default([]),
  components: z
    .array(z.object({ id: z.string().min(1).max(50), name: z.string().min(1).max(200), responsibility: z.string().max(5_000).default(''), file_path: z.string().max(500).optional() }))
    .max(500)
    .default([]),
  error_handling: z.string().max(50_000).default(''),
  testing_strategy: z.string().max(50_000).default(''),
  architecture_diagram: z.string().max(100_000).nullable().default(null),
});

export const SpecTaskStatus = z.enum(['pending', 'in_progress', 'completed', 'blocked']);
export const SpecTask = z.object({
  id,
  local_id: z.string().nullable(),
  ticket_local_id: z.string().nullable(),
  title: z.string(),
  description: z.string(),
  phase: z.string(),
  priority: Priority,
  status: SpecTaskStatus,
  assigned_agent: z.string().nullable(),
  /** Ids (server ids) of the tasks this one depends on. */
  dependencies: z.array(z.string()),
  requirements: z.array(z.string()),
  estimated_hours: z.number().nullable(),
  actual_hours: z.number().nullable(),
  edited_at: nullableTime,
  position: z.number().int(),
});
export type SpecTask = z.infer<typeof SpecTask>;
export const CreateSpecTaskBody = z.object({
  title: z.string().trim().min(1).max(500),
  description: z.string().max(20_000).default(''),
  phase: z.string().max(50).default('Implementation'),
  priority: PriorityInput.default('medium'),
  estimated_hours: hours(1000).nullable().optional(),
  dependencies: z.array(z.string()).max(100).optional(),
});
export const UpdateSpecTaskBody = z
  .object({
    title: z.string().trim().min(1).max(500),
    description: z.string().max(20_000),
    phase: z.string().max(50),
    priority: PriorityInput,
    status: SpecTaskStatus,
    assigned_agent: z.string().max(200).nullable(),
    estimated_hours: hours(1000).nullable(),
    actual_hours: spentHours(10_000).nullable(),
    dependencies: z.array(z.string()).max(100),
  })
  .partial();

/** Tokens and cost as the server keeps them (sums of the events' `usage`). */
export const SpecUsage = z.object({
  input_tokens: z.number(),
  output_tokens: z.number(),
  cache_read_input_tokens: z.number().optional(),
  cache_creation_input_tokens: z.number().optional(),
  cost_usd: z.number(),
});
export type SpecUsage = z.infer<typeof SpecUsage>;

/** The state of one phase as the stepper shows it. */
export const PhaseState = z.enum(['pending', 'running', 'retrying', 'passed', 'failed']);
export type PhaseState = z.infer<typeof PhaseState>;
export const PhaseStatus = z.object({
  state: PhaseState,
  attempt: z.number().int().nonnegative(),
  max_attempts: z.number().int().positive().nullable(),
  eval_score: z.number().nullable(),
  reason: PhaseFailureReason.nullable(),
  error: z.string().nullable(),
  started_at: nullableTime,
  completed_at: nullableTime,
  /** Who wrote the phase's output (`planner`, `anthropic`, `openai`) and with which model; absent before it completes. */
  executor: z.string().nullable().optional(),
  model: z.string().nullable().optional(),
  /** The phase's tokens and cost over its attempts. */
  usage: SpecUsage.nullable().optional(),
});
export type PhaseStatus = z.infer<typeof PhaseStatus>;

/** The original API's execution metrics of a spec (tests, commits, lines): Specline has none, so `Spec.execution` is null. */
export const SpecExecution = z.object({
  overall_progress: z.number(),
  test_coverage: z.number(),
  tests_total: z.number().int(),
  tests_passing: z.number().int(),
  active_agents: z.number().int(),
  commits: z.number().int(),
  lines_added: z.number().int(),
  lines_removed: z.number().int(),
});
export type SpecExecution = z.infer<typeof SpecExecution>;

export const Spec = z.object({
  id,
  project_id: id,
  title: z.string(),
  description: z.string(),
  status: SpecStatus,
  /** Human-facing stage of the original API (`Requirements`, `Design`, …). */
  phase: z.string(),
  /** The state machine's phase: the one running now, or the last one reached. */
  current_phase: Phase.nullable(),
  /** The phases of the latest run, in order. */
  phases: z.array(Phase),
  phase_status: z.partialRecord(Phase, PhaseStatus),
  progress: z.number().min(0).max(100),
  requirements_approved: z.boolean(),
  requirements_approved_at: nullableTime,
  design_approved: z.boolean(),
  design_approved_at: nullableTime,
  last_error: z.string().nullable(),
  archived: z.boolean(),
  linked_tickets: z.number().int().nonnegative(),
  requirements: z.array(Requirement),
  design: Design.nullable(),
  tasks: z.array(SpecTask),
  usage: SpecUsage.nullable(),
  /** The commit the latest run explored (a checkout of the project's `repo_url` at `repo_ref`), or null. */
  repo_commit: z.string().nullable().optional(),
  /**
   * Fields the original client's `Spec` type reads, always sent (optional only in the TypeScript type).
   * Specline measures no tests and runs no coding agents: `test_coverage` is 0, `execution` null, and
   * `active_agents` 1 while a run is executing (its sandbox), else 0. See docs/api.md, Compatibility.
   */
  test_coverage: z.number().min(0).max(100).optional(),
  active_agents: z.number().int().nonnegative().optional(),
  execution: SpecExecution.nullable().optional(),
  /** The branch `POST /specs/{id}/create-branch` pushed (`spec/<slug>-<id8>`), or null. */
  branch_name: z.string().nullable().optional(),
  /** Set only when a forge API opened a pull request; this server has none, so null. */
  pull_request_url: z.string().nullable().optional(),
  pull_request_number: z.number().int().nullable().optional(),
  sandbox_id: z.string().nullable(),
  /** While `queued`: its place in line (1 = next to start), else null (issue 11). */
  queue_position: z.number().int().positive().nullable().optional(),
  last_heartbeat_at: nullableTime,
  /** The latest run (`GET /specs/{id}/runs`), or null before the first. Always sent. */
  run_id: z.string().nullable().optional(),
  /** The approval mode of the latest run and of the runs that continue it (null before the first run). Always sent. */
  approval_mode: ApprovalMode.nullable().optional(),
  /** While `status` is `awaiting_approval`: the phase whose output waits for approval (`requirements` or `design`), else null. Always sent. */
  awaiting_approval: Phase.nullable().optional(),
  created_at: isoTime,
  updated_at: isoTime,
});
export type Spec = z.infer<typeof Spec>;

/** Spec as it appears in lists: no children. */
export const SpecSummary = Spec.omit({ requirements: true, design: true, tasks: true });
export type SpecSummary = z.infer<typeof SpecSummary>;
export const SpecList = z.object({ specs: z.array(SpecSummary), total: z.number().int(), has_more: z.boolean() });
export type SpecList = z.infer<typeof SpecList>;

export const CreateSpecBody = z.object({
  title: z.string().trim().min(1).max(500),
  description: z.string().max(20_000).default(''),
  project_id: id,
});
export const UpdateSpecBody = z.object({ title: z.string().trim().min(1).max(500), description: z.string().max(20_000) }).partial();
/** Launch options. `model_settings` overrides the project's for this run only (nothing is stored). */
export const ExecuteSpecBody = z
  .object({
    prd: z.boolean().default(false),
    model_settings: ModelSettingsInput.optional(),
    /** This run's approval mode over the project's (`review`: stop after REQUIREMENTS and DESIGN). */
    approval_mode: ApprovalMode.optional(),
  })
  .default({ prd: false });
export const ExecuteSpecResponse = z.object({
  spec_id: id,
  /** `queued`: over a concurrent-run limit (or waiting for a worker); it starts when a slot frees (`queue_position`). */
  status: z.enum(['started', 'already_running', 'queued']),
  message: z.string(),
  current_phase: Phase.nullable(),
  sandbox_id: z.string().nullable(),
  /** The run started (`GET /specs/{id}/runs`); with `already_running`, the live one's. Always sent. */
  run_id: z.string().nullable().optional(),
  /** With `queued`: 1 for the next run to start. */
  queue_position: z.number().int().positive().nullable().optional(),
});
export type ExecuteSpecResponse = z.infer<typeof ExecuteSpecResponse>;

export const SpecVersion = z.object({
  id,
  spec_id: id,
  version_number: z.number().int().positive(),
  change_type: z.string(),
  change_summary: z.string(),
  change_details: z.record(z.string(), z.unknown()).nullable(),
  created_by: z.string().nullable(),
  created_at: isoTime,
});
export type SpecVersion = z.infer<typeof SpecVersion>;
export const SpecVersionList = z.object({ versions: z.array(SpecVersion), total: z.number().int(), has_more: z.boolean() });

// ── events ───────────────────────────────────────────────────────────────────
/** An event as stored and served: the producer's envelope plus what the server assigned. */
export const StoredEvent = z.object({
  id,
  spec_id: id,
  /** Gap-free, commit-ordered position in the spec's stream, from 1. The cursor everywhere. */
  spec_seq: z.number().int().positive(),
  sandbox_id: z.string(),
  /** The run the event belongs to (`GET /specs/{id}/runs`); null for events stored before runs were recorded. Always sent. */
  run_id: z.string().nullable().optional(),
  event_id: z.string(),
  seq: z.number().int().nullable(),
  event_type: z.string(),
  phase: Phase.nullable(),
  event_data: z.record(z.string(), z.unknown()),
  source: EventSource,
  /** The producer's emit time. */
  emitted_at: isoTime,
  /** When the server stored it. */
  created_at: isoTime,
});
export type StoredEvent = z.infer<typeof StoredEvent>;

export const EventsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
  event_types: z.union([z.string().max(100), z.array(z.string().max(100)).max(100)]).optional(),
  /** One type (the original API's parameter); combined with `event_types` when both are sent. */
  event_type: z.string().max(100).optional(),
  /** Only events with `spec_seq` greater than this. */
  after: z.coerce.number().int().min(0).optional(),
  /** Only events with `spec_seq` lower than this (paging back from newest). */
  before: z.coerce.number().int().min(1).optional(),
  order: z.enum(['asc', 'desc']).default('desc'),
  phase: Phase.optional(),
  failures_only: z.enum(['true', 'false']).optional(),
  /** Only the events of this run. */
  run_id: z.string().min(1).max(200).optional(),
});
/**
 * A filtered events page counts its filtered set exactly up to this many events; above it `total_count`
 * is this number and `total_count_exact` is false (page on with `has_more` / `next_cursor`). An
 * unfiltered page's `total_count` is always exact (the spec's `last_spec_seq`). 1,000 (10,000 before issue
 * 14's history work): counting up to 10,001 keys cost a filtered page 1–2 ms of PostgreSQL and of PGlite,
 * up to 1,001 about 0.2 ms (bench/history.ts).
 */
export const EVENTS_TOTAL_COUNT_CAP = 1_000;
export const EventsPage = z.object({
  spec_id: id,
  events: z.array(StoredEvent),
  /** Events matching the filters (the window of `after`/`before`/`offset` aside); capped at `EVENTS_TOTAL_COUNT_CAP` for a filtered page. */
  total_count: z.number().int(),
  /** False when `total_count` is the cap, not the count (a filtered set of more than `EVENTS_TOTAL_COUNT_CAP` events). Always sent. */
  total_count_exact: z.boolean().optional(),
  has_more: z.boolean(),
  /** Cursor for the next page in the requested order: pass as `after` (asc) or `before` (desc). */
  next_cursor: z.number().int().nullable(),
  /** Highest `spec_seq` stored for the spec when the page was read. */
  last_spec_seq: z.number().int().nonnegative(),
});
export type EventsPage = z.infer<typeof EventsPage>;

// ── sync (the HTTP ticket sink) ──────────────────────────────────────────────
export const SyncBody = z.object({
  tickets: z.array(
    z.object({ local_id: z.string().min(1).max(50), title: z.string().min(1).max(500), description: z.string().max(20_000).default(''), priority: PriorityInput.default('medium'), requirements: z.array(z.string()).default([]) }),
  ).max(500),
  tasks: z.array(
    z.object({
      local_id: z.string().min(1).max(50),
      ticket_local_id: z.string().min(1).max(50),
      title: z.string().min(1).max(500),
      description: z.string().max(20_000).default(''),
      priority: PriorityInput.default('medium'),
      estimated_hours: hours(1000).nullable().default(null),
      depends_on: z.array(z.string()).default([]),
    }),
  ).max(2000),
});
export type SyncBody = z.input<typeof SyncBody>;
export const SyncResponse = z.object({
  tickets: z.array(z.object({ local_id: z.string(), id, title: z.string(), created: z.boolean() })),
  tasks: z.array(z.object({ local_id: z.string(), id, ticket_id: id, title: z.string(), created: z.boolean() })),
  errors: z.array(z.string()),
});
export type SyncResponse = z.infer<typeof SyncResponse>;

// ── search (issue 15) ────────────────────────────────────────────────────────
/** `GET /search`: text to look for (every word must appear) and how many hits per kind. */
export const SearchQuery = z.object({
  q: z.string().trim().min(1, 'type at least 1 character').max(200, 'at most 200 characters'),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});
export type SearchQuery = z.input<typeof SearchQuery>;
export const SearchKind = z.enum(['spec', 'requirement', 'ticket']);
export type SearchKind = z.infer<typeof SearchKind>;
export const SearchHit = z.object({
  kind: SearchKind,
  /** The spec's, requirement's or ticket's id. */
  id,
  /** `REQ-002`, `TKT-001`, or null. */
  local_id: z.string().nullable(),
  title: z.string(),
  /** A short excerpt around the first match (plain text). */
  snippet: z.string(),
  status: z.string(),
  project_id: id,
  project_name: z.string(),
  /** The spec itself, the requirement's spec, or the ticket's linked spec (null for a ticket without one). */
  spec_id: id.nullable(),
  archived: z.boolean(),
  updated_at: isoTime,
});
export type SearchHit = z.infer<typeof SearchHit>;
/** Hits grouped by kind, each list at most `limit` long, best first (title matches, then the most recently updated). */
export const SearchResults = z.object({
  query: z.string(),
  specs: z.array(SearchHit),
  requirements: z.array(SearchHit),
  tickets: z.array(SearchHit),
});
export type SearchResults = z.infer<typeof SearchResults>;
