/**
 * A tenant holding one of everything, made through the API (the noop provider records the launch, so the
 * sandbox token is known): for the hardening replays and the fuzz suite. Plus a fingerprint of every
 * table, to prove a refused request changed nothing.
 */
import { sql } from 'drizzle-orm';
import type { App } from '../app';
import type { LaunchRequest } from '../launcher/provider';
import { rowsOf, type Db } from '../store/db';
import { createProject, registerUser, type TestUser } from './harness';

export interface Tenant {
  owner: TestUser;
  project: string;
  spec: string;
  requirement: string;
  criterion: string;
  task: string;
  ticket: string;
  /** The spec of the launched run, its sandbox and the sandbox token. */
  runSpec: string;
  sandbox: string;
  sandboxToken: string;
}

async function ok<T>(app: App, user: TestUser, method: 'POST' | 'PUT', url: string, payload: object): Promise<T> {
  const res = await app.inject({ method, url, headers: user.headers, payload });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json<T>();
}

export async function buildTenant(app: App, launched: LaunchRequest[]): Promise<Tenant> {
  const owner = await registerUser(app, 'owner');
  const project = (await createProject(app, owner, 'Hardening')).id;
  const spec = (await ok<{ id: string }>(app, owner, 'POST', '/api/v1/specs', { title: 'Spec', description: 'd', project_id: project })).id;
  const requirement = await ok<{ id: string; criteria: { id: string }[] }>(app, owner, 'POST', `/api/v1/specs/${spec}/requirements`, {
    title: 'Requirement',
    action: 'THE SYSTEM SHALL hold',
    acceptance_criteria: ['it holds'],
  });
  const task = (await ok<{ id: string }>(app, owner, 'POST', `/api/v1/specs/${spec}/tasks`, { title: 'Task', estimated_hours: 2 })).id;
  await ok(app, owner, 'PUT', `/api/v1/specs/${spec}/design`, { architecture: 'layers' });
  const ticket = (await ok<{ id: string }>(app, owner, 'POST', '/api/v1/tickets', { title: 'Ticket', project_id: project })).id;
  const before = launched.length;
  const run = await ok<{ spec_id: string; sandbox_id: string }>(app, owner, 'POST', '/api/v1/specs/launch', { title: 'Run', description: 'a run', project_id: project });
  const launch = launched[before];
  if (!launch) throw new Error('the launch was not recorded');
  return {
    owner,
    project,
    spec,
    requirement: requirement.id,
    criterion: requirement.criteria[0]!.id,
    task,
    ticket,
    runSpec: run.spec_id,
    sandbox: run.sandbox_id,
    sandboxToken: launch.token,
  };
}

/** Tables a refused request must not change (sessions: logins and refreshes are answers, not refusals). */
const TABLES = [
  'users',
  'projects',
  'project_members',
  'specs',
  'spec_requirements',
  'spec_acceptance_criteria',
  'spec_tasks',
  'spec_versions',
  'tickets',
  'tasks',
  'sandboxes',
  'sandbox_events',
  'idempotency_keys',
  'sessions',
];

/** One md5 per table over all its rows: equal fingerprints ⇔ equal contents. */
export async function fingerprint(db: Db): Promise<Record<string, string>> {
  const parts = TABLES.map((t) => `(select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) from ${t} x) as ${t}`);
  const [row] = rowsOf<Record<string, string>>(await db.execute(sql.raw(`select ${parts.join(', ')}`)));
  return row!;
}
