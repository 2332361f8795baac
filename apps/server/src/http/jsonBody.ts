/**
 * The JSON body parser: Fastify's own (prototype-poisoning protection on), except that an EMPTY body
 * sent with `content-type: application/json` is no body at all rather than `400 invalid_json`. The
 * original client sends that content type on every request, with a body only when there is one
 * (approve-requirements, approve-design, every DELETE); see docs/api.md, Compatibility. A route that
 * needs a body still answers `422 validation_failed` naming `body`; whitespace or broken JSON is still
 * `400 invalid_json`.
 */
import type { FastifyInstance } from 'fastify';

export function installJsonBodyParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') {
      done(null, undefined);
      return;
    }
    void parseJson(request, text, done);
  });
}
