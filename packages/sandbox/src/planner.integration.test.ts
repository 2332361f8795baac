import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpecEvent, phaseList } from '@specline/protocol';
import { systemClock } from './clock';
import { createPlannerExecutor } from './executors';
import { MemoryReporter } from './machine/testkit';
import { runSpec } from './runSpec';
import { LocalTicketSink } from './sinks/localSink';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'specline-planner-'));
  await mkdir(join(dir, 'src'), { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'api', type: 'module', dependencies: { fastify: '^5.0.0' }, devDependencies: { vitest: '^4.0.0', typescript: '^5.8.0' } }));
  await writeFile(join(dir, 'tsconfig.json'), '{}');
  await writeFile(join(dir, 'src', 'server.ts'), "import Fastify from 'fastify';\nexport const app = Fastify();\n");
  await writeFile(join(dir, 'src', 'server.test.ts'), "import { it } from 'vitest';\nit('works', () => {});\n");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runSpec with the planner executor', () => {
  it.each([false, true])('passes every phase on the first attempt (prd: %s), and the artifacts are non-trivial', async (prd) => {
    // The real clock: EXPLORE does real I/O (the code index), and a manual clock that advances whenever the
    // test is idle would fire the attempt timeout while a file read is pending on a loaded machine.
    const clock = systemClock;
    const reporter = new MemoryReporter();
    const out = join(dir, prd ? 'out-prd' : 'out');
    const sink = new LocalTicketSink({ file: join(out, 'tickets.json') });
    const run = runSpec({
      spec: { id: 'spec-planner', title: 'Add rate limiting to the public API', description: 'Limit each API key to 100 requests per minute and return 429 with Retry-After' },
      cwd: dir,
      outputDir: out,
      executor: createPlannerExecutor(),
      reporter,
      sink,
      clock,
      phases: phaseList({ prd }),
    });
    const result = await run;
    const failures = reporter.events.filter((e) => e.event_type === 'spec.phase_retry' || e.event_type === 'spec.phase_failed').map((e) => e.data);
    expect(failures).toEqual([]);
    expect(result.success).toBe(true);
    for (const event of reporter.events) expect(() => SpecEvent.parse(event)).not.toThrow();
    const scores = reporter.ofType('spec.phase_completed').map((e) => e.data['eval_score'] as number);
    for (const score of scores) expect(score).toBeGreaterThanOrEqual(0.7);
    const requirementsMd = await readFile(join(out, 'requirements.md'), 'utf8');
    expect(requirementsMd).toMatch(/REQ-001/);
    expect(requirementsMd).toMatch(/\bSHALL\b/);
    expect(await readFile(join(out, 'design.md'), 'utf8')).toMatch(/\| DES-001 \|/);
    expect(await readFile(join(out, 'tasks.md'), 'utf8')).toContain('```mermaid');
    expect(JSON.parse(await readFile(join(out, 'tickets.json'), 'utf8'))).toHaveProperty('tickets.TKT-001');
  });
});
