import { DEFAULT_EXECUTOR_MODELS, type Phase, type PhaseStatus } from '@specline/protocol';

/**
 * Who wrote a phase's output, in words. The server reports `executor` (`planner`, `anthropic`, `openai`,
 * or a name it does not know yet) and `model` (null for the planner) per phase; both are absent for
 * phases written before it did, and then nothing is claimed.
 */

/**
 * The model each provider uses when none is set, shown as placeholders (settings, launch override).
 * Keep in step with the sandbox's executor defaults.
 */
export const PROVIDER_DEFAULT_MODEL: Readonly<Record<'anthropic' | 'openai', string>> = DEFAULT_EXECUTOR_MODELS;

export const PLANNER_SENTENCE = 'Written by the offline planner — no model was used';

const EXECUTOR_NAMES: Readonly<Record<string, string>> = {
  planner: 'Offline planner',
  anthropic: 'Anthropic',
  openai: 'OpenAI-compatible',
};

export function isPlanner(executor: string | null | undefined): boolean {
  return executor === 'planner';
}

/** `Offline planner`, `Anthropic`, `OpenAI-compatible`; an unknown executor keeps its own name. */
export function executorName(executor: string): string {
  return EXECUTOR_NAMES[executor] ?? executor;
}

function clean(value: string | null | undefined): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** `Offline planner`, `Anthropic · claude-sonnet-4-5`, `OpenAI-compatible · qwen2.5-coder:7b`; null when not reported. */
export function writtenByLabel(executor: string | null | undefined, model: string | null | undefined): string | null {
  const name = clean(executor);
  if (!name) return null;
  if (isPlanner(name)) return executorName(name);
  const m = clean(model);
  return m ? `${executorName(name)} · ${m}` : executorName(name);
}

/** One plain sentence for a phase or a spec: the planner case says that no model was used. */
export function writtenBySentence(executor: string | null | undefined, model: string | null | undefined): string | null {
  if (isPlanner(clean(executor))) return PLANNER_SENTENCE;
  const label = writtenByLabel(executor, model);
  return label ? `Written by ${label}` : null;
}

export type Authorship =
  | { kind: 'unknown' }
  | { kind: 'planner' }
  | { kind: 'single'; label: string }
  | { kind: 'mixed'; labels: string[] };

/** Who wrote the spec, over the phases that say: one executor and model, the planner, several, or unknown. */
export function specAuthorship(phases: readonly Phase[], phaseStatus: Partial<Record<Phase, PhaseStatus>>): Authorship {
  const labels: string[] = [];
  let allPlanner = true;
  for (const phase of phases) {
    const status = phaseStatus[phase];
    const label = writtenByLabel(status?.executor, status?.model);
    if (!label) continue;
    if (!isPlanner(clean(status?.executor))) allPlanner = false;
    if (!labels.includes(label)) labels.push(label);
  }
  if (labels.length === 0) return { kind: 'unknown' };
  if (allPlanner) return { kind: 'planner' };
  if (labels.length === 1) return { kind: 'single', label: labels[0] ?? '' };
  return { kind: 'mixed', labels };
}

/** The authorship as one sentence, or null when no phase reported it. */
export function authorshipSentence(authorship: Authorship): string | null {
  switch (authorship.kind) {
    case 'unknown':
      return null;
    case 'planner':
      return PLANNER_SENTENCE;
    case 'single':
      return `Written by ${authorship.label}`;
    case 'mixed':
      return `Written by ${authorship.labels.join(', ')}`;
  }
}
