import type { Spec, SpecTask } from '@specline/protocol';
import { Pencil, Plus, Trash2 } from 'lucide-react';
import { Fragment, useState } from 'react';
import { Badge, type Tone } from '../../../components/ui/Badge';
import { Button, IconButton } from '../../../components/ui/Button';
import { ConfirmDialog } from '../../../components/ui/Dialog';
import { EmptyState } from '../../../components/ui/EmptyState';
import { useApi } from '../../../lib/api';
import { formatHours } from '../../../lib/format';
import { PriorityBadge } from '../PriorityBadge';
import { RowProposals } from '../../review/ProposedChange';
import { proposalsForRow } from '../../review/proposals';
import { useProposals } from '../../review/useReview';
import { useSpecCache } from '../useSpec';
import { TaskDialog } from './TaskDialog';
import { resolveDependencies } from './taskDeps';

const statusTones: Record<SpecTask['status'], Tone> = { pending: 'neutral', in_progress: 'info', completed: 'success', blocked: 'danger' };
const statusLabels: Record<SpecTask['status'], string> = { pending: 'Pending', in_progress: 'In progress', completed: 'Completed', blocked: 'Blocked' };

/** A task's proposed changes, in a row of their own under it (nothing when there are none). */
function TaskProposalRow({ specId, task }: { specId: string; task: SpecTask }) {
  const { proposals } = useProposals(specId);
  if (proposalsForRow(proposals, 'task', task).length === 0) return null;
  return (
    <tr>
      <td colSpan={7} className="px-3 pb-3">
        <RowProposals specId={specId} kind="task" row={task} />
      </td>
    </tr>
  );
}

export function TasksTab({ spec }: { spec: Spec }) {
  const api = useApi();
  const cache = useSpecCache(spec.id);
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<SpecTask | null>(null);
  const [deleting, setDeleting] = useState<SpecTask | null>(null);
  const totalHours = spec.tasks.reduce((sum, t) => sum + (t.estimated_hours ?? 0), 0);

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="text-lg font-semibold">
          Tasks ({spec.tasks.length}){totalHours ? <span className="ml-2 text-sm font-normal text-slate-500">{formatHours(totalHours)} estimated</span> : null}
        </h2>
        <Button onClick={() => setAdding(true)} icon={<Plus aria-hidden className="size-4" />}>
          Add task
        </Button>
      </div>
      {spec.tasks.length === 0 ? (
        <EmptyState title="No tasks yet" description={spec.status === 'executing' ? 'The run creates them in the tasks phase.' : 'Run the spec to plan them, or add one by hand.'} />
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="responsive-table w-full text-sm">
            <caption className="sr-only">Tasks of this spec</caption>
            <thead className="bg-slate-50 text-left text-xs font-medium tracking-wide text-slate-500 uppercase">
              <tr>
                <th scope="col" className="px-3 py-2">ID</th>
                <th scope="col" className="px-3 py-2">Task</th>
                <th scope="col" className="px-3 py-2">Status</th>
                <th scope="col" className="px-3 py-2">Priority</th>
                <th scope="col" className="px-3 py-2">Depends on</th>
                <th scope="col" className="px-3 py-2">Estimate</th>
                <th scope="col" className="px-3 py-2">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {spec.tasks.map((task) => {
                const deps = resolveDependencies(task, spec.tasks);
                const name = task.local_id ?? task.title;
                return (
                  <Fragment key={task.id}>
                  <tr className="border-t border-slate-100 align-top">
                    <td data-label="ID" className="px-3 py-2 font-mono text-xs whitespace-nowrap text-slate-600">{task.local_id ?? '—'}</td>
                    <td data-label="Task" className="min-w-48 px-3 py-2">
                      <span className="font-medium break-words">{task.title}</span>
                      {task.description ? <p className="line-clamp-2 text-xs text-slate-500">{task.description}</p> : null}
                      {task.ticket_local_id ? <p className="text-xs text-slate-500">Ticket {task.ticket_local_id}</p> : null}
                    </td>
                    <td data-label="Status" className="px-3 py-2">
                      <Badge tone={statusTones[task.status]}>{statusLabels[task.status]}</Badge>
                    </td>
                    <td data-label="Priority" className="px-3 py-2">
                      <PriorityBadge priority={task.priority} />
                    </td>
                    <td data-label="Depends on" className="min-w-40 px-3 py-2">
                      {deps.length === 0 ? (
                        <span className="text-slate-400">—</span>
                      ) : (
                        <ul className="flex flex-col gap-0.5">
                          {deps.map((dep) => (
                            <li key={dep.id} title={dep.label} className={dep.missing ? 'line-clamp-2 text-xs text-red-700' : 'line-clamp-2 text-xs text-slate-700'}>
                              {dep.localId ? <span className="mr-1 font-mono text-slate-500">{dep.localId}</span> : null}
                              {dep.missing ? dep.label : dep.title}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td data-label="Estimate" className="px-3 py-2 whitespace-nowrap tabular-nums">
                      {task.actual_hours !== null ? `${formatHours(task.actual_hours)} / ` : ''}
                      {formatHours(task.estimated_hours)}
                    </td>
                    <td className="px-3 py-2">
                      <div className="flex gap-1 max-md:ml-auto">
                        <IconButton label={`Edit ${name}`} icon={<Pencil aria-hidden className="size-4" />} onClick={() => setEditing(task)} />
                        <IconButton label={`Delete ${name}`} icon={<Trash2 aria-hidden className="size-4" />} onClick={() => setDeleting(task)} />
                      </div>
                    </td>
                  </tr>
                  <TaskProposalRow specId={spec.id} task={task} />
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <TaskDialog specId={spec.id} tasks={spec.tasks} open={adding} onOpenChange={setAdding} />
      <TaskDialog specId={spec.id} task={editing ?? undefined} tasks={spec.tasks} open={editing !== null} onOpenChange={(open) => !open && setEditing(null)} />
      <ConfirmDialog
        open={deleting !== null}
        onOpenChange={(open) => !open && setDeleting(null)}
        title={`Delete ${deleting?.local_id ?? 'this task'}?`}
        description={`“${deleting?.title ?? ''}” is removed from the plan. Tasks that depend on it lose that dependency.`}
        confirmLabel="Delete task"
        onConfirm={async () => {
          if (!deleting) return;
          const id = deleting.id;
          await api.tasks.delete(spec.id, id);
          void cache.patchSpec((s) => ({ ...s, tasks: s.tasks.filter((t) => t.id !== id).map((t) => ({ ...t, dependencies: t.dependencies.filter((d) => d !== id) })) }));
          cache.invalidateDerived();
        }}
      />
    </div>
  );
}
