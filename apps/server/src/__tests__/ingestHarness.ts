/**
 * Fixtures for the ingestion and stream suites: users, projects, specs and sandboxes written straight
 * to the store (so these suites do not depend on the other routes), sandbox tokens, and event
 * builders in the three accepted shapes.
 */
import { randomUUID } from 'node:crypto';
import { type Phase, type SpecEvent } from '@specline/protocol';
import { eq, sql } from 'drizzle-orm';
import { newId } from '../services/ids';
import { createSession } from '../services/sessions';
import { newSandboxToken } from '../services/tokens';
import { projectMembers, projects, sandboxEvents, sandboxes, specs, users } from '../store/schema';
import type { TestServer } from './harness';

export interface SeededUser {
  id: string;
  token: string;
  headers: { authorization: string };
}

export async function seedUser(server: TestServer, name = 'user'): Promise<SeededUser> {
  const id = newId.user();
  await server.context.db.insert(users).values({ id, email: `${name}-${randomUUID()}@example.test`, name, passwordHash: 'x' });
  const { accessToken: token } = await createSession(server.context.db, server.context.tokens, id, server.context.config.sessions);
  return { id, token, headers: { authorization: `Bearer ${token}` } };
}

export interface SeededSandbox {
  sandboxId: string;
  token: string;
  headers: { authorization: string };
}

export interface SeededSpec {
  specId: string;
  projectId: string;
  owner: SeededUser;
  sandbox: SeededSandbox;
}

/** A sandbox row with a fresh token; `current` makes it the spec's live sandbox (`specs.sandbox_id`). */
export async function seedSandbox(server: TestServer, specId: string, options: { current?: boolean } = {}): Promise<SeededSandbox> {
  const sandboxId = newId.sandbox();
  const { token, hash } = newSandboxToken();
  await server.context.db.insert(sandboxes).values({ id: sandboxId, specId, tokenHash: hash, provider: 'test' });
  if (options.current ?? true) await server.context.db.update(specs).set({ sandboxId, status: 'executing' }).where(eq(specs.id, specId));
  return { sandboxId, token, headers: { authorization: `Bearer ${token}` } };
}

/** A user, their project and a spec with a live sandbox. */
export async function seedSpec(server: TestServer, owner?: SeededUser): Promise<SeededSpec> {
  const user = owner ?? (await seedUser(server, 'owner'));
  const projectId = newId.project();
  const specId = newId.spec();
  const db = server.context.db;
  await db.insert(projects).values({ id: projectId, name: 'Project', createdBy: user.id });
  await db.insert(projectMembers).values({ projectId, userId: user.id, role: 'owner' });
  await db.insert(specs).values({ id: specId, projectId, userId: user.id, title: 'Spec', phases: ['explore', 'requirements', 'design', 'tasks', 'sync'] });
  const sandbox = await seedSandbox(server, specId);
  return { specId, projectId, owner: user, sandbox };
}

/** Builds envelopes with a per-sandbox producer counter. */
export function eventFactory(specId: string) {
  let seq = 0;
  return function event(eventType: string, data: Record<string, unknown> = {}, phase: Phase | null = null): SpecEvent {
    return { event_id: randomUUID(), seq: ++seq, event_type: eventType, timestamp: new Date().toISOString(), spec_id: specId, phase, data };
  };
}

export const progress = (message: string) => ({ message });

export async function postEvents(server: TestServer, sandbox: SeededSandbox, body: unknown) {
  return server.app.inject({
    method: 'POST',
    url: `/api/v1/sandboxes/${sandbox.sandboxId}/events`,
    headers: sandbox.headers,
    payload: body as Record<string, unknown>,
  });
}

/** Everything ingestion may change, to prove a refused request changed nothing. */
export async function storeSnapshot(server: TestServer, specId: string) {
  const db = server.context.db;
  const [events] = await db.select({ n: sql<number>`count(*)::int` }).from(sandboxEvents).where(eq(sandboxEvents.specId, specId));
  const [spec] = await db.select().from(specs).where(eq(specs.id, specId));
  return { events: events?.n ?? 0, spec };
}

export async function specSeqs(server: TestServer, specId: string): Promise<number[]> {
  const rows = await server.context.db
    .select({ seq: sandboxEvents.specSeq })
    .from(sandboxEvents)
    .where(eq(sandboxEvents.specId, specId))
    .orderBy(sandboxEvents.specSeq);
  return rows.map((r) => r.seq);
}

export const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
