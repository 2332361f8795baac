import { describe, expect, it } from 'vitest';
import { SyncOutput } from '@specline/protocol';
import { computeSync, coverage, findCycles, findDanglingRefs, findDuplicateIds, normalizeDependencies, topologicalOrder } from './traceability';

const task = (id: string, deps: unknown, reqs: string[] = ['REQ-001']) => ({ id, ticket_id: 'TKT-001', title: id, depends_on: deps, requirements: reqs });

describe('normalizeDependencies', () => {
  it('reads every dependency shape', () => {
    expect(normalizeDependencies({ depends_on: ['TSK-001', 'TSK-002'] })).toEqual(['TSK-001', 'TSK-002']);
    expect(normalizeDependencies({ dependencies: ['TSK-001'] })).toEqual(['TSK-001']);
    expect(normalizeDependencies({ dependencies: { depends_on: ['TSK-003'], blocks: ['TSK-009'] } })).toEqual(['TSK-003']);
    expect(normalizeDependencies({ dependencies: { depends_on: [{ id: 'TSK-004' }, { task_id: 'TSK-005' }] } })).toEqual(['TSK-004', 'TSK-005']);
    expect(normalizeDependencies({ depends_on: 'TSK-001, TSK-002' })).toEqual(['TSK-001', 'TSK-002']);
    expect(normalizeDependencies({ depends_on: ['TSK-001'], dependencies: { depends_on: ['TSK-001', 'TSK-002'] } })).toEqual(['TSK-001', 'TSK-002']);
    expect(normalizeDependencies({})).toEqual([]);
    expect(normalizeDependencies(null)).toEqual([]);
    expect(normalizeDependencies('nonsense')).toEqual([]);
  });
});

describe('findCycles', () => {
  it('finds a two-task cycle in the {depends_on} shape', () => {
    const tasks = [
      { id: 'TSK-001', dependencies: { depends_on: ['TSK-002'] } },
      { id: 'TSK-002', dependencies: { depends_on: ['TSK-001'] } },
      { id: 'TSK-003', dependencies: { depends_on: ['TSK-001'] } },
    ];
    expect(findCycles(tasks)).toEqual([['TSK-001', 'TSK-002']]);
  });

  it('finds a self-dependency and every cycle of an overlapping pair', () => {
    const tasks = [task('TSK-001', ['TSK-001']), task('TSK-002', ['TSK-003']), task('TSK-003', ['TSK-002', 'TSK-004']), task('TSK-004', ['TSK-002'])];
    const cycles = findCycles(tasks);
    expect(cycles).toContainEqual(['TSK-001']);
    expect(cycles).toContainEqual(['TSK-002', 'TSK-003']);
    expect(cycles).toContainEqual(['TSK-002', 'TSK-003', 'TSK-004']);
    expect(cycles).toHaveLength(3);
  });

  it('finds none in a wide acyclic graph, quickly', () => {
    const tasks = Array.from({ length: 400 }, (_, i) => ({
      id: `TSK-${String(i + 1).padStart(3, '0')}`,
      depends_on: Array.from({ length: Math.min(i, 5) }, (_, k) => `TSK-${String(i - k).padStart(3, '0')}`),
    }));
    expect(findCycles(tasks)).toEqual([]);
    expect(topologicalOrder(tasks)?.[0]).toBe('TSK-001');
  });

  it('topologicalOrder puts dependencies first and returns null on a cycle', () => {
    expect(topologicalOrder([task('TSK-002', ['TSK-001']), task('TSK-001', [])])).toEqual(['TSK-001', 'TSK-002']);
    expect(topologicalOrder([task('TSK-001', ['TSK-002']), task('TSK-002', ['TSK-001'])])).toBeNull();
  });
});

describe('findDanglingRefs', () => {
  it('reports task, requirement, ticket and component references that point nowhere', () => {
    const refs = findDanglingRefs({
      tasks: [
        { id: 'TSK-001', ticket_id: 'TKT-009', depends_on: ['TSK-404'], requirements: ['REQ-001', 'REQ-404'], components: ['DES-404'] },
        { id: 'TSK-002', ticket_id: 'TKT-001', dependencies: { depends_on: [{ id: 'TSK-405' }] }, requirements: ['REQ-001'] },
      ],
      requirements: [{ id: 'REQ-001' }],
      tickets: [{ id: 'TKT-001', requirements: ['REQ-002'] }],
      components: [{ id: 'DES-001' }],
    });
    expect(refs).toEqual([
      { from: 'TSK-001', to: 'TSK-404', field: 'depends_on' },
      { from: 'TSK-001', to: 'REQ-404', field: 'requirements' },
      { from: 'TSK-001', to: 'TKT-009', field: 'ticket_id' },
      { from: 'TSK-001', to: 'DES-404', field: 'components' },
      { from: 'TSK-002', to: 'TSK-405', field: 'dependencies.depends_on' },
      { from: 'TKT-001', to: 'REQ-002', field: 'requirements' },
    ]);
  });

  it('checks only against the collections it is given', () => {
    expect(findDanglingRefs({ tasks: [{ id: 'TSK-001', requirements: ['REQ-404'], components: ['DES-404'] }] })).toEqual([]);
  });
});

describe('coverage and duplicates', () => {
  it('maps each requirement to its tasks and computes the percentage', () => {
    const result = coverage([{ id: 'REQ-001' }, { id: 'REQ-002' }, { id: 'REQ-003' }], [task('TSK-001', [], ['REQ-001']), task('TSK-002', [], ['REQ-001', 'REQ-003'])]);
    expect(result.coverage).toEqual([
      { requirement_id: 'REQ-001', task_ids: ['TSK-001', 'TSK-002'] },
      { requirement_id: 'REQ-002', task_ids: [] },
      { requirement_id: 'REQ-003', task_ids: ['TSK-002'] },
    ]);
    expect(result.coverage_percent).toBe(66.67);
    expect(result.uncovered).toEqual(['REQ-002']);
  });

  it('reports each duplicated id once', () => {
    expect(findDuplicateIds([{ id: 'A' }, { id: 'B' }, { id: 'A' }, { id: 'A' }, {}])).toEqual(['A']);
  });
});

describe('computeSync', () => {
  const clean = {
    requirements: { requirements: [{ id: 'REQ-001' }, { id: 'REQ-002' }] },
    design: { components: [{ id: 'DES-001' }] },
    tasks: {
      tickets: [{ id: 'TKT-001', requirements: ['REQ-001', 'REQ-002'] }],
      tasks: [task('TSK-001', [], ['REQ-001']), { ...task('TSK-002', ['TSK-001'], ['REQ-002']), components: ['DES-001'] }],
    },
  };

  it('is ready when everything is traced', () => {
    const sync = computeSync(clean);
    expect(SyncOutput.parse(sync)).toEqual(sync);
    expect(sync).toMatchObject({ coverage_percent: 100, dependency_order_valid: true, cycles: [], dangling_refs: [], ready_for_execution: true, blockers: [] });
  });

  it('names every blocker', () => {
    const broken = {
      ...clean,
      tasks: {
        tickets: clean.tasks.tickets,
        tasks: [task('TSK-001', ['TSK-002'], ['REQ-001']), task('TSK-002', ['TSK-001'], ['REQ-001']), task('TSK-002', ['TSK-009'], ['REQ-001'])],
      },
    };
    const sync = computeSync(broken);
    expect(sync.ready_for_execution).toBe(false);
    expect(sync.dependency_order_valid).toBe(false);
    expect(sync.blockers).toEqual([
      'tasks: duplicate id TSK-002',
      'dependency cycle TSK-001 → TSK-002 → TSK-001',
      'tasks[TSK-002].depends_on: TSK-009 does not exist',
      'REQ-002 is covered by no task',
    ]);
    expect(sync.coverage_percent).toBe(50);
  });

  it('is not ready when outputs are missing', () => {
    const sync = computeSync({});
    expect(sync.ready_for_execution).toBe(false);
    expect(sync.blockers).toContain('tasks output is missing');
    expect(sync.coverage_percent).toBe(0);
  });
});
