/**
 * Setting the stage: a fresh `specline_bench` database, the demo user's session and project, specs
 * created through the API, and sandboxes inserted straight into the table (the harness-only
 * shortcut: a real run starts a sandbox child through the launcher; here the harness plays the
 * sandbox, so it only needs a token the server accepts). See bench/README.md.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { LoginResponse, ProjectList, Spec } from '@specline/protocol';
import type pg from 'pg';
import { newId } from '../../apps/server/src/services/ids';
import { hashSandboxToken } from '../../apps/server/src/services/tokens';
import type { HttpClient } from './http';

export const DEMO_EMAIL = 'demo@specline.local';
export const DEMO_PASSWORD = 'specline-demo';

export interface PgTarget {
  host: string;
  port: number;
  user: string;
  database: string;
}

export function databaseUrl(t: PgTarget): string {
  return `postgres://${t.user}@${t.host}:${t.port}/${t.database}`;
}

/** Drops and creates the database with psql (trust auth). */
export function recreateDatabase(t: PgTarget): void {
  const psql = (sql: string) =>
    execFileSync('psql', ['-h', t.host, '-p', String(t.port), '-U', t.user, '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-q', '-c', sql], { stdio: ['ignore', 'pipe', 'pipe'] });
  psql(`DROP DATABASE IF EXISTS ${t.database} WITH (FORCE)`);
  psql(`CREATE DATABASE ${t.database}`);
}

export function postgresVersion(t: PgTarget): string {
  return execFileSync('psql', ['-h', t.host, '-p', String(t.port), '-U', t.user, '-d', 'postgres', '-tAc', 'show server_version'], { encoding: 'utf8' }).trim();
}

/** The settings that decide commit cost, as `name=value` pairs. */
export function postgresSettings(t: PgTarget): string {
  const sql = `select string_agg(name || '=' || setting || coalesce(unit, ''), ', ' order by name) from pg_settings where name in ('fsync', 'synchronous_commit', 'shared_buffers', 'wal_buffers', 'max_wal_size')`;
  return execFileSync('psql', ['-h', t.host, '-p', String(t.port), '-U', t.user, '-d', 'postgres', '-tAc', sql], { encoding: 'utf8' }).trim();
}

export interface Session {
  token: string;
  headers: { authorization: string };
  projectId: string;
}

/** Logs in as the demo user and picks its project. */
export async function demoSession(http: HttpClient): Promise<Session> {
  const login = LoginResponse.parse(await http.expect(200, 'POST', '/api/v1/auth/login', { body: { email: DEMO_EMAIL, password: DEMO_PASSWORD } }));
  const headers = { authorization: `Bearer ${login.access_token}` };
  const projects = ProjectList.parse(await http.expect(200, 'GET', '/api/v1/projects', { headers }));
  const project = projects.projects[0];
  if (!project) throw new Error(`the demo user ${DEMO_EMAIL} has no project; is DEMO_USER=true?`);
  return { token: login.access_token, headers, projectId: project.id };
}

export async function createSpec(http: HttpClient, session: Session, title: string): Promise<string> {
  const spec = Spec.parse(await http.expect(201, 'POST', '/api/v1/specs', { headers: session.headers, body: { title, description: 'benchmark spec', project_id: session.projectId } }));
  return spec.id;
}

export interface BenchSandbox {
  sandboxId: string;
  specId: string;
  token: string;
  headers: { authorization: string };
}

/**
 * Inserts a sandbox row for the spec with a fresh token (stored as its SHA-256 hash, as the server
 * does). `current` makes it the spec's live sandbox (`specs.sandbox_id`, status `executing`), so its
 * events apply their side effects like a real run's.
 */
export async function insertSandbox(db: pg.Client, specId: string, current: boolean): Promise<BenchSandbox> {
  const sandboxId = newId.sandbox();
  const token = `sbx_${randomBytes(32).toString('base64url')}`;
  await db.query(`insert into sandboxes (id, spec_id, token_hash, status, provider) values ($1, $2, $3, 'running', 'bench')`, [sandboxId, specId, hashSandboxToken(token)]);
  if (current) await db.query(`update specs set sandbox_id = $1, status = 'executing' where id = $2`, [sandboxId, specId]);
  return { sandboxId, specId, token, headers: { authorization: `Bearer ${token}` } };
}

/** A spec created through the API with `sandboxes` sandboxes (the first one current). */
export async function specWithSandboxes(http: HttpClient, db: pg.Client, session: Session, title: string, sandboxes = 1): Promise<BenchSandbox[]> {
  const specId = await createSpec(http, session, title);
  const out: BenchSandbox[] = [];
  for (let i = 0; i < sandboxes; i++) out.push(await insertSandbox(db, specId, i === 0));
  return out;
}

export interface SeqCheck {
  specId: string;
  expected: number;
  count: number;
  distinct: number;
  min: number | null;
  max: number | null;
  lastSpecSeq: number;
  ok: boolean;
}

/** Whether the spec holds exactly `expected` events with `spec_seq` 1..expected, gap-free. */
export async function checkSpecSequence(db: pg.Client, specId: string, expected: number): Promise<SeqCheck> {
  const { rows } = await db.query<{ count: string; distinct: string; min: string | null; max: string | null; last: string }>(
    `select count(*)::text as count, count(distinct e.spec_seq)::text as distinct, min(e.spec_seq)::text as min, max(e.spec_seq)::text as max,
            (select last_spec_seq::text from specs where id = $1) as last
       from sandbox_events e where e.spec_id = $1`,
    [specId],
  );
  const r = rows[0]!;
  const count = Number(r.count);
  const distinct = Number(r.distinct);
  const min = r.min === null ? null : Number(r.min);
  const max = r.max === null ? null : Number(r.max);
  const lastSpecSeq = Number(r.last);
  const ok = count === expected && distinct === expected && (expected === 0 || (min === 1 && max === expected)) && lastSpecSeq === expected;
  return { specId, expected, count, distinct, min, max, lastSpecSeq, ok };
}
