import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanDesign, cleanRequirements, cleanTasks } from '../evaluators/fixtures';
import { renderDesign, renderRequirements, renderTasks, writePhaseArtifact } from './markdown';

describe('markdown renderers', () => {
  it('requirements: summary table, EARS text and each criterion with its id', () => {
    const md = renderRequirements(cleanRequirements(), 'Rate limiting');
    expect(md).toMatch(/^# Requirements: Rate limiting\n/);
    expect(md).toContain('| REQ-002 | Tell clients when to retry | functional | medium | 2 |');
    expect(md).toContain('> WHEN an API key exceeds 100 requests in one minute, THE SYSTEM SHALL reject');
    expect(md).toContain('- [ ] **REQ-003.AC-2** The header resets to 100 in a new window.');
  });

  it('design: components table with traced requirements, models, endpoints, escaped cells', () => {
    const design = cleanDesign();
    design.components[0]!.responsibility = 'Counts | per key';
    const md = renderDesign(design, 'Rate limiting');
    expect(md).toContain('| DES-001 | RateLimiter | Counts \\| per key | apps/server/src/rateLimit/limiter.ts | REQ-001 |');
    expect(md).toContain('| DES-002 | RateLimitPlugin | Rejects over-limit requests and sets headers | — | REQ-002, REQ-003 |');
    expect(md).toContain('### RateWindow');
    expect(md).toContain('| count | integer | — |');
    expect(md).toContain('| GET | `/api/v1/rate-limit` | Current allowance of the calling key |');
  });

  it('tasks: order, mermaid graph from any dependency shape, per-ticket tables', () => {
    const tasks = cleanTasks() as unknown as { tickets: unknown[]; tasks: Record<string, unknown>[] };
    delete tasks.tasks[2]!['depends_on'];
    tasks.tasks[2]!['dependencies'] = { depends_on: ['TSK-001', 'TSK-002'] };
    const md = renderTasks(tasks, 'Rate limiting');
    expect(md).toContain('1 ticket(s), 3 task(s), 6.5 estimated hour(s).');
    expect(md).toContain('1. TSK-001\n2. TSK-002\n3. TSK-003');
    expect(md).toContain('```mermaid\ngraph TD');
    expect(md).toContain('  TSK_001 --> TSK_003\n  TSK_002 --> TSK_003');
    expect(md).toContain('| TSK-003 | Allowance headers | 1.5 | TSK-001, TSK-002 | REQ-003 | DES-002 |');
  });

  it('tasks: says so when there is no valid order', () => {
    const tasks = cleanTasks();
    tasks.tasks[0]!.depends_on = ['TSK-003'];
    expect(renderTasks(tasks, 'x')).toContain('No valid order: the dependencies contain a cycle.');
  });

  it('tolerates garbage without throwing', () => {
    for (const value of [null, 3, { requirements: 'x', components: [null], tasks: [1, 'a'] }]) {
      expect(renderRequirements(value, 't')).toContain('# Requirements');
      expect(renderDesign(value, 't')).toContain('# Design');
      expect(renderTasks(value, 't')).toContain('# Tasks');
    }
  });
});

describe('writePhaseArtifact', () => {
  it('writes the phase document under the output directory and counts its items; other phases write nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'specline-md-'));
    try {
      const out = join(dir, 'nested', 'out');
      const artifact = await writePhaseArtifact('tasks', cleanTasks(), out, 'Rate limiting');
      expect(artifact).toEqual({ artifact_type: 'tasks', path: join(out, 'tasks.md'), count: 3 });
      expect(await readFile(join(out, 'tasks.md'), 'utf8')).toContain('## TKT-001: Rate limiting');
      expect(await writePhaseArtifact('design', cleanDesign(), out, 'x')).toMatchObject({ count: 2 });
      expect(await writePhaseArtifact('explore', {}, out, 'x')).toBeNull();
      expect(await writePhaseArtifact('sync', {}, out, 'x')).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('grounding fields in the documents', () => {
  it('shows an existing implementation, the files a design changes or creates, and the files of each task', () => {
    const requirements = renderRequirements({ existing_implementation: { summary: 'Already implemented in src/shop/auth/password_reset.py: `POST /password-recovery/{email}`' }, requirements: [{ id: 'REQ-001', title: 'Reset email', type: 'security', priority: 'high', text: 'WHEN …, THE SYSTEM SHALL …', existing_implementation: 'already served by `POST /password-recovery/{email}`', acceptance_criteria: [] }] }, 't');
    expect(requirements).toContain('> **Already implemented:** Already implemented in src/shop/auth/password_reset.py: `POST /password-recovery/{email}`');
    expect(requirements).toContain('- **Already there:** already served by `POST /password-recovery/{email}`');
    const design = renderDesign({ components: [{ id: 'DES-001', name: 'Login routes', responsibility: 'r', file_path: 'src/shop/api/routes/login.py', change: 'modify', existing_symbols: ['login_access_token'], reason: 'declares `POST /login/access-token`' }, { id: 'DES-002', name: 'Limiter', responsibility: 'r', file_path: 'src/shop/api/login_rate_limit.py', change: 'create', existing_symbols: [], reason: 'next to the dependencies' }] }, 't');
    expect(design).toContain('- DES-001 changes `src/shop/api/routes/login.py` (`login_access_token`): declares `POST /login/access-token`');
    expect(design).toContain('- DES-002 creates `src/shop/api/login_rate_limit.py`: next to the dependencies');
    const tasks = renderTasks({ tickets: [{ id: 'TKT-001', title: 'T', description: '', priority: 'high', requirements: [] }], tasks: [{ id: 'TSK-001', ticket_id: 'TKT-001', title: 'x', description: 'd', estimated_hours: 1, depends_on: [], requirements: [], files: ['src/a.py', 'tests/test_a.py'] }] }, 't');
    expect(tasks).toContain('Files: `src/a.py`, `tests/test_a.py`');
  });
});
