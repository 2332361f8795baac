import { describe, expect, it } from 'vitest';
import { diffPhaseOutputs } from './diff';

const req = (id: string, title: string, criteria: [string, string][] = [], extra: Record<string, unknown> = {}) => ({
  id,
  title,
  type: 'functional',
  priority: 'high',
  text: `THE SYSTEM SHALL ${title.toLowerCase()}`,
  acceptance_criteria: criteria.map(([cid, text]) => ({ id: cid, text })),
  ...extra,
});

describe('diffPhaseOutputs', () => {
  it('equal outputs (keys in any order) are unchanged', () => {
    const a = { feature_name: 'CSV', requirements: [req('REQ-001', 'Export', [['REQ-001.AC-1', 'valid CSV']])] };
    const b = { requirements: [{ ...req('REQ-001', 'Export', [['REQ-001.AC-1', 'valid CSV']]) }], feature_name: 'CSV' };
    expect(diffPhaseOutputs('requirements', a, b)).toEqual({ phase: 'requirements', changes: [], added: 0, modified: 0, removed: 0, unchanged: true });
  });

  it('requirements and criteria by stable id: added, modified field by field, removed', () => {
    const before = {
      requirements: [
        req('REQ-001', 'Export', [['REQ-001.AC-1', 'valid CSV'], ['REQ-001.AC-2', 'keyboard']]),
        req('REQ-002', 'Refuse bad input'),
      ],
    };
    const after = {
      requirements: [
        req('REQ-001', 'Export as CSV', [['REQ-001.AC-1', 'valid CSV (RFC 4180)'], ['REQ-001.AC-3', 'filters kept']], { text: 'THE SYSTEM SHALL export' }),
        req('REQ-003', 'Log exports', [['REQ-003.AC-1', 'one line per export']]),
      ],
    };
    const diff = diffPhaseOutputs('requirements', before, after);
    expect(diff.changes).toEqual([
      {
        kind: 'requirement',
        id: 'REQ-001',
        parent_id: null,
        title: 'Export as CSV',
        change: 'modified',
        // `text` was given the same value explicitly: not a change.
        fields: [{ field: 'title', before: 'Export', after: 'Export as CSV' }],
      },
      { kind: 'criterion', id: 'REQ-001.AC-1', parent_id: 'REQ-001', title: 'valid CSV (RFC 4180)', change: 'modified', fields: [{ field: 'text', before: 'valid CSV', after: 'valid CSV (RFC 4180)' }] },
      { kind: 'criterion', id: 'REQ-001.AC-3', parent_id: 'REQ-001', title: 'filters kept', change: 'added', fields: [{ field: 'text', before: null, after: 'filters kept' }] },
      { kind: 'criterion', id: 'REQ-001.AC-2', parent_id: 'REQ-001', title: 'keyboard', change: 'removed', fields: [{ field: 'text', before: 'keyboard', after: null }] },
      {
        kind: 'requirement',
        id: 'REQ-003',
        parent_id: null,
        title: 'Log exports',
        change: 'added',
        fields: [
          { field: 'title', before: null, after: 'Log exports' },
          { field: 'type', before: null, after: 'functional' },
          { field: 'priority', before: null, after: 'high' },
          { field: 'text', before: null, after: 'THE SYSTEM SHALL log exports' },
        ],
      },
      { kind: 'criterion', id: 'REQ-003.AC-1', parent_id: 'REQ-003', title: 'one line per export', change: 'added', fields: [{ field: 'text', before: null, after: 'one line per export' }] },
      expect.objectContaining({ kind: 'requirement', id: 'REQ-002', change: 'removed', title: 'Refuse bad input' }),
    ]);
    expect(diff).toMatchObject({ added: 3, modified: 2, removed: 2, unchanged: false });
  });

  it('design: components by id, data models by name, endpoints by method and path, prose as fields', () => {
    const before = {
      architecture_overview: 'One module.',
      components: [{ id: 'DES-001', name: 'Exporter', responsibility: 'Writes CSV', requirements: ['REQ-001'] }],
      data_models: [{ name: 'Report', fields: [{ name: 'id', type: 'int' }] }],
      api_endpoints: [{ method: 'get', path: '/reports/{id}/csv', description: 'CSV' }],
      error_handling: 'x',
      testing_strategy: 'y',
    };
    const after = {
      ...before,
      architecture_overview: 'One module and a route.',
      components: [
        { id: 'DES-001', name: 'Exporter', responsibility: 'Writes CSV with the filters', requirements: ['REQ-001', 'REQ-002'] },
        { id: 'DES-002', name: 'Route', responsibility: 'Serves it' },
      ],
      api_endpoints: [{ method: 'GET', path: '/reports/{id}/csv', description: 'CSV' }],
    };
    const diff = diffPhaseOutputs('design', before, after);
    expect(diff.changes.map((c) => [c.kind, c.id, c.change, c.fields.map((f) => f.field)])).toEqual([
      ['component', 'DES-001', 'modified', ['responsibility', 'requirements']],
      ['component', 'DES-002', 'added', ['name', 'responsibility']],
      ['endpoint', 'GET /reports/{id}/csv', 'modified', ['method']],
      ['field', 'architecture_overview', 'modified', ['architecture_overview']],
    ]);
    expect(diff.changes[0]!.fields[1]).toEqual({ field: 'requirements', before: ['REQ-001'], after: ['REQ-001', 'REQ-002'] });
  });

  it('tasks: tickets and tasks by id; a missing output on either side is all added or all removed', () => {
    const tasks = { tickets: [{ id: 'TKT-001', title: 'Export', description: '', priority: 'high', requirements: [] }], tasks: [{ id: 'TSK-001', ticket_id: 'TKT-001', title: 'Build it', description: 'd', estimated_hours: 2, depends_on: [], requirements: ['REQ-001'] }] };
    const added = diffPhaseOutputs('tasks', null, tasks);
    expect(added.changes.map((c) => [c.kind, c.id, c.change])).toEqual([
      ['ticket', 'TKT-001', 'added'],
      ['task', 'TSK-001', 'added'],
    ]);
    const removed = diffPhaseOutputs('tasks', tasks, undefined);
    expect(removed).toMatchObject({ added: 0, modified: 0, removed: 2 });
    const changed = diffPhaseOutputs('tasks', tasks, { ...tasks, tasks: [{ ...tasks.tasks[0]!, estimated_hours: 3, depends_on: ['TSK-000'] }] });
    expect(changed.changes).toEqual([
      {
        kind: 'task',
        id: 'TSK-001',
        parent_id: null,
        title: 'Build it',
        change: 'modified',
        fields: [
          { field: 'estimated_hours', before: 2, after: 3 },
          { field: 'depends_on', before: [], after: ['TSK-000'] },
        ],
      },
    ]);
  });

  it('other phases: every top-level value is a field; items without an id are ignored, the first of a repeated id is used', () => {
    expect(diffPhaseOutputs('explore', { codebase_summary: 'a', tech_stack: ['ts'] }, { codebase_summary: 'b', tech_stack: ['ts'], frameworks: ['fastify'] }).changes).toEqual([
      { kind: 'field', id: 'codebase_summary', parent_id: null, title: null, change: 'modified', fields: [{ field: 'codebase_summary', before: 'a', after: 'b' }] },
      { kind: 'field', id: 'frameworks', parent_id: null, title: null, change: 'added', fields: [{ field: 'frameworks', before: null, after: ['fastify'] }] },
    ]);
    const odd = diffPhaseOutputs('requirements', { requirements: [{ title: 'no id' }, req('REQ-001', 'A'), req('REQ-001', 'B')] }, { requirements: [req('REQ-001', 'A'), 'junk'] });
    expect(odd.unchanged).toBe(true);
  });
});
