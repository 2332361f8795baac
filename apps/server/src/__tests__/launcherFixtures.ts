/**
 * Fixtures of the launcher tests: rows seeded straight into the store (so the run manager is tested
 * without depending on the spec routes), a stand-in sandbox program (a real child process), and a
 * poll helper that waits for a condition instead of sleeping a fixed time.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { loadConfig, type Config } from '../config';
import type { LocalProvider } from '../launcher/localProvider';
import type { LaunchRequest, SandboxProvider } from '../launcher/provider';
import type { Db } from '../store/db';
import { projectMembers, projects, sandboxEvents, sandboxes, specs, users } from '../store/schema';

export async function seedSpec(db: Db, overrides: Partial<typeof specs.$inferInsert> = {}): Promise<{ specId: string; userId: string; projectId: string }> {
  const userId = `user-${randomUUID()}`;
  const projectId = `project-${randomUUID()}`;
  const specId = `spec-${randomUUID()}`;
  await db.insert(users).values({ id: userId, email: `${userId}@example.test`, name: 'Ada', passwordHash: 'x' });
  await db.insert(projects).values({ id: projectId, name: 'P', createdBy: userId });
  await db.insert(projectMembers).values({ projectId, userId, role: 'owner' });
  await db.insert(specs).values({ id: specId, projectId, userId, title: 'Export CSV', description: 'Users can export reports as CSV', ...overrides });
  return { specId, userId, projectId };
}

export async function specRow(db: Db, specId: string) {
  const [row] = await db.select().from(specs).where(eq(specs.id, specId));
  if (!row) throw new Error(`spec ${specId} not found`);
  return row;
}

export async function sandboxRow(db: Db, sandboxId: string) {
  const [row] = await db.select().from(sandboxes).where(eq(sandboxes.id, sandboxId));
  if (!row) throw new Error(`sandbox ${sandboxId} not found`);
  return row;
}

export async function eventsOf(db: Db, specId: string) {
  return db.select().from(sandboxEvents).where(eq(sandboxEvents.specId, specId)).orderBy(asc(sandboxEvents.specSeq));
}

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/**
 * A stand-in for the sandbox CLI: records its argv and environment in `OUTPUT_DIRECTORY/env.json`,
 * prints a line to its log, then behaves as `FAKE_MODE` says: `exit0`, `exit3`, `stubborn` (ignores
 * SIGTERM) or, by default, stays alive and silent until signalled.
 */
export function writeFakeSandbox(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'specline-fake-sandbox-'));
  const file = path.join(dir, 'fake-sandbox.mjs');
  writeFileSync(
    file,
    `import fs from 'node:fs';
import path from 'node:path';
if (process.env.FAKE_MODE === 'stubborn') process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
fs.writeFileSync(path.join(process.env.OUTPUT_DIRECTORY, 'env.json'), JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd(), env: process.env }));
console.log('fake sandbox ' + process.env.SANDBOX_ID + ' started');
const mode = process.env.FAKE_MODE;
if (mode === 'exit0') process.exit(0);
if (mode === 'exit3') { console.error('boom'); process.exit(3); }
setInterval(() => {}, 1000);
`,
  );
  return file;
}

export function tempDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'specline-data-'));
}

/** A complete `sandbox` config section (the harness's option type wants every field). */
export function sandboxSettings(overrides: Partial<Config['sandbox']>): Config['sandbox'] {
  return { ...loadConfig({}).sandbox, env: {}, ...overrides };
}

/** The local provider, recording each launch request (tests need the sandbox token afterwards). */
export function recording(inner: LocalProvider): SandboxProvider & { launched: LaunchRequest[] } {
  const launched: LaunchRequest[] = [];
  return {
    name: inner.name,
    launched,
    launch: (request) => {
      launched.push(request);
      return inner.launch(request);
    },
    stop: (id, reason) => inner.stop(id, reason),
    isAlive: (id) => inner.isAlive(id),
    close: () => inner.close(),
    get onExit() {
      return inner.onExit;
    },
    set onExit(handler) {
      inner.onExit = handler;
    },
  };
}
