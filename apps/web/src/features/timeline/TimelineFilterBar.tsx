import { useId } from 'react';
import { Filter, Search } from 'lucide-react';
import { ALL_PHASES, KNOWN_EVENT_TYPES, Phase } from '@specline/protocol';
import { PHASE_INFO } from '../phases/phaseSteps';
import { getEventMeta } from './eventMeta';
import { HEARTBEAT_TYPE, NO_FILTERS, type TimelineFilters } from './filterEvents';

/** Types offered in the type filter: the catalogue (heartbeats are a counter, not rows) plus unknown types seen. */
export function filterableTypes(seen: Iterable<string> = []): string[] {
  const types = new Set<string>(KNOWN_EVENT_TYPES.filter((t) => t !== HEARTBEAT_TYPE));
  for (const type of seen) if (type !== HEARTBEAT_TYPE) types.add(type);
  return [...types];
}

export interface TimelineFilterBarProps {
  filters: TimelineFilters;
  onChange: (filters: TimelineFilters) => void;
  types: string[];
  /** The spec's runs, newest first: offered as a run filter when there are any. */
  runs?: readonly { id: string; label: string }[];
}

/** Type (multi-select), phase, "failures only" and text search; they combine. */
export function TimelineFilterBar({ filters, onChange, types, runs = [] }: TimelineFilterBarProps) {
  const searchId = useId();
  const phaseId = useId();
  const runId = useId();
  const failuresId = useId();
  const active = filters.types.length > 0 || filters.phase !== null || filters.failuresOnly || filters.search !== '' || Boolean(filters.runId);
  const toggleType = (type: string) => {
    const set = new Set(filters.types);
    if (!set.delete(type)) set.add(type);
    onChange({ ...filters, types: [...set] });
  };
  return (
    <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-3 py-2 text-sm">
      <div className="relative min-w-48 flex-1">
        <label htmlFor={searchId} className="sr-only">
          Search events
        </label>
        <Search aria-hidden="true" className="pointer-events-none absolute left-2 top-1/2 h-4 w-4 -translate-y-1/2 text-slate-400" />
        <input
          id={searchId}
          type="search"
          value={filters.search}
          onChange={(e) => onChange({ ...filters, search: e.target.value })}
          placeholder="Search type, summary, JSON…"
          className="w-full rounded border border-slate-300 py-1 pl-8 pr-2 focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-500"
        />
      </div>
      <details className="relative">
        <summary className="flex cursor-pointer list-none items-center gap-1 rounded border border-slate-300 px-2 py-1 focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-500">
          <Filter aria-hidden="true" className="h-4 w-4" />
          Types{filters.types.length > 0 ? ` (${filters.types.length})` : ''}
        </summary>
        <fieldset className="absolute right-0 z-20 mt-1 max-h-72 w-72 overflow-y-auto rounded border border-slate-200 bg-white p-2 shadow-lg">
          <legend className="sr-only">Event types</legend>
          {types.map((type) => (
            <label key={type} className="flex items-center gap-2 rounded px-1 py-0.5 hover:bg-slate-50">
              <input type="checkbox" checked={filters.types.includes(type)} onChange={() => toggleType(type)} />
              <span>{getEventMeta(type).label}</span>
              <span className="ml-auto truncate text-xs text-slate-400">{type}</span>
            </label>
          ))}
        </fieldset>
      </details>
      <label htmlFor={phaseId} className="sr-only">
        Phase
      </label>
      <select
        id={phaseId}
        value={filters.phase ?? ''}
        onChange={(e) => {
          const parsed = Phase.safeParse(e.target.value);
          onChange({ ...filters, phase: parsed.success ? parsed.data : null });
        }}
        className="rounded border border-slate-300 px-2 py-1 focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-500"
      >
        <option value="">All phases</option>
        {ALL_PHASES.map((phase) => (
          <option key={phase} value={phase}>
            {PHASE_INFO[phase].label}
          </option>
        ))}
      </select>
      {runs.length > 0 ? (
        <>
          <label htmlFor={runId} className="sr-only">
            Run
          </label>
          <select
            id={runId}
            value={filters.runId ?? ''}
            onChange={(e) => onChange({ ...filters, runId: e.target.value || null })}
            className="max-w-56 rounded border border-slate-300 px-2 py-1 focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-500"
          >
            <option value="">All runs</option>
            {runs.map((run) => (
              <option key={run.id} value={run.id}>
                {run.label}
              </option>
            ))}
          </select>
        </>
      ) : null}
      <label htmlFor={failuresId} className="flex items-center gap-1">
        <input id={failuresId} type="checkbox" checked={filters.failuresOnly} onChange={(e) => onChange({ ...filters, failuresOnly: e.target.checked })} />
        Failures only
      </label>
      {active && (
        <button type="button" onClick={() => onChange(NO_FILTERS)} className="text-xs font-medium text-blue-700 underline">
          Clear filters
        </button>
      )}
    </div>
  );
}
