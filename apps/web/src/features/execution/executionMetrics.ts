import type { Spec } from '@specline/protocol';
import { derivePhaseSteps, type PhaseStep, type StepState } from '../phases/phaseSteps';
import { formatCost } from './cost';

export interface TaskProgress {
  total: number;
  completed: number;
  inProgress: number;
  blocked: number;
  /** 0..100; null when there are no tasks (not 0 %, not 100 %). */
  percent: number | null;
}

export interface CriteriaProgress {
  total: number;
  met: number;
  /** "3/5 met", or "No criteria" for 0/0 (never 100 %). */
  text: string;
  percent: number | null;
}

export interface PhaseAttempts {
  phase: string;
  label: string;
  state: StepState;
  step: PhaseStep;
  /** "2/3", "1", or "—" when the phase has not run. */
  text: string;
}

export interface ExecutionMetrics {
  tasks: TaskProgress;
  criteria: CriteriaProgress;
  attempts: PhaseAttempts[];
  usage: { cost: string; tokens: string } | null;
}

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });

export function taskProgress(tasks: Spec['tasks']): TaskProgress {
  const count = (status: string) => tasks.filter((t) => t.status === status).length;
  const completed = count('completed');
  return {
    total: tasks.length,
    completed,
    inProgress: count('in_progress'),
    blocked: count('blocked'),
    percent: tasks.length === 0 ? null : (completed / tasks.length) * 100,
  };
}

export function criteriaProgress(requirements: Spec['requirements']): CriteriaProgress {
  let total = 0;
  let met = 0;
  for (const requirement of requirements) {
    total += requirement.criteria.length;
    met += requirement.criteria.filter((c) => c.completed).length;
  }
  return { total, met, text: total === 0 ? 'No criteria' : `${met}/${total} met`, percent: total === 0 ? null : (met / total) * 100 };
}

export function executionMetrics(spec: Spec): ExecutionMetrics {
  const model = derivePhaseSteps(spec);
  const attempts = model.steps.map((step) => ({
    phase: step.phase,
    label: step.label,
    state: step.state,
    step,
    text: step.attempt ? (step.maxAttempts ? `${step.attempt}/${step.maxAttempts}` : String(step.attempt)) : '—',
  }));
  const usage = spec.usage
    ? { cost: formatCost(spec.usage.cost_usd), tokens: `${compact.format(spec.usage.input_tokens)} in · ${compact.format(spec.usage.output_tokens)} out` }
    : null;
  return { tasks: taskProgress(spec.tasks), criteria: criteriaProgress(spec.requirements), attempts, usage };
}
