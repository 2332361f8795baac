/**
 * The one schema for both drivers (PostgreSQL through `pg`, embedded PGlite). Keep SQL to what
 * PostgreSQL 15 runs: PGlite is 18, production may be older. Migrations: `npm run db:generate -w @specline/server`.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

const created = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const updated = () => timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const time = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  createdAt: created(),
});

export const projects = pgTable('projects', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdBy: text('created_by').notNull().references(() => users.id),
  /** The connected repository (any git URL, `file://` included), or null: runs then plan from the request alone. */
  repoUrl: text('repo_url'),
  /** Branch, tag or commit to explore; null → the repository's default branch. */
  repoRef: text('repo_ref'),
  /** Model settings; null → the server-wide default. */
  modelExecutor: text('model_executor'),
  modelName: text('model_name'),
  modelBaseUrl: text('model_base_url'),
  /** The API key, AES-256-GCM under the server's secret key (`services/secretBox.ts`); never the plaintext. */
  modelApiKeyEnc: text('model_api_key_enc'),
  /** Last four characters of the key: all the API ever shows of it. */
  modelApiKeyLast4: text('model_api_key_last4'),
  /** `auto` (runs go straight through) or `review` (runs stop after REQUIREMENTS and DESIGN for approval); issue 10. */
  approvalMode: text('approval_mode').notNull().default('auto').$type<'auto' | 'review'>(),
  createdAt: created(),
  updatedAt: updated(),
});

export const projectMembers = pgTable(
  'project_members',
  {
    projectId: text('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').notNull().$type<'owner' | 'member'>(),
    addedAt: created(),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.userId] }), index('project_members_user_idx').on(t.userId)],
);

export const specs = pgTable(
  'specs',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
    userId: text('user_id').references(() => users.id, { onDelete: 'set null' }),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    status: text('status').notNull().default('draft'),
    /** Human-facing stage (`Requirements`, `Design`, …) of the original API. */
    phase: text('phase').notNull().default('Requirements'),
    currentPhase: text('current_phase'),
    phases: jsonb('phases').notNull().$type<string[]>().default(sql`'[]'::jsonb`),
    phaseStatus: jsonb('phase_status').notNull().$type<Record<string, unknown>>().default(sql`'{}'::jsonb`),
    progress: real('progress').notNull().default(0),
    phaseData: jsonb('phase_data').notNull().$type<Record<string, unknown>>().default(sql`'{}'::jsonb`),
    requirementsApproved: boolean('requirements_approved').notNull().default(false),
    requirementsApprovedAt: time('requirements_approved_at'),
    designApproved: boolean('design_approved').notNull().default(false),
    designApprovedAt: time('design_approved_at'),
    design: jsonb('design').$type<Record<string, unknown>>(),
    designEditedAt: time('design_edited_at'),
    lastError: text('last_error'),
    archived: boolean('archived').notNull().default(false),
    archivedAt: time('archived_at'),
    usage: jsonb('usage').$type<{ input_tokens: number; output_tokens: number; cache_read_input_tokens?: number; cache_creation_input_tokens?: number; cost_usd: number }>(),
    /** The commit the latest run explored (a checkout of the project's repository), or null. */
    repoCommit: text('repo_commit'),
    specContext: jsonb('spec_context').$type<Record<string, unknown>>(),
    /** Highest `spec_seq` assigned; advanced under the row lock, so sequences are gap-free. */
    lastSpecSeq: bigint('last_spec_seq', { mode: 'number' }).notNull().default(0),
    /** The sandbox of the live (or latest) run. */
    sandboxId: text('sandbox_id'),
    /** The live (or latest) run (`spec_runs`), its approval mode (continued by approvals and re-runs), and the phase a review gate stopped it after. */
    runId: text('run_id'),
    approvalMode: text('approval_mode').$type<'auto' | 'review'>(),
    awaitingPhase: text('awaiting_phase'),
    lastHeartbeatAt: time('last_heartbeat_at'),
    /** The branch `create-branch` pushed to the project's repository (`spec/<slug>-<id8>`), or null. */
    branchName: text('branch_name'),
    /** Set only when a forge opened a pull request (this server has no forge API yet). */
    pullRequestUrl: text('pull_request_url'),
    pullRequestNumber: integer('pull_request_number'),
    /** A queued run (status `queued`, issue 11): when it was queued (its place in line), by whom, and how it was asked for. */
    queuedAt: time('queued_at'),
    queuedBy: text('queued_by'),
    queuedRequest: jsonb('queued_request').$type<Record<string, unknown>>(),
    /** What a queued spec waits for: `quota` (null on older rows) or `worker` (its job is on the run queue, migration 0007). */
    queuedFor: text('queued_for').$type<'quota' | 'worker'>(),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [
    index('specs_project_idx').on(t.projectId, t.archived, t.updatedAt),
    index('specs_status_idx').on(t.status),
    index('specs_queued_idx').on(t.queuedAt).where(sql`${t.status} = 'queued'`),
  ],
);

export const specRequirements = pgTable(
  'spec_requirements',
  {
    id: text('id').primaryKey(),
    specId: text('spec_id').notNull().references(() => specs.id, { onDelete: 'cascade' }),
    localId: text('local_id'),
    title: text('title').notNull(),
    condition: text('condition').notNull().default(''),
    action: text('action').notNull().default(''),
    text: text('text').notNull().default(''),
    type: text('type').notNull().default('functional'),
    priority: text('priority').notNull().default('medium'),
    status: text('status').notNull().default('pending'),
    linkedDesign: text('linked_design'),
    position: integer('position').notNull().default(0),
    /** Set when a person edits the row: a rerun does not overwrite it. */
    editedAt: time('edited_at'),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [uniqueIndex('spec_requirements_local_uq').on(t.specId, t.localId), index('spec_requirements_spec_idx').on(t.specId, t.position)],
);

export const specAcceptanceCriteria = pgTable(
  'spec_acceptance_criteria',
  {
    id: text('id').primaryKey(),
    requirementId: text('requirement_id').notNull().references(() => specRequirements.id, { onDelete: 'cascade' }),
    localId: text('local_id'),
    text: text('text').notNull(),
    completed: boolean('completed').notNull().default(false),
    position: integer('position').notNull().default(0),
    editedAt: time('edited_at'),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [uniqueIndex('spec_criteria_local_uq').on(t.requirementId, t.localId), index('spec_criteria_req_idx').on(t.requirementId, t.position)],
);

export const specTasks = pgTable(
  'spec_tasks',
  {
    id: text('id').primaryKey(),
    specId: text('spec_id').notNull().references(() => specs.id, { onDelete: 'cascade' }),
    localId: text('local_id'),
    ticketLocalId: text('ticket_local_id'),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    phase: text('phase').notNull().default('Implementation'),
    priority: text('priority').notNull().default('medium'),
    status: text('status').notNull().default('pending'),
    assignedAgent: text('assigned_agent'),
    /** Server ids of the spec tasks this one depends on. */
    dependencies: jsonb('dependencies').notNull().$type<string[]>().default(sql`'[]'::jsonb`),
    requirements: jsonb('requirements').notNull().$type<string[]>().default(sql`'[]'::jsonb`),
    estimatedHours: real('estimated_hours'),
    actualHours: real('actual_hours'),
    position: integer('position').notNull().default(0),
    editedAt: time('edited_at'),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [uniqueIndex('spec_tasks_local_uq').on(t.specId, t.localId), index('spec_tasks_spec_idx').on(t.specId, t.position)],
);

export const specVersions = pgTable(
  'spec_versions',
  {
    id: text('id').primaryKey(),
    specId: text('spec_id').notNull().references(() => specs.id, { onDelete: 'cascade' }),
    versionNumber: integer('version_number').notNull(),
    changeType: text('change_type').notNull(),
    changeSummary: text('change_summary').notNull(),
    changeDetails: jsonb('change_details').$type<Record<string, unknown>>(),
    createdBy: text('created_by'),
    createdAt: created(),
  },
  (t) => [uniqueIndex('spec_versions_number_uq').on(t.specId, t.versionNumber)],
);

export const tickets = pgTable(
  'tickets',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
    specId: text('spec_id').references(() => specs.id, { onDelete: 'set null' }),
    localId: text('local_id'),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    status: text('status').notNull().default('backlog'),
    priority: text('priority').notNull().default('medium'),
    phaseId: text('phase_id').notNull().default('PHASE_REQUIREMENTS'),
    workflowMode: text('workflow_mode').notNull().default('quick'),
    approvalStatus: text('approval_status').notNull().default('approved'),
    /** The blocked overlay: set while blocked (the status stays); `blocked_reason` is the blocker type. */
    blockedReason: text('blocked_reason'),
    blockedAt: time('blocked_at'),
    suggestedRemediation: text('suggested_remediation'),
    /** The review of a `pending_review` ticket: who approved or rejected it, when, and why (rejections). */
    rejectionReason: text('rejection_reason'),
    reviewedBy: text('reviewed_by').references(() => users.id, { onDelete: 'set null' }),
    reviewedAt: time('reviewed_at'),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [
    index('tickets_project_idx').on(t.projectId, t.createdAt),
    index('tickets_spec_idx').on(t.specId),
    uniqueIndex('tickets_spec_local_uq').on(t.specId, t.localId),
    index('tickets_pending_review_idx').on(t.projectId).where(sql`${t.approvalStatus} = 'pending_review'`),
  ],
);

export const tasks = pgTable(
  'tasks',
  {
    id: text('id').primaryKey(),
    ticketId: text('ticket_id').notNull().references(() => tickets.id, { onDelete: 'cascade' }),
    specId: text('spec_id').references(() => specs.id, { onDelete: 'set null' }),
    localId: text('local_id'),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    status: text('status').notNull().default('pending'),
    priority: text('priority').notNull().default('medium'),
    estimatedHours: real('estimated_hours'),
    /** Server ids of the tasks this one depends on. */
    dependencies: jsonb('dependencies').notNull().$type<string[]>().default(sql`'[]'::jsonb`),
    createdAt: created(),
  },
  (t) => [index('tasks_ticket_idx').on(t.ticketId), uniqueIndex('tasks_spec_local_uq').on(t.specId, t.localId)],
);

export const sandboxes = pgTable(
  'sandboxes',
  {
    id: text('id').primaryKey(),
    specId: text('spec_id').notNull().references(() => specs.id, { onDelete: 'cascade' }),
    /** SHA-256 of the sandbox token; the token itself is never stored. */
    tokenHash: text('token_hash').notNull(),
    status: text('status').notNull().default('starting').$type<'starting' | 'running' | 'completed' | 'failed' | 'cancelled' | 'lost'>(),
    provider: text('provider').notNull(),
    startedAt: created(),
    endedAt: time('ended_at'),
    lastHeartbeatAt: time('last_heartbeat_at'),
    revokedAt: time('revoked_at'),
    heartbeatIntervalSeconds: integer('heartbeat_interval_seconds').notNull().default(30),
    pid: integer('pid'),
    logPath: text('log_path'),
    exitCode: integer('exit_code'),
    /** The user who registered an external sandbox (`provider: 'external'`); null for launched ones. */
    registeredBy: text('registered_by').references(() => users.id, { onDelete: 'set null' }),
    /** The run (`spec_runs`) this sandbox carries out; its events get the same `run_id`. */
    runId: text('run_id'),
    /** Who runs it (`server:<instance>`, `worker:<id>`): the lease holder (issue 11). Null for external sandboxes. */
    leaseOwner: text('lease_owner'),
    /** The lease: the run is failed only once this long has passed since its latest renewal. Null → missed × interval. */
    leaseSeconds: integer('lease_seconds'),
    /** The latest renewal the server granted (launch, checkout, recovery from an outage); batches renew through `last_heartbeat_at`. */
    leaseRenewedAt: time('lease_renewed_at'),
    /** 1 for a run's first sandbox; a queued run resumed by another worker gets 2, 3, … */
    attempt: integer('attempt').notNull().default(1),
  },
  (t) => [index('sandboxes_spec_idx').on(t.specId), index('sandboxes_status_idx').on(t.status), uniqueIndex('sandboxes_token_hash_uq').on(t.tokenHash)],
);

export const sandboxEvents = pgTable(
  'sandbox_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    specId: text('spec_id').notNull().references(() => specs.id, { onDelete: 'cascade' }),
    specSeq: bigint('spec_seq', { mode: 'number' }).notNull(),
    sandboxId: text('sandbox_id').notNull(),
    eventId: text('event_id').notNull(),
    seq: integer('seq'),
    eventType: text('event_type').notNull(),
    phase: text('phase'),
    data: jsonb('data').notNull().$type<Record<string, unknown>>(),
    source: text('source').notNull().default('agent'),
    emittedAt: time('emitted_at').notNull(),
    receivedAt: time('received_at').notNull().defaultNow(),
    /** The run of the sandbox that sent it (set at ingest); null for events stored before runs were recorded. */
    runId: text('run_id'),
  },
  (t) => [
    uniqueIndex('sandbox_events_spec_seq_uq').on(t.specId, t.specSeq),
    uniqueIndex('sandbox_events_event_id_uq').on(t.sandboxId, t.eventId),
    index('sandbox_events_spec_type_idx').on(t.specId, t.eventType, t.specSeq),
    index('sandbox_events_run_idx').on(t.runId, t.specSeq),
  ],
);

/**
 * Runs of a spec (issue 10): every launch, approval, rejection and re-run. A run is carried out by one
 * sandbox (`sandboxes.run_id`); its events carry its id. A review gate ends one with `awaiting_approval`.
 */
export const specRuns = pgTable(
  'spec_runs',
  {
    id: text('id').primaryKey(),
    specId: text('spec_id').notNull().references(() => specs.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull().$type<'launch' | 'resume' | 'rerun' | 'approval' | 'rejection'>(),
    status: text('status').notNull().default('running').$type<'running' | 'awaiting_approval' | 'completed' | 'failed' | 'cancelled'>(),
    approvalMode: text('approval_mode').notNull().default('auto').$type<'auto' | 'review'>(),
    /** The first phase it ran (the earlier ones came from the stored outputs); null for a launch. */
    fromPhase: text('from_phase'),
    phases: jsonb('phases').notNull().$type<string[]>().default(sql`'[]'::jsonb`),
    awaitingPhase: text('awaiting_phase'),
    /** A rejection's comment. */
    comment: text('comment'),
    error: text('error'),
    sandboxId: text('sandbox_id'),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    /** A queue run's launch options (model key sealed) for every worker attempt, and how many attempts claimed it (issue 11). */
    launchRequest: jsonb('launch_request').$type<Record<string, unknown>>(),
    attempts: integer('attempts').notNull().default(0),
    startedAt: time('started_at').notNull().defaultNow(),
    endedAt: time('ended_at'),
  },
  (t) => [index('spec_runs_spec_idx').on(t.specId, t.startedAt)],
);

/**
 * What a run would have changed in a row a person edited (runs never overwrite those): field by field,
 * before → after, for the person to accept or dismiss. A later run supersedes an open one of the same row.
 */
export const specProposals = pgTable(
  'spec_proposals',
  {
    id: text('id').primaryKey(),
    specId: text('spec_id').notNull().references(() => specs.id, { onDelete: 'cascade' }),
    runId: text('run_id'),
    kind: text('kind').notNull().$type<'requirement' | 'criterion' | 'task' | 'design'>(),
    action: text('action').notNull().$type<'add' | 'update' | 'remove'>(),
    localId: text('local_id'),
    parentLocalId: text('parent_local_id'),
    targetId: text('target_id'),
    title: text('title'),
    changes: jsonb('changes').notNull().$type<{ field: string; before: unknown; after: unknown }[]>().default(sql`'[]'::jsonb`),
    status: text('status').notNull().default('open').$type<'open' | 'accepted' | 'dismissed' | 'superseded'>(),
    createdAt: created(),
    resolvedAt: time('resolved_at'),
    resolvedBy: text('resolved_by').references(() => users.id, { onDelete: 'set null' }),
  },
  (t) => [index('spec_proposals_spec_idx').on(t.specId, t.status, t.createdAt)],
);

/** Idempotency-Key replay store for POSTs (tickets, launch). */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    route: text('route').notNull(),
    requestHash: text('request_hash').notNull(),
    statusCode: integer('status_code').notNull(),
    response: jsonb('response').notNull(),
    createdAt: created(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.route, t.key] })],
);

/**
 * Login sessions. An access token (JWT, minutes) names its session (`sid`); every request checks the
 * session is neither revoked (logout) nor expired. The refresh token (cookie) is stored as a SHA-256
 * hash and rotated on every refresh; the one it replaced is kept to tell a race of two tabs (within
 * the grace period) from a replay (later: the session is revoked).
 */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    refreshHash: text('refresh_hash').notNull(),
    previousRefreshHash: text('previous_refresh_hash'),
    rotatedAt: time('rotated_at'),
    createdAt: created(),
    expiresAt: time('expires_at').notNull(),
    revokedAt: time('revoked_at'),
  },
  (t) => [
    uniqueIndex('sessions_refresh_hash_uq').on(t.refreshHash),
    index('sessions_previous_refresh_idx').on(t.previousRefreshHash),
    index('sessions_user_idx').on(t.userId),
  ],
);
