/** `GET /search` (issue 15): one box across specs, requirements and tickets of the caller's projects. */
import { SearchQuery, SearchResults } from '@specline/protocol';
import type { App, AppContext } from '../app';
import { currentUser } from '../http/auth';
import { search } from '../services/search';

export function registerSearchRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/v1/search',
    {
      schema: {
        tags: ['search'],
        summary: 'Find specs, requirements and tickets by text in the projects I belong to',
        description:
          'Every word of `q` (1–200 characters after trimming) must appear, in any case, in a title or text. At most `limit` (1–50, default 10) hits per kind; title matches first, then the most recently updated. A bad `q` or `limit` is 422 `validation_failed` naming `querystring.q` / `querystring.limit`.',
        querystring: SearchQuery,
        response: { 200: SearchResults },
      },
      onRequest: ctx.requireUser,
    },
    (request) => search(ctx.db, currentUser(request).id, request.query),
  );
}
