/**
 * The demo's code base: the shipped sample application becomes a git repository in the data directory
 * (same files → same commit; a change → a new commit; nothing done when nothing changed), and the demo
 * project points at it — a new one at creation, an existing one without a repository on the next start.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EXAMPLE, ensureExampleRepo, prepareDemoRepository } from '../launcher/exampleRepo';
import { ensureDemoUser } from '../services/demo';
import { checkRepoUrl, repoPolicyOf } from '../services/repoUrls';
import { projects } from '../store/schema';
import { BACKENDS, createTestServer, type TestServer } from './harness';
import { git, tempDir } from './repoFixtures';

describe('the example repository', () => {
  it('is made from the shipped folder with a fixed identity, and re-committed only when its files change', async () => {
    const source = tempDir('specline-example-src-');
    writeFileSync(path.join(source, 'app.ts'), 'export const answer = 42;\n');
    const one = tempDir('specline-example-a-');
    const two = tempDir('specline-example-b-');
    const first = await ensureExampleRepo({ source, dataDir: one });
    expect(first).toMatchObject({ path: path.join(one, 'examples', path.basename(source)), committed: true });
    // Same files, another data directory: the same commit (fixed author, committer and date).
    expect((await ensureExampleRepo({ source, dataDir: two }))?.commit).toBe(first!.commit);
    expect(await ensureExampleRepo({ source, dataDir: one })).toEqual({ ...first, committed: false });
    writeFileSync(path.join(source, 'app.ts'), 'export const answer = 43;\n');
    const changed = await ensureExampleRepo({ source, dataDir: one });
    expect(changed?.committed).toBe(true);
    expect(changed?.commit).not.toBe(first!.commit);
    expect(git(first!.path, 'status', '--porcelain')).toBe('');
    expect(git(first!.path, 'log', '--format=%an <%ae> %aI', '-1')).toBe('Specline examples <examples@specline.local> 2026-01-01T00:00:00+00:00');
    expect(await ensureExampleRepo({ source: path.join(source, 'missing'), dataDir: one })).toBeNull();
  });

  it('the shipped bookshop becomes an allowed repository', async () => {
    expect(existsSync(DEMO_EXAMPLE), 'examples/bookshop ships with the repository').toBe(true);
    const dataDir = tempDir('specline-example-demo-');
    const repoPath = await prepareDemoRepository({ dataDir, repos: { gitTimeoutSeconds: 60 } }, pino({ level: 'silent' }));
    expect(repoPath).toBe(path.join(dataDir, 'examples', 'bookshop'));
    expect(existsSync(path.join(repoPath!, 'package.json'))).toBe(true);
    expect(existsSync(path.join(repoPath!, 'node_modules'))).toBe(false);
    // Always under an allowed root, whatever SPECLINE_REPO_ROOTS says.
    expect(checkRepoUrl(repoPath!, repoPolicyOf({ dataDir, repos: { roots: [], allowRemote: false, gitTimeoutSeconds: 60 } }))).toMatchObject({ kind: 'local' });
  });
});

describe.each(BACKENDS)('the demo project on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer(backend);
  });
  afterAll(async () => {
    await server.close();
  });

  it('points at the example repository: when created, and on a later start when it had none', async () => {
    const db = server.context.db;
    const first = await ensureDemoUser(db);
    expect(first.project.repoUrl).toBeNull(); // no example repository could be made
    const again = await ensureDemoUser(db, { repoUrl: '/data/examples/bookshop' });
    expect(again.project.id).toBe(first.project.id);
    expect(again.project.repoUrl).toBe('/data/examples/bookshop');
    // One the owner connected elsewhere is left alone.
    await db.update(projects).set({ repoUrl: '/data/other' }).where(eq(projects.id, first.project.id));
    expect((await ensureDemoUser(db, { repoUrl: '/data/examples/bookshop' })).project.repoUrl).toBe('/data/other');
  });
});
