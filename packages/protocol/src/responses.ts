import { z } from 'zod';
import { Phase, SpecStatus } from './phases';
import { PhaseStatus, Project, ProjectMember, Ticket, TicketTask } from './api';

/**
 * Answers of the routes in docs/api.md that `api.ts` names only inline (`{projects, total, has_more}`, …).
 * Added so the client parses every answer with a schema and the server can declare the same shapes.
 */

export const ProjectList = z.object({ projects: z.array(Project), total: z.number().int(), has_more: z.boolean() });
export type ProjectList = z.infer<typeof ProjectList>;

export const MemberList = z.object({ members: z.array(ProjectMember) });
export type MemberList = z.infer<typeof MemberList>;

export const TicketTaskList = z.object({ tasks: z.array(TicketTask) });
export type TicketTaskList = z.infer<typeof TicketTaskList>;

/** `DELETE /specs/{id}` (archive) and other routes that answer with a sentence. */
export const MessageResponse = z.object({ message: z.string() });
export type MessageResponse = z.infer<typeof MessageResponse>;

export const LaunchSpecBody = z.object({
  title: z.string().trim().min(1).max(500),
  description: z.string().max(20_000).default(''),
  project_id: z.string().min(1),
  auto_execute: z.boolean().default(true),
});
export type LaunchSpecBody = z.input<typeof LaunchSpecBody>;
export const LaunchSpecResponse = z.object({
  spec_id: z.string().min(1),
  status: SpecStatus,
  current_phase: Phase.nullable(),
  sandbox_id: z.string().nullable(),
  message: z.string(),
});
export type LaunchSpecResponse = z.infer<typeof LaunchSpecResponse>;

export const PhaseDataResponse = z.object({
  spec_id: z.string().min(1),
  current_phase: Phase.nullable(),
  phase_data: z.record(z.string(), z.unknown()),
  phase_status: z.partialRecord(Phase, PhaseStatus),
  last_error: z.string().nullable(),
});
export type PhaseDataResponse = z.infer<typeof PhaseDataResponse>;

export const ExecutionStatusResponse = z.object({
  spec_id: z.string().min(1),
  total_tasks: z.number().int().nonnegative(),
  status_counts: z.record(z.string(), z.number().int().nonnegative()),
  /** 0–100. */
  progress: z.number().min(0).max(100),
  is_complete: z.boolean(),
});
export type ExecutionStatusResponse = z.infer<typeof ExecutionStatusResponse>;

export const CriteriaStatusResponse = z.object({
  spec_id: z.string().min(1),
  total_criteria: z.number().int().nonnegative(),
  completed_criteria: z.number().int().nonnegative(),
  /** 0–100; 0 (not 100) when there are no criteria. */
  completion_percentage: z.number().min(0).max(100),
  all_complete: z.boolean(),
  by_requirement: z.record(
    z.string(),
    z.object({
      requirement_title: z.string(),
      total: z.number().int().nonnegative(),
      completed: z.number().int().nonnegative(),
      criteria: z.array(z.object({ id: z.string(), text: z.string(), completed: z.boolean() }).loose()),
    }),
  ),
});
export type CriteriaStatusResponse = z.infer<typeof CriteriaStatusResponse>;

export const LinkedTicketsResponse = z.object({ spec_id: z.string().min(1), tickets: z.array(Ticket), total: z.number().int().nonnegative() });
export type LinkedTicketsResponse = z.infer<typeof LinkedTicketsResponse>;

export const HealthResponse = z.looseObject({ status: z.literal('ok') });
export type HealthResponse = z.infer<typeof HealthResponse>;
