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
      schema: { tags, summary: 'Replace the design (validated; stamps design edited_at); api_spec entries take path or endpoint', params: SpecParams, body: PutDesignBody, response: { 200: Design } },
      onRequest: ctx.requireUser,
    },
    (request) => {
      // The original client's shape: `endpoint` for `path`, null texts (docs/api.md, Compatibility).
      const body = request.body;
      return putDesign(ctx.db, request.params.id, currentUser(request).id, {
        ...body,
        architecture: body.architecture ?? '',
        data_model: body.data_model ?? '',
        api_spec: body.api_spec.map((e) => ({ method: e.method, path: e.path ?? e.endpoint ?? '', description: e.description ?? '' })),
      });
    },
  );
}
