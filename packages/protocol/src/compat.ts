import { z } from 'zod';
import { Spec } from './api';

/**
 * DTOs of the routes added for the original system's producers and client (GitHub issue 13):
 * external sandboxes, ticket links, execute-tasks, ticket transitions, branches and pull requests.
 * Field names follow the original API where its client reads them (`reference/original-anchor-*.md`).
 */

const id = z.string().min(1);
const idText = z.string().min(1).max(200);
/** A body that may be left out: no body (or `null`) is `{}`. */
const optionalBody = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === null || value === undefined ? {} : value), schema);

// ── external sandboxes ───────────────────────────────────────────────────────
/** `POST /specs/{id}/sandboxes`: nothing is required; `heartbeat_interval_seconds` is what the sandbox promises. */
export const RegisterSandboxBody = optionalBody(z.object({ heartbeat_interval_seconds: z.number().int().min(1).max(3600).optional() }));
export type RegisterSandboxBody = z.input<typeof RegisterSandboxBody>;

export const RegisterSandboxResponse = z.object({
  sandbox_id: id,
  spec_id: id,
  /** Shown once: the server keeps only its SHA-256. Send it as `Authorization: Bearer <token>`. */
  token: z.string(),
  /** Base URL the sandbox posts to: `POST {callback_url}/api/v1/sandboxes/{sandbox_id}/events`. */
  callback_url: z.string(),
  /** Where its events go, spelled out. */
  events_url: z.string(),
  heartbeat_interval_seconds: z.number().int(),
  /** The reaper fails the run after this many seconds without a batch (missed × interval). */
  heartbeat_timeout_seconds: z.number().int(),
  message: z.string(),
});
export type RegisterSandboxResponse = z.infer<typeof RegisterSandboxResponse>;

// ── spec ↔ tickets ───────────────────────────────────────────────────────────
export const TicketIdsBody = z.object({ ticket_ids: z.array(idText).min(1).max(500) });
export type TicketIdsBody = z.infer<typeof TicketIdsBody>;
export const LinkTicketsResponse = z.object({
  spec_id: id,
  linked_count: z.number().int().nonnegative(),
  already_linked_count: z.number().int().nonnegative(),
  ticket_ids: z.array(id),
});
export type LinkTicketsResponse = z.infer<typeof LinkTicketsResponse>;
export const UnlinkTicketsResponse = z.object({ spec_id: id, unlinked_count: z.number().int().nonnegative(), ticket_ids: z.array(id) });
export type UnlinkTicketsResponse = z.infer<typeof UnlinkTicketsResponse>;

/** `POST /specs/{id}/execute-tasks`: the spec tasks to make tickets of (server ids; default all). */
export const ExecuteTasksBody = optionalBody(z.object({ task_ids: z.array(idText).max(2000).optional() }));
export type ExecuteTasksBody = z.input<typeof ExecuteTasksBody>;
export const ExecuteTasksResponse = z.object({
  spec_id: id,
  success: z.boolean(),
  message: z.string(),
  tasks_created: z.number().int().nonnegative(),
  tasks_skipped: z.number().int().nonnegative(),
  tickets_created: z.number().int().nonnegative(),
  /** The ticket when the tasks went to exactly one, else null (see `ticket_ids`). */
  ticket_id: z.string().nullable(),
  ticket_ids: z.array(id),
  errors: z.array(z.string()),
});
export type ExecuteTasksResponse = z.infer<typeof ExecuteTasksResponse>;

/** Approve answers: the spec, plus the sentence the original client reads. */
export const SpecWithMessage = Spec.extend({ message: z.string() });
export type SpecWithMessage = z.infer<typeof SpecWithMessage>;

// ── ticket workflow ──────────────────────────────────────────────────────────
/**
 * A status of `POST /tickets/{id}/transition`: Specline's own, or one of the original's Kanban names,
 * which are aliases (`analyzing` → `todo`; `building`, `building-done`, `testing` → `in_progress`).
 */
export const TICKET_STATUS_ALIASES = {
  analyzing: 'todo',
  building: 'in_progress',
  'building-done': 'in_progress',
  testing: 'in_progress',
} as const;
export const TicketTransitionStatus = z.enum(['backlog', 'todo', 'in_progress', 'done', 'cancelled', 'analyzing', 'building', 'building-done', 'testing']);
export const TicketTransitionBody = z.object({
  to_status: z.preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase().replace(/_done$/, '-done') : v), TicketTransitionStatus),
  reason: z.string().max(2_000).nullable().optional(),
  /** Skip the transition rules (never the blocked check): project owners only. */
  force: z.boolean().default(false),
});
export type TicketTransitionBody = z.input<typeof TicketTransitionBody>;

export const BlockTicketQuery = z.object({
  blocker_type: z.string().trim().min(1).max(100),
  suggested_remediation: z.string().max(2_000).optional(),
});
export const ApproveTicketBody = z.object({ ticket_id: idText });
export const RejectTicketBody = z.object({ ticket_id: idText, rejection_reason: z.string().trim().min(1).max(2_000) });
export const TicketApprovalResponse = z.object({ ticket_id: id, status: z.string() });
export type TicketApprovalResponse = z.infer<typeof TicketApprovalResponse>;
export const PendingReviewCount = z.object({ pending_count: z.number().int().nonnegative() });
export type PendingReviewCount = z.infer<typeof PendingReviewCount>;
export const TicketContextResponse = z.object({
  ticket_id: id,
  /** What Specline knows about the ticket's context: its spec, workflow, phase, block and review. */
  full_context: z.record(z.string(), z.unknown()),
  /** No summaries are written: always null. */
  summary: z.string().nullable(),
});
export type TicketContextResponse = z.infer<typeof TicketContextResponse>;

// ── branches and pull requests ───────────────────────────────────────────────
export const CreateBranchResponse = z.object({
  spec_id: id,
  success: z.literal(true),
  branch_name: z.string(),
  /** The commit the branch points at (the explored `repo_commit`). */
  commit: z.string(),
  /** The remote the branch was pushed to, without credentials. */
  remote: z.string(),
  /** `refs/heads/<branch_name>` on the remote. */
  pushed_ref: z.string(),
  already_exists: z.boolean(),
});
export type CreateBranchResponse = z.infer<typeof CreateBranchResponse>;
export const CreatePrBody = optionalBody(z.object({ force: z.boolean().default(false) }));
export const CreatePrResponse = z.object({
  spec_id: id,
  success: z.literal(true),
  pr_number: z.number().int().nullable(),
  pr_url: z.string().nullable(),
  branch_name: z.string(),
  already_exists: z.boolean(),
});
export type CreatePrResponse = z.infer<typeof CreatePrResponse>;
