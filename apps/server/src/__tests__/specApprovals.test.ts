/** Approvals follow the content: a person's edit of what was approved withdraws the approval; progress does not. */
import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../services/ids';
import { specAcceptanceCriteria, specRequirements, specVersions, specs } from '../store/schema';
import { BACKENDS, createProject, createTestServer, registerUser, type TestServer, type TestUser } from './harness';

interface SpecBody {
  id: string;
  phase: string;
  requirements_approved: boolean;
  requirements_approved_at: string | null;
  design_approved: boolean;
  design_approved_at: string | null;
}

const DESIGN = { architecture: 'one service', components: [{ id: 'DES-001', name: 'Limiter', responsibility: 'counts' }] };

describe.each(BACKENDS)('approvals follow the content on %s', (backend) => {
  let server: TestServer;
  let alice: TestUser;
  let project: { id: string };
  beforeAll(async () => {
    server = await createTestServer(backend);
    alice = await registerUser(server.app, 'alice');
    project = await createProject(server.app, alice, 'Approvals');
  });
  afterAll(async () => {
    await server.close();
  });

  type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  const call = (method: Method, url: string, payload?: object) => server.app.inject({ method, url, headers: alice.headers, ...(payload ? { payload } : {}) });
  const getSpec = async (specId: string) => (await call('GET', `/api/v1/specs/${specId}`)).json<SpecBody>();
  const latestVersion = async (specId: string) => {
    const [row] = await server.context.db.select().from(specVersions).where(eq(specVersions.specId, specId)).orderBy(desc(specVersions.versionNumber)).limit(1);
    return row;
  };

  /** A spec whose requirements (REQ-001 with criterion REQ-001.AC-1, and REQ-002; written as a run would) and design are both approved. */
  const approvedSpec = async () => {
    const specId = (await call('POST', '/api/v1/specs', { title: 'S', project_id: project.id })).json<{ id: string }>().id;
    const reqId = newId.requirement();
    const critId = newId.criterion();
    await server.context.db.insert(specRequirements).values({ id: reqId, specId, localId: 'REQ-001', title: 'Limit', condition: 'WHEN over', action: 'THE SYSTEM SHALL answer 429', text: 'WHEN over THE SYSTEM SHALL answer 429' });
    await server.context.db.insert(specAcceptanceCriteria).values({ id: critId, requirementId: reqId, localId: 'REQ-001.AC-1', text: 'answers 429' });
    await server.context.db.insert(specRequirements).values({ id: newId.requirement(), specId, localId: 'REQ-002', title: 'Log', action: 'THE SYSTEM SHALL log', text: 'THE SYSTEM SHALL log', position: 1 });
    expect((await call('POST', `/api/v1/specs/${specId}/approve-requirements`)).statusCode).toBe(200);
    expect((await call('PUT', `/api/v1/specs/${specId}/design`, DESIGN)).statusCode).toBe(200);
    expect((await call('POST', `/api/v1/specs/${specId}/approve-design`)).statusCode).toBe(200);
    expect(await getSpec(specId)).toMatchObject({ requirements_approved: true, design_approved: true, phase: 'Implementation' });
    return { specId, reqId, critId, base: `/api/v1/specs/${specId}/requirements` };
  };

  type Edit = (s: Awaited<ReturnType<typeof approvedSpec>>) => [Method, string, object?];
  const contentEdits: [string, Edit, string][] = [
    ['editing a requirement', (s) => ['PATCH', `${s.base}/${s.reqId}`, { action: 'THE SYSTEM SHALL answer 503' }], 'REQ-001 edited'],
    ['changing a requirement’s priority', (s) => ['PATCH', `${s.base}/${s.reqId}`, { priority: 'low' }], 'REQ-001 edited'],
    ['adding a requirement', (s) => ['POST', s.base, { title: 'Log', action: 'THE SYSTEM SHALL log' }], 'REQ-9001 added'],
    ['deleting a requirement', (s) => ['DELETE', `${s.base}/${s.reqId}`], 'REQ-001 deleted'],
    ['adding a criterion', (s) => ['POST', `${s.base}/${s.reqId}/criteria`, { text: 'sets Retry-After' }], 'a criterion added to REQ-001'],
    ['editing a criterion’s text', (s) => ['PATCH', `${s.base}/${s.reqId}/criteria/${s.critId}`, { text: 'answers 429 quickly' }], 'REQ-001.AC-1 edited'],
    ['deleting a criterion', (s) => ['DELETE', `${s.base}/${s.reqId}/criteria/${s.critId}`], 'REQ-001.AC-1 deleted'],
  ];

  it.each(contentEdits)('%s withdraws the requirements and design approvals, phase back to Requirements, noted in the version', async (_name, edit, what) => {
    const s = await approvedSpec();
    const [method, url, body] = edit(s);
    const res = await call(method, url, body);
    expect(res.statusCode, res.body).toBeLessThan(300);
    expect(await getSpec(s.specId)).toMatchObject({
      requirements_approved: false,
      requirements_approved_at: null,
      design_approved: false,
      design_approved_at: null,
      phase: 'Requirements',
    });
    const version = await latestVersion(s.specId);
    expect(version?.changeDetails).toMatchObject({ approval_withdrawn: `requirements approval withdrawn: ${what}`, approvals_withdrawn: ['requirements', 'design'] });
    expect(version?.changeSummary).toMatch(/; requirements and design approvals withdrawn$/);
    // Approving again works as before: the approval now covers the new content.
    expect((await call('POST', `/api/v1/specs/${s.specId}/approve-requirements`)).json()).toMatchObject({ requirements_approved: true, phase: 'Design' });
  });

  it('only the requirements approval to withdraw: the note names it alone', async () => {
    const s = await approvedSpec();
    await server.context.db.update(specs).set({ designApproved: false, designApprovedAt: null, phase: 'Design' }).where(eq(specs.id, s.specId));
    expect((await call('PATCH', `${s.base}/${s.reqId}`, { title: 'Limit v2' })).statusCode).toBe(200);
    expect(await getSpec(s.specId)).toMatchObject({ requirements_approved: false, design_approved: false, phase: 'Requirements' });
    const version = await latestVersion(s.specId);
    expect(version?.changeDetails).toMatchObject({ approval_withdrawn: 'requirements approval withdrawn: REQ-001 edited', approvals_withdrawn: ['requirements'] });
    expect(version?.changeSummary).toMatch(/; requirements approval withdrawn$/);
  });

  it('progress is not content: ticking a criterion, a requirement’s status, or re-saving the same values keeps both approvals', async () => {
    const s = await approvedSpec();
    const tick = await call('PATCH', `${s.base}/${s.reqId}/criteria/${s.critId}`, { completed: true });
    expect(tick.json()).toMatchObject({ completed: true });
    expect((await call('PATCH', `${s.base}/${s.reqId}/criteria/${s.critId}`, { completed: false, text: 'answers 429' })).statusCode).toBe(200);
    expect((await call('PATCH', `${s.base}/${s.reqId}`, { status: 'completed', title: 'Limit' })).json()).toMatchObject({ status: 'completed' });
    expect((await call('PUT', `/api/v1/specs/${s.specId}/design`, DESIGN)).statusCode).toBe(200);
    const spec = await getSpec(s.specId);
    expect(spec).toMatchObject({ requirements_approved: true, design_approved: true, phase: 'Implementation' });
    expect(spec.requirements_approved_at).not.toBeNull();
    expect(spec.design_approved_at).not.toBeNull();
    const details = (await server.context.db.select().from(specVersions).where(eq(specVersions.specId, s.specId))).map((v) => v.changeDetails ?? {});
    expect(details.filter((d) => 'approval_withdrawn' in d)).toEqual([]);
  });

  it('editing the design withdraws only the design approval: phase back to Design, noted in the version', async () => {
    const s = await approvedSpec();
    const res = await call('PUT', `/api/v1/specs/${s.specId}/design`, { ...DESIGN, architecture: 'two services' });
    expect(res.statusCode).toBe(200);
    const spec = await getSpec(s.specId);
    expect(spec).toMatchObject({ requirements_approved: true, design_approved: false, design_approved_at: null, phase: 'Design' });
    expect(spec.requirements_approved_at).not.toBeNull();
    const version = await latestVersion(s.specId);
    expect(version).toMatchObject({ changeType: 'design_updated', changeDetails: { approval_withdrawn: 'design approval withdrawn: design edited', approvals_withdrawn: ['design'] } });
    expect(version?.changeSummary).toMatch(/; design approval withdrawn$/);
  });

  it('a refused edit withdraws nothing (same transaction)', async () => {
    const s = await approvedSpec();
    expect((await call('PATCH', `${s.base}/${s.reqId}`, { status: 'done' })).statusCode).toBe(422);
    expect((await call('PATCH', `${s.base}/${s.reqId}/criteria/crit-nope`, { text: 'x' })).statusCode).toBe(404);
    expect((await call('PUT', `/api/v1/specs/${s.specId}/design`, { components: [{ id: 'A', name: 'a' }, { id: 'A', name: 'b' }] })).statusCode).toBe(422);
    expect(await getSpec(s.specId)).toMatchObject({ requirements_approved: true, design_approved: true, phase: 'Implementation' });
  });

  it('edits of a spec that was never approved record no withdrawal', async () => {
    const specId = (await call('POST', '/api/v1/specs', { title: 'Fresh', project_id: project.id })).json<{ id: string }>().id;
    expect((await call('POST', `/api/v1/specs/${specId}/requirements`, { title: 'R', action: 'THE SYSTEM SHALL x' })).statusCode).toBe(201);
    expect((await call('PUT', `/api/v1/specs/${specId}/design`, DESIGN)).statusCode).toBe(200);
    const details = (await server.context.db.select().from(specVersions).where(eq(specVersions.specId, specId))).map((v) => v.changeDetails ?? {});
    expect(details.filter((d) => 'approval_withdrawn' in d)).toEqual([]);
    expect(await getSpec(specId)).toMatchObject({ requirements_approved: false, design_approved: false, phase: 'Requirements' });
  });
});
