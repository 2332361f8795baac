import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, createTestServer, type TestServer } from './harness';

describe.each(BACKENDS)('server on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer(backend);
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers health with the database and bus it runs on', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'ok',
      database: true,
      bus: true,
      driver: backend === 'pglite' ? 'pglite' : 'postgres',
      bus_kind: backend === 'pglite' ? 'memory' : 'redis',
    });
  });

  it('serves the OpenAPI document', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ openapi: string }>().openapi).toMatch(/^3\./);
  });

  it('answers unknown routes with the error shape', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/v1/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ code: 'not_found', detail: 'no route GET /api/v1/nope' });
  });
});
