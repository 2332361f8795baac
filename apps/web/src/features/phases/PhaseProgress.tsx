import * as Tooltip from '@radix-ui/react-tooltip';
import {
  Ban,
  CircleCheck,
  CircleDashed,
  CircleX,
  ClipboardList,
  FileText,
  Hand,
  ListTodo,
  LoaderCircle,
  Palette,
  RefreshCw,
  RotateCcw,
  Search,
  type LucideIcon,
} from 'lucide-react';
import type { Phase } from '@specline/protocol';
import { cn } from '../../lib/cn';
import { writtenBySentence } from './executors';
import { derivePhaseSteps, type PhaseSource, type PhaseStep, type StepState } from './phaseSteps';

export const PHASE_ICONS: Record<Phase, LucideIcon> = {
  explore: Search,
  prd: ClipboardList,
  requirements: FileText,
  design: Palette,
  tasks: ListTodo,
  sync: RefreshCw,
};

/** Icon and colour per state. The state is always in words too, never in colour alone. */
const STATE_LOOK: Record<StepState, { icon: LucideIcon | null; circle: string; text: string; spin?: boolean }> = {
  idle: { icon: CircleDashed, circle: 'border-dashed border-slate-300 text-slate-400 bg-white', text: 'text-slate-500' },
  pending: { icon: null, circle: 'border-slate-300 text-slate-500 bg-white', text: 'text-slate-500' },
  running: { icon: LoaderCircle, circle: 'border-blue-500 text-blue-600 bg-blue-50 ring-2 ring-blue-200', text: 'text-blue-700', spin: true },
  retrying: { icon: RotateCcw, circle: 'border-amber-500 text-amber-700 bg-amber-50 ring-2 ring-amber-200', text: 'text-amber-800' },
  passed: { icon: CircleCheck, circle: 'border-green-600 text-green-700 bg-green-50', text: 'text-green-800' },
  failed: { icon: CircleX, circle: 'border-red-600 text-red-700 bg-red-50', text: 'text-red-800' },
  cancelled: { icon: Ban, circle: 'border-slate-500 text-slate-600 bg-slate-100', text: 'text-slate-700' },
  awaiting: { icon: Hand, circle: 'border-amber-500 text-amber-700 bg-amber-50 ring-2 ring-amber-300', text: 'text-amber-800 font-semibold' },
};

const SIZES = {
  sm: { circle: 'h-7 w-7', icon: 'h-3.5 w-3.5', label: 'text-xs', state: 'text-[11px]' },
  md: { circle: 'h-9 w-9', icon: 'h-4 w-4', label: 'text-sm', state: 'text-xs' },
  lg: { circle: 'h-11 w-11', icon: 'h-5 w-5', label: 'text-base', state: 'text-sm' },
} as const;

export type PhaseProgressSize = keyof typeof SIZES;

export function StepIcon({ step, className }: { step: PhaseStep; className?: string }) {
  const look = STATE_LOOK[step.state];
  const Icon = look.icon ?? PHASE_ICONS[step.phase];
  return <Icon aria-hidden="true" className={cn(className, look.spin && 'motion-safe:animate-spin')} />;
}

function StepTooltip({ step }: { step: PhaseStep }) {
  const writtenBy = writtenBySentence(step.executor, step.model);
  return (
    <Tooltip.Portal>
      <Tooltip.Content side="bottom" sideOffset={6} className="z-50 max-w-xs rounded-md bg-slate-900 px-3 py-2 text-xs text-white shadow-lg">
        <p className="font-semibold">{step.label}</p>
        <p className="mt-0.5 text-slate-200">{step.description}</p>
        <p className="mt-1">Status: {step.stateText}</p>
        {writtenBy && <p className="mt-1 text-slate-200">{writtenBy}</p>}
        {step.error && <p className="mt-1 break-words text-red-200">{step.error}</p>}
        <Tooltip.Arrow className="fill-slate-900" />
      </Tooltip.Content>
    </Tooltip.Portal>
  );
}

/**
 * The phase stepper: one step per phase of the run, each with its label, its state in words and an icon,
 * a focusable tooltip (label, description, state), and `aria-current="step"` on the running step.
 * A click on a step calls `onSelectStep` (the spec page opens that phase's tab); a step that has run has a
 * "details" button calling `onShowDetails` (its attempts and output). From `sm` up the steps sit in a row;
 * on a phone they stack, one line each, so the page never scrolls sideways.
 */
export function PhaseProgress({
  spec,
  size = 'md',
  onSelectStep,
  onShowDetails,
}: {
  spec: PhaseSource;
  size?: PhaseProgressSize;
  onSelectStep?: (phase: Phase) => void;
  onShowDetails?: (phase: Phase) => void;
}) {
  const model = derivePhaseSteps(spec);
  const dims = SIZES[size];
  return (
    <Tooltip.Provider delayDuration={200}>
      <ol aria-label="Phase progress" className="flex w-full flex-col gap-1 sm:flex-row sm:items-start sm:gap-0" data-run-state={model.run}>
        {model.steps.map((step, index) => {
          const look = STATE_LOOK[step.state];
          const previous = model.steps[index - 1];
          const hasRun = step.state !== 'idle' && step.state !== 'pending';
          return (
            <li
              key={step.phase}
              className="relative flex min-w-0 items-center gap-2 sm:flex-1 sm:flex-col sm:gap-0.5"
              aria-current={step.current ? 'step' : undefined}
              data-testid="phase-step"
              data-phase={step.phase}
              data-state={step.state}
            >
              {previous && (
                <span
                  aria-hidden="true"
                  className={cn('absolute right-1/2 top-3.5 -z-0 hidden h-0.5 w-full sm:block', previous.state === 'passed' ? 'bg-green-600' : 'bg-slate-200')}
                />
              )}
              <Tooltip.Root>
                <Tooltip.Trigger asChild>
                  <button
                    type="button"
                    className={cn(
                      'relative z-10 flex min-w-0 flex-1 items-center gap-2 rounded-md px-1 py-0.5 text-left focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-600',
                      'sm:flex-none sm:flex-col sm:gap-1 sm:text-center',
                      onSelectStep && 'cursor-pointer hover:bg-slate-100',
                    )}
                    aria-label={`${step.label}: ${step.stateText}`}
                    onClick={onSelectStep ? () => onSelectStep(step.phase) : undefined}
                  >
                    <span className={cn('flex shrink-0 items-center justify-center rounded-full border-2', dims.circle, look.circle)}>
                      <StepIcon step={step} className={dims.icon} />
                    </span>
                    <span className="flex min-w-0 flex-wrap items-baseline gap-x-2 sm:flex-col sm:items-center">
                      <span className={cn('font-medium text-slate-900', dims.label)}>{step.label}</span>
                      <span className={cn('sm:whitespace-nowrap', dims.state, look.text)}>{step.stateText}</span>
                    </span>
                  </button>
                </Tooltip.Trigger>
                <StepTooltip step={step} />
              </Tooltip.Root>
              {onShowDetails && hasRun ? (
                <button
                  type="button"
                  aria-haspopup="dialog"
                  aria-label={`${step.label} details`}
                  className={cn('relative z-10 shrink-0 rounded px-1.5 py-0.5 text-slate-600 underline-offset-2 hover:text-slate-900 hover:underline', dims.state)}
                  onClick={() => onShowDetails(step.phase)}
                >
                  Details
                </button>
              ) : null}
            </li>
          );
        })}
      </ol>
    </Tooltip.Provider>
  );
}

function inlineSummary(model: ReturnType<typeof derivePhaseSteps>): string {
  const total = model.steps.length;
  switch (model.run) {
    case 'idle':
      return 'Not started';
    case 'completed':
      return 'Complete';
    case 'failed':
      return model.focus ? `Failed at ${model.focus.label}` : 'Failed';
    case 'cancelled':
      return model.focus ? `Cancelled at ${model.focus.label}` : 'Cancelled';
    case 'awaiting':
      return model.focus ? `${model.focus.label} awaiting your approval` : 'Awaiting your approval';
    case 'running':
      return model.focus ? `${model.passedCount}/${total} · ${model.focus.label} ${model.focus.stateText.toLowerCase()}` : `${model.passedCount}/${total} passed`;
  }
}

/** Compact stepper for sidebars and lists: one icon per phase, then the state in words. */
export function PhaseProgressInline({ spec }: { spec: PhaseSource }) {
  const model = derivePhaseSteps(spec);
  const summary = inlineSummary(model);
  return (
    <div className="flex items-center gap-2" data-testid="phase-progress-inline" data-run-state={model.run}>
      <ol aria-label="Phases" className="flex items-center gap-1">
        {model.steps.map((step) => (
          <li key={step.phase} aria-current={step.current ? 'step' : undefined} title={`${step.label}: ${step.stateText}`} className={STATE_LOOK[step.state].text}>
            <StepIcon step={step} className="h-3.5 w-3.5" />
            <span className="sr-only">{`${step.label}: ${step.stateText}`}</span>
          </li>
        ))}
      </ol>
      <span className="text-xs text-slate-700">{summary}</span>
    </div>
  );
}
