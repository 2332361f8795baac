import type { SpecTask } from '@specline/protocol';

export interface ResolvedDependency {
  id: string;
  localId: string | null;
  title: string;
  /** `TSK-002 Add the limiter` or, for an id that matches no task, `unknown task`. */
  label: string;
  missing: boolean;
}

/** Dependencies are server ids; people read local ids and titles. */
export function resolveDependencies(task: SpecTask, tasks: readonly SpecTask[]): ResolvedDependency[] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const byLocal = new Map(tasks.filter((t) => t.local_id).map((t) => [t.local_id, t]));
  return task.dependencies.map((dep) => {
    const target = byId.get(dep) ?? byLocal.get(dep);
    if (!target) return { id: dep, localId: null, title: 'unknown task', label: `unknown task (${dep})`, missing: true };
    return { id: dep, localId: target.local_id, title: target.title, label: target.local_id ? `${target.local_id} ${target.title}` : target.title, missing: false };
  });
}
