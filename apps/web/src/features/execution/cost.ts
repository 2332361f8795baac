import type { Phase, Spec, SpecUsage } from '@specline/protocol';
import { isPlanner, writtenByLabel } from '../phases/executors';
import { derivePhaseSteps } from '../phases/phaseSteps';

/** `$0.00` for nothing spent; more decimals for small amounts so a cent's fraction is not shown as zero. */
export function formatCost(usd: number): string {
  if (usd === 0) return '$0.00';
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  if (usd < 1) return `$${usd.toFixed(3)}`;
  return `$${usd.toFixed(2)}`;
}

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

export function formatTokens(count: number): string {
  return integer.format(count);
}

/** One usage as table cells; cache cells are null when the provider did not report them. */
export interface UsageCells {
  input: string;
  output: string;
  cacheRead: string | null;
  cacheWrite: string | null;
  cost: string;
}

export interface CostRow {
  phase: Phase;
  label: string;
  /** `Offline planner`, `Anthropic · claude-sonnet-4-5`; null when not reported. */
  writtenBy: string | null;
  planner: boolean;
  /** False for a phase of the run that has not produced anything yet. */
  ran: boolean;
  /** Null: not reported. */
  usage: UsageCells | null;
}

export interface CostBreakdown {
  rows: CostRow[];
  /** The run's total as the server keeps it (`spec.usage`); null: not reported. */
  total: UsageCells | null;
}

const ZERO: SpecUsage = { input_tokens: 0, output_tokens: 0, cost_usd: 0 };

export function usageCells(usage: SpecUsage): UsageCells {
  return {
    input: formatTokens(usage.input_tokens),
    output: formatTokens(usage.output_tokens),
    cacheRead: usage.cache_read_input_tokens === undefined ? null : formatTokens(usage.cache_read_input_tokens),
    cacheWrite: usage.cache_creation_input_tokens === undefined ? null : formatTokens(usage.cache_creation_input_tokens),
    cost: formatCost(usage.cost_usd),
  };
}

/**
 * Tokens and cost per phase (`phase_status[p].usage`) and in total (`spec.usage`). The planner calls no
 * model, so its phases cost `$0.00` even when a server did not report their usage; anything else
 * without usage is "not reported", never a made-up zero.
 */
export function costBreakdown(spec: Spec): CostBreakdown {
  const { steps } = derivePhaseSteps(spec);
  const rows = steps.map((step): CostRow => {
    const status = spec.phase_status[step.phase];
    const planner = isPlanner(status?.executor);
    const usage = status?.usage ?? (planner ? ZERO : null);
    const ran = status !== undefined && (status.state === 'passed' || status.state === 'failed' || status.attempt > 0);
    return { phase: step.phase, label: step.label, writtenBy: writtenByLabel(status?.executor, status?.model), planner, ran, usage: usage ? usageCells(usage) : null };
  });
  const reported = rows.filter((row) => row.writtenBy !== null);
  const allPlanner = reported.length > 0 && reported.every((row) => row.planner);
  const total = spec.usage ? usageCells(spec.usage) : allPlanner ? usageCells(ZERO) : null;
  return { rows, total };
}
