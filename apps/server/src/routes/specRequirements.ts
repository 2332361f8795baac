/** `/specs/{id}/requirements` and their acceptance criteria. */
import { CreateCriterionBody, CreateRequirementBody, Criterion, Requirement, UpdateCriterionBody, UpdateRequirementBody } from '@specline/protocol';
import type { App, AppContext } from '../app';
import { currentUser } from '../http/auth';
import { createCriterion, createRequirement, deleteCriterion, deleteRequirement, updateCriterion, updateRequirement } from '../services/specRequirements';
import { SpecParams, specTags as tags } from './specParams';
import { IdParam } from '../http/input';

const RequirementParams = SpecParams.extend({ req_id: IdParam });
const CriterionParams = RequirementParams.extend({ criterion_id: IdParam });

export function registerSpecRequirementRoutes(app: App, ctx: AppContext): void {
  const onRequest = ctx.requireUser;

  app.post(
    '/api/v1/specs/:id/requirements',
    { schema: { tags, summary: 'Add a requirement (with optional criteria)', params: SpecParams, body: CreateRequirementBody, response: { 201: Requirement } }, onRequest },
    async (request, reply) => reply.status(201).send(await createRequirement(ctx.db, request.params.id, currentUser(request).id, request.body)),
  );

  app.patch(
    '/api/v1/specs/:id/requirements/:req_id',
    { schema: { tags, summary: 'Edit a requirement', params: RequirementParams, body: UpdateRequirementBody, response: { 200: Requirement } }, onRequest },
    (request) => updateRequirement(ctx.db, request.params.id, currentUser(request).id, request.params.req_id, request.body),
  );

  app.delete(
    '/api/v1/specs/:id/requirements/:req_id',
    { schema: { tags, summary: 'Delete a requirement and its criteria', params: RequirementParams }, onRequest },
    async (request, reply) => {
      await deleteRequirement(ctx.db, request.params.id, currentUser(request).id, request.params.req_id);
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/v1/specs/:id/requirements/:req_id/criteria',
    { schema: { tags, summary: 'Add an acceptance criterion', params: RequirementParams, body: CreateCriterionBody, response: { 201: Criterion } }, onRequest },
    async (request, reply) =>
      reply.status(201).send(await createCriterion(ctx.db, request.params.id, currentUser(request).id, request.params.req_id, request.body.text)),
  );

  app.patch(
    '/api/v1/specs/:id/requirements/:req_id/criteria/:criterion_id',
    { schema: { tags, summary: 'Edit or complete an acceptance criterion', params: CriterionParams, body: UpdateCriterionBody, response: { 200: Criterion } }, onRequest },
    (request) => updateCriterion(ctx.db, request.params.id, currentUser(request).id, request.params.req_id, request.params.criterion_id, request.body),
  );

  app.delete(
    '/api/v1/specs/:id/requirements/:req_id/criteria/:criterion_id',
    { schema: { tags, summary: 'Delete an acceptance criterion', params: CriterionParams }, onRequest },
    async (request, reply) => {
      await deleteCriterion(ctx.db, request.params.id, currentUser(request).id, request.params.req_id, request.params.criterion_id);
      return reply.status(204).send();
    },
  );
}
