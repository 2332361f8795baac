/** Read-only views of a spec's progress: phase data, task execution status, criteria status. */
import type { CriteriaStatusResponse, ExecutionStatusResponse, PhaseDataResponse } from '@specline/protocol';
import { asc, eq } from 'drizzle-orm';
import type { Queryable } from '../store/db';
import { specAcceptanceCriteria, specRequirements, specTasks } from '../store/schema';
import { requireSpecAccess } from './access';
import { asPhase } from './dto';
import { phaseStatusDto } from './specView';

export async function phaseData(db: Queryable, specId: string, userId: string): Promise<PhaseDataResponse> {
  const spec = await requireSpecAccess(db, specId, userId);
  return {
    spec_id: spec.id,
    current_phase: asPhase(spec.currentPhase),
    phase_data: spec.phaseData,
    phase_status: phaseStatusDto(spec.phaseStatus),
    last_error: spec.lastError,
  };
}

/** Task counts by status; `progress` is the completed share, 0–100 (0 with no tasks). */
export async function executionStatus(db: Queryable, specId: string, userId: string): Promise<ExecutionStatusResponse> {
  await requireSpecAccess(db, specId, userId);
  const rows = await db.select({ status: specTasks.status }).from(specTasks).where(eq(specTasks.specId, specId));
  const statusCounts: Record<string, number> = {};
  for (const r of rows) statusCounts[r.status] = (statusCounts[r.status] ?? 0) + 1;
  const completed = statusCounts['completed'] ?? 0;
  const total = rows.length;
  return {
    spec_id: specId,
    total_tasks: total,
    status_counts: statusCounts,
    progress: total === 0 ? 0 : Math.round((completed / total) * 1000) / 10,
    is_complete: total > 0 && completed === total,
  };
}

/** Criteria completion: 0 criteria → 0% and `all_complete: false` (nothing was verified). */
export async function criteriaStatus(db: Queryable, specId: string, userId: string): Promise<CriteriaStatusResponse> {
  await requireSpecAccess(db, specId, userId);
  const rows = await db
    .select({ req: specRequirements, crit: specAcceptanceCriteria })
    .from(specRequirements)
    .leftJoin(specAcceptanceCriteria, eq(specAcceptanceCriteria.requirementId, specRequirements.id))
    .where(eq(specRequirements.specId, specId))
    .orderBy(asc(specRequirements.position), asc(specRequirements.createdAt), asc(specAcceptanceCriteria.position), asc(specAcceptanceCriteria.createdAt));
  const byRequirement: CriteriaStatusResponse['by_requirement'] = {};
  let total = 0;
  let completed = 0;
  for (const { req, crit } of rows) {
    const entry = (byRequirement[req.id] ??= { requirement_title: req.title, total: 0, completed: 0, criteria: [] });
    if (!crit) continue;
    entry.total += 1;
    total += 1;
    if (crit.completed) {
      entry.completed += 1;
      completed += 1;
    }
    entry.criteria.push({ id: crit.id, local_id: crit.localId, text: crit.text, completed: crit.completed });
  }
  return {
    spec_id: specId,
    total_criteria: total,
    completed_criteria: completed,
    completion_percentage: total === 0 ? 0 : Math.round((completed / total) * 1000) / 10,
    all_complete: total > 0 && completed === total,
    by_requirement: byRequirement,
  };
}
