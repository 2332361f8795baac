/** Serving the built web UI: files, SPA fallback for client routes, JSON 404 kept for the API. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, createTestServer, type TestServer } from './harness';
import { tempDataDir } from './launcherFixtures';

function fakeDist(): string {
  const dir = tempDataDir();
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Specline</title><div id="root"></div>');
  writeFileSync(path.join(dir, 'assets', 'app-3f2a.js'), 'console.log("app")');
  return dir;
}

describe.each(BACKENDS)('web UI on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer(backend, { config: { webDist: fakeDist() } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('serves index.html at / and for client-side routes, revalidated', async () => {
    for (const url of ['/', '/projects/p1/specs/s1?tab=execution', '/login']) {
      const res = await server.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('<title>Specline</title>');
      expect(res.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves hashed assets as immutable', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/assets/app-3f2a.js' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('console.log("app")');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('keeps JSON errors for unknown API paths and other methods', async () => {
    const api = await server.app.inject({ method: 'GET', url: '/api/v1/nope?x=1' });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toEqual({ code: 'not_found', detail: 'no route GET /api/v1/nope' });
    const post = await server.app.inject({ method: 'POST', url: '/projects/p1' });
    expect(post.statusCode).toBe(404);
    expect(post.json()).toMatchObject({ code: 'not_found' });
    const health = await server.app.inject({ method: 'GET', url: '/api/v1/health' });
    expect(health.statusCode).toBe(200);
  });
});

describe('without a build', () => {
  it('is API-only: / is a JSON 404', async () => {
    const server = await createTestServer('pglite', { config: { webDist: tempDataDir() } });
    try {
      const res = await server.app.inject({ method: 'GET', url: '/' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ code: 'not_found' });
    } finally {
      await server.close();
    }
  });
});
