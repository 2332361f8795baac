/**
 * Issue 10 routes: rejections and re-runs, the runs of a spec and their diffs, and proposals.
 * (`approve-requirements` / `approve-design` stay in `specs.ts`; they start the next phases at a review gate.)
 */
import { PageQuery, ProposalsQuery, RejectBody, RerunBody, ReviewResponse, RunDiff, SpecProposal, SpecProposalList, SpecRunList } from '@specline/protocol';
import { z } from 'zod';
import type { App, AppContext } from '../app';
import { currentUser } from '../http/auth';
import { IdParam } from '../http/input';
import { requireSpecAccess } from '../services/access';
import { parseEars } from '../services/phaseRows';
import { acceptProposal, dismissProposal, listProposals } from '../services/proposals';
import { rejectPhase, rerunFrom } from '../services/review';
import { listRuns, runDiff } from '../services/runRecords';
import { SpecParams, specTags as tags } from './specParams';

const RunParams = z.object({ id: IdParam, run_id: IdParam });
const ProposalParams = z.object({ id: IdParam, proposal_id: IdParam });

export function registerSpecReviewRoutes(app: App, ctx: AppContext): void {
  const onRequest = ctx.requireUser;

  for (const phase of ['requirements', 'design'] as const) {
    app.post(
      `/api/v1/specs/:id/reject-${phase}`,
      {
        schema: {
          tags,
          summary: `Reject the ${phase}: re-run it (and what follows) with the comment as the evaluator's feedback`,
          description:
            `The new run's first ${phase} attempt gets \`comment\` as evaluator feedback and the stored output as the previous one (a \`spec.progress\` event carries \`review_comment\`). ` +
            `Withdraws the ${phase === 'requirements' ? 'requirements and design approvals' : 'design approval'}. 409 \`already_running\` while a run is live; 409 \`precondition_failed\` when there is no ${phase} to reject; 502 \`sandbox_launch_failed\` when the sandbox could not start.`,
          params: SpecParams,
          body: RejectBody,
          response: { 200: ReviewResponse },
        },
        onRequest,
      },
      (request) => rejectPhase(ctx, request.params.id, currentUser(request).id, phase, request.body.comment),
    );
  }

  app.post(
    '/api/v1/specs/:id/rerun',
    {
      schema: {
        tags,
        summary: 'Re-run from a phase: regenerate it and what follows from the stored outputs before it (as a person left them)',
        description:
          'A new run (kind `rerun`, or `resume` from the phase a failed or cancelled run stopped in). `approval_mode` overrides the spec\'s for this run and those that continue it. ' +
          '409 `already_running` while a run is live; 409 `precondition_failed` when an earlier phase has no stored output; 502 `sandbox_launch_failed`.',
        params: SpecParams,
        body: RerunBody,
        response: { 200: ReviewResponse },
      },
      onRequest,
    },
    (request) => rerunFrom(ctx, request.params.id, currentUser(request).id, request.body.from_phase, request.body.approval_mode),
  );

  app.get(
    '/api/v1/specs/:id/runs',
    {
      schema: { tags, summary: 'Runs of the spec, newest first, with per-phase attempts, score and duration', params: SpecParams, querystring: PageQuery, response: { 200: SpecRunList } },
      onRequest,
    },
    async (request) => {
      const spec = await requireSpecAccess(ctx.db, request.params.id, currentUser(request).id);
      return listRuns(ctx.db, spec.id, request.query);
    },
  );

  app.get(
    '/api/v1/specs/:id/runs/:run_id/diff',
    {
      schema: {
        tags,
        summary: 'What a run changed in each phase output it produced, compared with the latest earlier output of that phase',
        description: 'Items by stable id (requirements, criteria, components, data models, endpoints, tickets, tasks) as added / modified (field by field, before → after) / removed; other values as `field`. 404 for a run of another spec.',
        params: RunParams,
        response: { 200: RunDiff },
      },
      onRequest,
    },
    async (request) => {
      const spec = await requireSpecAccess(ctx.db, request.params.id, currentUser(request).id);
      return runDiff(ctx.db, spec.id, request.params.run_id);
    },
  );

  app.get(
    '/api/v1/specs/:id/proposals',
    {
      schema: {
        tags,
        summary: 'Changes runs proposed to rows a person edited (open first)',
        params: SpecParams,
        querystring: ProposalsQuery,
        response: { 200: SpecProposalList },
      },
      onRequest,
    },
    async (request) => {
      const spec = await requireSpecAccess(ctx.db, request.params.id, currentUser(request).id);
      return listProposals(ctx.db, spec.id, request.query);
    },
  );

  app.post(
    '/api/v1/specs/:id/proposals/:proposal_id/accept',
    {
      schema: {
        tags,
        summary: 'Apply a proposed change to its row (withdraws the approvals that covered the old content)',
        description: '409 `conflict` when the proposal is not open or its row no longer exists; 409 for an archived spec.',
        params: ProposalParams,
        response: { 200: SpecProposal },
      },
      onRequest,
    },
    (request) => acceptProposal(ctx.db, request.params.id, currentUser(request).id, request.params.proposal_id, parseEars),
  );

  app.post(
    '/api/v1/specs/:id/proposals/:proposal_id/dismiss',
    {
      schema: { tags, summary: 'Dismiss a proposed change: the row stays as the person left it', description: '409 `conflict` when the proposal is not open.', params: ProposalParams, response: { 200: SpecProposal } },
      onRequest,
    },
    (request) => dismissProposal(ctx.db, request.params.id, currentUser(request).id, request.params.proposal_id),
  );
}
