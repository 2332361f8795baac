import { describe, expect, it } from 'vitest';
import { makeTask } from '../../../test/fixtures';
import { resolveDependencies } from './taskDeps';

describe('resolveDependencies', () => {
  const a = makeTask({ id: 'id-a', local_id: 'TSK-001', title: 'Add the limiter' });
  const b = makeTask({ id: 'id-b', local_id: null, title: 'Write docs' });

  it('turns server ids into local id + title, in the order given', () => {
    const task = makeTask({ id: 'id-c', dependencies: ['id-b', 'id-a'] });
    expect(resolveDependencies(task, [a, b, task]).map((d) => d.label)).toEqual(['Write docs', 'TSK-001 Add the limiter']);
  });

  it('accepts a local id as a reference too', () => {
    const task = makeTask({ id: 'id-c', dependencies: ['TSK-001'] });
    expect(resolveDependencies(task, [a, task])).toEqual([{ id: 'TSK-001', localId: 'TSK-001', title: 'Add the limiter', label: 'TSK-001 Add the limiter', missing: false }]);
  });

  it('marks a dependency that matches no task as missing instead of showing a bare id', () => {
    const task = makeTask({ id: 'id-c', dependencies: ['gone'] });
    expect(resolveDependencies(task, [a, task])).toEqual([{ id: 'gone', localId: null, title: 'unknown task', label: 'unknown task (gone)', missing: true }]);
  });
});
