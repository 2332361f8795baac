/** Serving the built web UI: files, SPA fallback for client routes, JSON 404 kept for the API. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, createTestServer, type TestServer } from './harness';
import { tempDataDir } from './launcherFixtures';

/** A build in `<tmp>/dist`, with a file beside it (`<tmp>/secret.txt`) that must never be served. */
function fakeDist(): string {
  const dir = path.join(tempDataDir(), 'dist');
  mkdirSync(path.join(dir, 'assets'), { recursive: true });
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>Specline</title><div id="root"></div>');
  writeFileSync(path.join(dir, 'assets', 'app-3f2a.js'), 'console.log("app")');
  writeFileSync(path.join(dir, '..', 'secret.txt'), 'top secret');
  return dir;
}

describe.each(BACKENDS)('web UI on %s', (backend) => {
  let server: TestServer;
  let dist: string;
  beforeAll(async () => {
    dist = fakeDist();
    server = await createTestServer(backend, { config: { webDist: dist } });
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

  it('serves what is on disk now: a rebuild while running is served, a replaced index.html too', async () => {
    const before = await server.app.inject({ method: 'GET', url: '/assets/app-9c1d.js' });
    expect(before.statusCode).toBe(404);
    writeFileSync(path.join(dist, 'assets', 'app-9c1d.js'), 'console.log("rebuilt")');
    writeFileSync(path.join(dist, 'robots.txt'), 'User-agent: *');
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Specline v2</title>');
    const asset = await server.app.inject({ method: 'GET', url: '/assets/app-9c1d.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe('console.log("rebuilt")');
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const robots = await server.app.inject({ method: 'GET', url: '/robots.txt' });
    expect(robots.statusCode).toBe(200);
    expect(robots.body).toBe('User-agent: *');
    expect(robots.headers['cache-control']).toBe('no-cache');
    expect((await server.app.inject({ method: 'GET', url: '/specs/s1' })).body).toContain('Specline v2');
    rmSync(path.join(dist, 'assets', 'app-9c1d.js'));
    expect((await server.app.inject({ method: 'GET', url: '/assets/app-9c1d.js' })).statusCode, 'a deleted file is gone too').toBe(404);
  });

  it('a missing /assets file is a plain 404, never index.html; nothing outside the build is served', async () => {
    const missing = await server.app.inject({ method: 'GET', url: '/assets/app-0000.js' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/json/);
    expect(missing.json()).toMatchObject({ code: 'not_found' });
    expect(missing.body).not.toContain('<title>');
    for (const url of ['/..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%00index.html', '/%E0%A4%A']) {
      const res = await server.app.inject({ method: 'GET', url });
      expect(res.body, url).not.toContain('top secret');
    }
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
