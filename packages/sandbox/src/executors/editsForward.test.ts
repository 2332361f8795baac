/**
 * Edits feed forward (issue 10): the planner's DESIGN and TASKS are made from the requirements they are
 * given — a person's edit of a requirement's title shows in both, and passes their evaluators.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../evaluators/index';
import type { PhaseContext } from '../types';
import { createPlannerExecutor } from './planner';

const spec = { id: 'spec-1', title: 'Export reports as CSV', description: 'Users can export any report as a CSV file, with the filters they applied, from the report page.' };

describe('the planner builds on the requirements as edited', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'specline-edits-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const run = async (phase: 'explore' | 'requirements' | 'design' | 'tasks', phaseData: Record<string, Record<string, unknown>>) => {
    const context: PhaseContext = { spec, cwd: dir, hasCodebase: false, phaseData, attempt: 1, maxAttempts: 3, progress: () => undefined };
    return (await createPlannerExecutor().execute(phase, context, null, new AbortController().signal)).output;
  };

  it('an edited requirement title appears in the design (the components serving it) and in the tasks', async () => {
    const explore = await run('explore', {});
    const requirements = await run('requirements', { explore });
    const edited = structuredClone(requirements) as { requirements: { id: string; title: string }[] };
    edited.requirements[0]!.title = 'Export ZEBRAFISH reports with their filters';
    const design = await run('design', { explore, requirements: edited });
    const components = design['components'] as { id: string; responsibility: string }[];
    expect(components.some((c) => c.responsibility.includes(`${edited.requirements[0]!.id} (Export ZEBRAFISH reports with their filters)`))).toBe(true);
    const tasks = await run('tasks', { explore, requirements: edited, design });
    expect(JSON.stringify(tasks['tasks'])).toContain('Export ZEBRAFISH reports with their filters');
    const context = { explore, requirements: edited, design };
    expect(evaluate('design', design, context)).toMatchObject({ passed: true, feedback: '' });
    expect(evaluate('tasks', tasks, { ...context, design })).toMatchObject({ passed: true, feedback: '' });
  });
});
