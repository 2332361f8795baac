import type { StoredEvent } from '@specline/protocol';
import { PHASE_INFO } from '../phases/phaseSteps';
import { isCancelEvent } from '../timeline/eventMeta';
import { summarizeEvent } from '../timeline/summarizeEvent';

export interface LiveToast {
  kind: 'success' | 'error' | 'warning' | 'info';
  title: string;
  description: string;
}

function phaseLabel(event: StoredEvent): string {
  const phase = typeof event.event_data['phase'] === 'string' ? event.event_data['phase'] : event.phase;
  return phase && phase in PHASE_INFO ? PHASE_INFO[phase as keyof typeof PHASE_INFO].label : (phase ?? 'Phase');
}

/**
 * The toast an event deserves, or null. `runEndShown` says whether this run's end was already announced
 * (by `execution_completed` / `execution_failed`), so the closing `agent.completed` does not repeat it.
 */
export function toastForEvent(event: StoredEvent, runEndShown: boolean): LiveToast | null {
  const description = summarizeEvent(event);
  if (isCancelEvent(event)) {
    if (event.event_type === 'spec.execution_failed') return { kind: 'info', title: 'Run cancelled', description };
    if (event.event_type === 'agent.completed' && !runEndShown) return { kind: 'info', title: 'Run cancelled', description };
    return null;
  }
  switch (event.event_type) {
    case 'spec.execution_started':
      return { kind: 'info', title: 'Run started', description };
    case 'spec.phase_completed':
      return { kind: 'success', title: `${phaseLabel(event)} passed`, description };
    case 'spec.phase_retry':
      return { kind: 'warning', title: `${phaseLabel(event)} retrying`, description };
    case 'spec.phase_failed':
      return { kind: 'error', title: `${phaseLabel(event)} failed`, description };
    case 'spec.execution_completed':
      return { kind: 'success', title: 'Run completed', description };
    case 'spec.execution_failed':
      return { kind: 'error', title: 'Run failed', description };
    case 'spec.awaiting_approval':
      return { kind: 'info', title: `${phaseLabel(event)}: Awaiting your approval`, description: 'Approve it to go on, or reject it with a comment.' };
    case 'agent.completed':
      if (runEndShown || typeof event.event_data['awaiting_approval'] === 'string') return null;
      return event.event_data['success'] === false ? { kind: 'error', title: 'Run failed', description } : { kind: 'success', title: 'Run completed', description };
    default:
      return null;
  }
}
