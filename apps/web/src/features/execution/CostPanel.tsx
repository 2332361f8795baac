import type { Spec } from '@specline/protocol';
import { Bot, Coins, Cpu } from 'lucide-react';
import { cn } from '../../lib/cn';
import { authorshipSentence, specAuthorship } from '../phases/executors';
import { costBreakdown, type CostBreakdown, type UsageCells } from './cost';

const th = 'px-3 py-2 text-left text-xs font-medium uppercase tracking-wide text-slate-500';
const num = 'px-3 py-2 text-right tabular-nums';

function Missing({ title = 'Not reported' }: { title?: string }) {
  return (
    <span className="text-slate-400" title={title}>
      —<span className="sr-only">{title}</span>
    </span>
  );
}

function UsageCellsRow({ usage }: { usage: UsageCells }) {
  return (
    <>
      <td className={num}>{usage.input}</td>
      <td className={num}>{usage.output}</td>
      <td className={num}>{usage.cacheRead ?? <Missing />}</td>
      <td className={num}>{usage.cacheWrite ?? <Missing />}</td>
      <td className={cn(num, 'font-medium text-slate-900')}>{usage.cost}</td>
    </>
  );
}

function NotReported({ text = 'Not reported' }: { text?: string }) {
  return (
    <td colSpan={5} className="px-3 py-2 text-right text-slate-500">
      {text}
    </td>
  );
}

/**
 * The Cost panel of the Execution tab: per phase who wrote it (executor and model), input, output and
 * cache tokens and the cost, then the run's total. "Not reported" where the server has no figures; the
 * planner's phases cost $0.00.
 */
export function CostPanel({ spec, breakdown }: { spec: Spec; breakdown?: CostBreakdown }) {
  const { rows, total } = breakdown ?? costBreakdown(spec);
  const authorship = specAuthorship(spec.phases.length > 0 ? spec.phases : rows.map((r) => r.phase), spec.phase_status);
  const sentence = authorshipSentence(authorship);
  return (
    <section aria-labelledby="cost-panel-title" className="rounded-lg border border-slate-200 bg-white" data-testid="cost-panel">
      <div className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-100 px-3 py-2">
        <h3 id="cost-panel-title" className="flex items-center gap-2 text-sm font-semibold text-slate-900">
          <Coins aria-hidden className="size-4 text-slate-500" />
          Cost
        </h3>
        {sentence ? (
          <p className="flex items-center gap-1.5 text-sm text-slate-700" data-testid="written-by">
            {authorship.kind === 'planner' ? <Cpu aria-hidden className="size-4 text-slate-500" /> : <Bot aria-hidden className="size-4 text-slate-500" />}
            {sentence}
          </p>
        ) : null}
      </div>
      {/* contain:inline-size: the table’s minimum width scrolls here instead of widening the page on a phone; relative: its sr-only texts stay inside too. */}
      <div className="relative overflow-x-auto [contain:inline-size]" tabIndex={0} role="region" aria-label="Tokens and cost per phase (scrolls sideways)">
        <table className="w-full min-w-[40rem] text-sm">
          <caption className="sr-only">Tokens and cost per phase, and the run’s total</caption>
          <thead className="bg-slate-50">
            <tr>
              <th scope="col" className={th}>
                Phase
              </th>
              <th scope="col" className={th}>
                Written by
              </th>
              <th scope="col" className={cn(th, 'text-right')}>
                Input
              </th>
              <th scope="col" className={cn(th, 'text-right')}>
                Output
              </th>
              <th scope="col" className={cn(th, 'text-right')}>
                Cache read
              </th>
              <th scope="col" className={cn(th, 'text-right')}>
                Cache write
              </th>
              <th scope="col" className={cn(th, 'text-right')}>
                Cost
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.phase} className="border-t border-slate-100" data-testid="cost-row" data-phase={row.phase}>
                <th scope="row" className="px-3 py-2 text-left font-medium text-slate-800">
                  {row.label}
                </th>
                <td className="px-3 py-2 text-slate-700">{row.writtenBy ?? (row.ran ? <span className="text-slate-500">Not reported</span> : <span className="text-slate-400">Not run yet</span>)}</td>
                {row.usage ? <UsageCellsRow usage={row.usage} /> : row.ran ? <NotReported /> : <NotReported text="—" />}
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr className="border-t-2 border-slate-200 bg-slate-50" data-testid="cost-total">
              <th scope="row" colSpan={2} className="px-3 py-2 text-left font-semibold text-slate-900">
                Total
              </th>
              {total ? <UsageCellsRow usage={total} /> : <NotReported />}
            </tr>
          </tfoot>
        </table>
      </div>
    </section>
  );
}
