/** `/specs`: list by project, create, launch, read, edit, archive, approvals, versions. Run routes: `specRuns.ts`. */
import {
  CreateSpecBody,
  LaunchSpecBody,
  LaunchSpecResponse,
  MessageResponse,
  PageQuery,
  Spec,
  SpecList,
  SpecStatus,
  ReviewResponse,
  SpecVersionList,
  UpdateSpecBody,
} from '@specline/protocol';
import { z } from 'zod';
import type { App, AppContext } from '../app';
import { currentUser } from '../http/auth';
import { approvePhase } from '../services/review';
import { archiveSpec, createSpec, getSpec, listSpecs, listVersions, updateSpec } from '../services/specs';
import { launchSpec } from '../services/specRuns';
import { IdempotencyHeaders, SpecParams, specTags } from './specParams';
import { registerSpecRunRoutes } from './specRuns';
import { IdParam } from '../http/input';

const ProjectParams = z.object({ project_id: IdParam });
const SpecListQuery = PageQuery.extend({
  status: SpecStatus.optional(),
  include_archived: z.stringbool().default(false),
  /** `true`: only archived specs (the list's Archived filter); `false`: only specs not archived. Overrides `include_archived`. */
  archived: z.stringbool().optional(),
});

export function registerSpecRoutes(app: App, ctx: AppContext): void {
  const onRequest = ctx.requireUser;
  const tags = specTags;

  app.get(
    '/api/v1/specs/project/:project_id',
    {
      schema: { tags, summary: 'Specs of a project (archived ones only with include_archived=true)', params: ProjectParams, querystring: SpecListQuery, response: { 200: SpecList } },
      onRequest,
    },
    (request) => listSpecs(ctx.db, currentUser(request).id, request.params.project_id, request.query),
  );

  app.post(
    '/api/v1/specs',
    { schema: { tags, summary: 'Create a draft spec', body: CreateSpecBody, response: { 201: Spec } }, onRequest },
    async (request, reply) => reply.status(201).send(await createSpec(ctx.db, currentUser(request).id, request.body)),
  );

  app.post(
    '/api/v1/specs/launch',
    {
      schema: {
        tags,
        summary: 'Create a spec and (auto_execute) start its run',
        description: 'Idempotent under `Idempotency-Key`. A failed sandbox launch still answers 201: the spec exists with status `failed`.',
        headers: IdempotencyHeaders,
        body: LaunchSpecBody,
        response: { 201: LaunchSpecResponse },
      },
      onRequest,
    },
    async (request, reply) => {
      const answer = await launchSpec(ctx, currentUser(request).id, request.body, request.headers['idempotency-key']);
      if (answer.replayed) void reply.header('idempotent-replayed', 'true');
      return reply.status(201).send(answer.body);
    },
  );

  app.get(
    '/api/v1/specs/:id',
    { schema: { tags, summary: 'A spec with requirements, criteria, design and tasks', params: SpecParams, response: { 200: Spec } }, onRequest },
    (request) => getSpec(ctx.db, request.params.id, currentUser(request).id),
  );

  app.patch(
    '/api/v1/specs/:id',
    { schema: { tags, summary: 'Edit title and description', params: SpecParams, body: UpdateSpecBody, response: { 200: Spec } }, onRequest },
    (request) => updateSpec(ctx.db, request.params.id, currentUser(request).id, request.body),
  );

  app.delete(
    '/api/v1/specs/:id',
    { schema: { tags, summary: 'Archive a spec', params: SpecParams, response: { 200: MessageResponse } }, onRequest },
    (request) => archiveSpec(ctx.db, request.params.id, currentUser(request).id),
  );

  app.post(
    '/api/v1/specs/:id/approve-requirements',
    {
      schema: {
        tags,
        summary: 'Approve the requirements (409 when there are none or a run is executing); answers the spec, a message and the run it started',
        description:
          'At a review gate (`status: awaiting_approval` in `review` mode) this starts the design (then tasks and SYNC, the gate still on) in a new sandbox from the requirements as they are now, edits included; `run_id` names that run. Otherwise it only records the approval (`run_id: null`).',
        params: SpecParams,
        response: { 200: ReviewResponse },
      },
      onRequest,
    },
    (request) => approvePhase(ctx, request.params.id, currentUser(request).id, 'requirements'),
  );

  app.post(
    '/api/v1/specs/:id/approve-design',
    {
      schema: {
        tags,
        summary: 'Approve the design (409 unless requirements are approved and a design exists, or while a run is executing); answers the spec, a message and the run it started',
        description:
          'At a review gate waiting for the design this starts TASKS and SYNC (the tickets) in a new sandbox from the design as it is now; `run_id` names that run. Otherwise it only records the approval (`run_id: null`).',
        params: SpecParams,
        response: { 200: ReviewResponse },
      },
      onRequest,
    },
    (request) => approvePhase(ctx, request.params.id, currentUser(request).id, 'design'),
  );

  app.get(
    '/api/v1/specs/:id/versions',
    { schema: { tags, summary: 'Change history, newest first', params: SpecParams, querystring: PageQuery, response: { 200: SpecVersionList } }, onRequest },
    (request) => listVersions(ctx.db, request.params.id, currentUser(request).id, request.query),
  );

  registerSpecRunRoutes(app, ctx);
}
