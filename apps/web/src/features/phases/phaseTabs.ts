import type { Phase } from '@specline/protocol';

/**
 * The spec page's tab a stepper step opens: the tab holding what the phase wrote. SYNC creates the
 * tickets and tasks, so it opens Tasks; PRD feeds the requirements. A tab the page does not have
 * (Explore before it exists) falls back to Execution, where the phase's events are.
 */
const PHASE_TAB: Record<Phase, string> = {
  explore: 'explore',
  prd: 'requirements',
  requirements: 'requirements',
  design: 'design',
  tasks: 'tasks',
  sync: 'tasks',
};

export function tabForPhase(phase: Phase, tabs: readonly string[]): string {
  const tab = PHASE_TAB[phase];
  return tabs.includes(tab) ? tab : 'execution';
}
