/** Spec runs and read-only status views: execute, cancel, phase-data, execution/criteria status, export, linked tickets. */
import {
  CriteriaStatusResponse,
  ExecuteSpecBody,
  ExecuteSpecResponse,
  ExecutionStatusResponse,
  LinkedTicketsResponse,
  PhaseDataResponse,
  Spec,
} from '@specline/protocol';
import { z } from 'zod';
import type { App, AppContext } from '../app';
import { currentUser } from '../http/auth';
import { requireSpecAccess } from '../services/access';
import { exportSpec } from '../services/specExport';
import { cancelSpec, executeSpec } from '../services/specRuns';
import { requireNotArchived } from '../services/specs';
import { criteriaStatus, executionStatus, phaseData } from '../services/specStatus';
import { ticketsOfSpec } from '../services/tickets';
import { SpecParams, specTags as tags } from './specParams';

const ExportQuery = z.object({ format: z.enum(['json', 'markdown']).default('json') });

export function registerSpecRunRoutes(app: App, ctx: AppContext): void {
  const onRequest = ctx.requireUser;

  app.post(
    '/api/v1/specs/:id/execute',
    {
      schema: {
        tags,
        summary: 'Start a run (answers already_running while one is live; 409 conflict for an archived spec)',
        description:
          '`approval_mode` (`auto` | `review`) overrides the project\'s for this run and the runs that continue it (approvals, rejections, re-runs). `model_settings` overrides the project\'s model settings for this run only (nothing is stored; an `api_key` reaches only the sandbox\'s environment). A repository that cannot be cloned or fetched fails the run: 502 `sandbox_launch_failed`, the spec `failed` with `last_error` naming the URL without credentials.',
        params: SpecParams,
        body: ExecuteSpecBody.nullable(),
        response: { 200: ExecuteSpecResponse },
      },
      onRequest,
    },
    async (request) => {
      const userId = currentUser(request).id;
      requireNotArchived(await requireSpecAccess(ctx.db, request.params.id, userId));
      return executeSpec(ctx, request.params.id, userId, { prd: request.body?.prd ?? false, modelSettings: request.body?.model_settings, approvalMode: request.body?.approval_mode });
    },
  );

  app.post(
    '/api/v1/specs/:id/cancel',
    { schema: { tags, summary: 'Cancel the live run (409 not_running when none)', params: SpecParams, response: { 200: Spec } }, onRequest },
    (request) => cancelSpec(ctx, request.params.id, currentUser(request).id),
  );

  app.get(
    '/api/v1/specs/:id/phase-data',
    { schema: { tags, summary: 'Phase outputs and per-phase state', params: SpecParams, response: { 200: PhaseDataResponse } }, onRequest },
    (request) => phaseData(ctx.db, request.params.id, currentUser(request).id),
  );

  app.get(
    '/api/v1/specs/:id/execution-status',
    { schema: { tags, summary: 'Task counts by status and progress (0–100)', params: SpecParams, response: { 200: ExecutionStatusResponse } }, onRequest },
    (request) => executionStatus(ctx.db, request.params.id, currentUser(request).id),
  );

  app.get(
    '/api/v1/specs/:id/criteria-status',
    { schema: { tags, summary: 'Acceptance-criteria completion per requirement', params: SpecParams, response: { 200: CriteriaStatusResponse } }, onRequest },
    (request) => criteriaStatus(ctx.db, request.params.id, currentUser(request).id),
  );

  app.get(
    '/api/v1/specs/:id/export',
    {
      schema: {
        tags,
        summary: 'Export as JSON or a Markdown attachment',
        params: SpecParams,
        querystring: ExportQuery,
        produces: ['application/json', 'text/markdown'],
      },
      onRequest,
    },
    async (request, reply) => {
      const doc = await exportSpec(ctx.db, request.params.id, currentUser(request).id, request.query.format);
      return reply.type(doc.contentType).header('content-disposition', `attachment; filename="${doc.filename}"`).send(doc.body);
    },
  );

  app.get(
    '/api/v1/specs/:id/linked-tickets',
    { schema: { tags, summary: 'Tickets whose spec_id is this spec', params: SpecParams, response: { 200: LinkedTicketsResponse } }, onRequest },
    async (request) => {
      const spec = await requireSpecAccess(ctx.db, request.params.id, currentUser(request).id);
      const tickets = await ticketsOfSpec(ctx.db, spec.id);
      return { spec_id: spec.id, tickets, total: tickets.length };
    },
  );
}
