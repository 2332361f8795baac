/** `/specs/{id}/tasks`: list in order, add, edit (dependencies validated), delete. */
import { CreateSpecTaskBody, SpecTask, UpdateSpecTaskBody } from '@specline/protocol';
import { z } from 'zod';
import type { App, AppContext } from '../app';
import { currentUser } from '../http/auth';
import { createSpecTask, deleteSpecTask, listSpecTasks, updateSpecTask } from '../services/specTasks';
import { SpecParams, specTags as tags } from './specParams';
import { IdParam } from '../http/input';

const TaskParams = SpecParams.extend({ task_id: IdParam });

export function registerSpecTaskRoutes(app: App, ctx: AppContext): void {
  const onRequest = ctx.requireUser;

  app.get(
    '/api/v1/specs/:id/tasks',
    { schema: { tags, summary: 'Tasks of a spec, by position', params: SpecParams, response: { 200: z.array(SpecTask) } }, onRequest },
    (request) => listSpecTasks(ctx.db, request.params.id, currentUser(request).id),
  );

  app.post(
    '/api/v1/specs/:id/tasks',
    {
      schema: { tags, summary: 'Add a task (dependencies: ids of tasks of this spec)', params: SpecParams, body: CreateSpecTaskBody, response: { 201: SpecTask } },
      onRequest,
    },
    async (request, reply) => reply.status(201).send(await createSpecTask(ctx.db, request.params.id, currentUser(request).id, request.body)),
  );

  app.patch(
    '/api/v1/specs/:id/tasks/:task_id',
    {
      schema: { tags, summary: 'Edit a task (422 for unknown, self or cyclic dependencies)', params: TaskParams, body: UpdateSpecTaskBody, response: { 200: SpecTask } },
      onRequest,
    },
    (request) => updateSpecTask(ctx.db, request.params.id, currentUser(request).id, request.params.task_id, request.body),
  );

  app.delete(
    '/api/v1/specs/:id/tasks/:task_id',
    { schema: { tags, summary: 'Delete a task (removed from the others’ dependencies)', params: TaskParams }, onRequest },
    async (request, reply) => {
      await deleteSpecTask(ctx.db, request.params.id, currentUser(request).id, request.params.task_id);
      return reply.status(204).send();
    },
  );
}
