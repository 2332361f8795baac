/**
 * Auto TASKS: an implementation task per design component (the new rules first, the changes that
 * call them after), then a test task per implementation task that depends on it. Every task cites
 * the REQ-xxx and DES-xxx ids found in the prompt; dependencies only point backwards (a DAG);
 * estimates stay within 1–8 hours.
 */
import { featureWords } from '../../../executors/text';
import { testPathFor } from './repo';
import type { Seen, SeenComponent } from './seen';

interface Task {
  id: string;
  ticket_id: string;
  title: string;
  description: string;
  estimated_hours: number;
  depends_on: string[];
  requirements: string[];
  components?: string[];
  files?: string[];
}

export function autoTasks(seen: Seen): Record<string, unknown> {
  const { brief, files } = seen;
  const feature = featureWords(brief.title, 2).join(' ');
  const reqIds = brief.requirements.map((r) => r.id);
  const components: SeenComponent[] =
    brief.components.length > 0
      ? brief.components
      : brief.requirements.map((r) => ({ id: '', name: r.title, responsibility: r.text, requirements: [r.id] }));

  const tasks: Task[] = [];
  const nextId = () => `TSK-${String(tasks.length + 1).padStart(3, '0')}`;
  const implTasks: { task: Task; component: SeenComponent }[] = [];

  components.forEach((component, i) => {
    const cited = component.requirements.filter((id) => reqIds.includes(id) || reqIds.length === 0);
    const requirements = cited.length > 0 ? cited : reqIds.slice(0, 1);
    const file = component.file_path;
    const modify = component.change === 'modify' || (file !== undefined && files.includes(file));
    const task: Task = {
      id: nextId(),
      ticket_id: 'TKT-001',
      title: `${modify ? 'Change' : 'Implement'} ${component.name}`,
      description:
        `${modify ? 'Change' : 'Create'} ${file ?? `the code for ${component.name}`}` +
        `${component.id ? ` (${component.id})` : ''}: ${(component.responsibility || component.name).replace(/[.\s]+$/, '')}. Done when ${requirements.join(', ')} hold.`,
      estimated_hours: Math.min(8, Math.max(1, modify ? 3 : 4 + Math.min(2, requirements.length - 1))),
      // The first component holds the rules the others call.
      depends_on: i === 0 || implTasks[0] === undefined ? [] : [implTasks[0].task.id],
      requirements,
      ...(component.id ? { components: [component.id] } : {}),
      ...(file ? { files: [file] } : {}),
    };
    tasks.push(task);
    implTasks.push({ task, component });
  });

  // Requirements no component cited go to the first implementation task.
  const cited = new Set(tasks.flatMap((t) => t.requirements));
  const first = tasks[0];
  if (first) for (const id of reqIds) if (!cited.has(id)) first.requirements.push(id);

  for (const { task, component } of implTasks) {
    const file = component.file_path;
    tasks.push({
      id: nextId(),
      ticket_id: 'TKT-002',
      title: `Test ${component.name}`,
      description: `${file && files.includes(testPathFor(files, file)) ? `Extend ${testPathFor(files, file)} with tests` : `Write tests${file ? ` in ${testPathFor(files, file)}` : ''}`} that check each acceptance criterion of ${task.requirements.join(', ')} against the code of ${task.id}, asserting the status codes, headers, stored rows and log lines the criteria name.`,
      estimated_hours: Math.min(8, 2 + Math.floor(task.requirements.length / 3)),
      depends_on: [task.id],
      requirements: [...task.requirements],
      ...(task.components ? { components: [...task.components] } : {}),
      ...(file ? { files: [testPathFor(files, file)] } : {}),
    });
  }

  return {
    generated_by: 'fake-llm',
    tickets: [
      { id: 'TKT-001', title: `Build ${feature}`, description: `Implement ${feature}: ${implTasks.map((t) => t.task.id).join(', ')}.`, priority: 'high', requirements: reqIds },
      { id: 'TKT-002', title: `Verify ${feature}`, description: `Automated tests for every acceptance criterion of ${feature}.`, priority: 'medium', requirements: reqIds },
    ],
    tasks,
    context_used: { files_listed: files.length, requirements_cited: reqIds.length, components_cited: brief.components.length },
  };
}
