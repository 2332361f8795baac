/** Children of a spec a person edits: requirements + criteria (`specRequirements.ts`), design, tasks (`specTasks.ts`). */
import { Design, PutDesignBody } from '@specline/protocol';
import type { App, AppContext } from '../app';
import { currentUser } from '../http/auth';
import { putDesign } from '../services/specRequirements';
import { SpecParams, specTags as tags } from './specParams';
import { registerSpecRequirementRoutes } from './specRequirements';
import { registerSpecTaskRoutes } from './specTasks';

export function registerSpecChildRoutes(app: App, ctx: AppContext): void {
  registerSpecRequirementRoutes(app, ctx);
  registerSpecTaskRoutes(app, ctx);

  app.put(
    '/api/v1/specs/:id/design',
    {
      schema: { tags, summary: 'Replace the design (validated; stamps design edited_at)', params: SpecParams, body: PutDesignBody, response: { 200: Design } },
      onRequest: ctx.requireUser,
    },
    (request) => putDesign(ctx.db, request.params.id, currentUser(request).id, request.body),
  );
}
