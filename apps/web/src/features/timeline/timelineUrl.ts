import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { EVENT_TYPE_PATTERN, Phase } from '@specline/protocol';
import type { TimelineFilters } from './filterEvents';

/**
 * The timeline's filters as query parameters of the page, so a filtered view can be shared and survives a
 * reload: `types` (comma-separated event types), `phase`, `failures=1` and `q` (the text search), e.g.
 * `?tab=execution&types=spec.phase_failed,spec.phase_retry&phase=design&q=timeout`. The run filter is the
 * page's own `run` parameter. Values that are not valid are ignored (a hand-edited link still opens).
 */
export const TIMELINE_PARAMS = { types: 'types', phase: 'phase', failures: 'failures', search: 'q' } as const;

/** The spec page's run filter (`?run=`), written together with the others when the timeline changes it. */
const RUN_PARAM = 'run';
const MAX_TYPES = 100;
const MAX_SEARCH = 500;

export type UrlTimelineFilters = Omit<TimelineFilters, 'runId'>;

export function filtersFromParams(params: URLSearchParams): UrlTimelineFilters {
  const types = [...new Set((params.get(TIMELINE_PARAMS.types) ?? '').split(',').map((t) => t.trim()))].filter((t) => t.length <= 100 && EVENT_TYPE_PATTERN.test(t)).slice(0, MAX_TYPES);
  const phase = Phase.safeParse(params.get(TIMELINE_PARAMS.phase));
  return {
    types,
    phase: phase.success ? phase.data : null,
    failuresOnly: params.get(TIMELINE_PARAMS.failures) === '1',
    search: (params.get(TIMELINE_PARAMS.search) ?? '').slice(0, MAX_SEARCH),
  };
}

/** `params` with the filters written in (empty ones removed), the other parameters kept as they were. */
export function paramsWithFilters(params: URLSearchParams, filters: UrlTimelineFilters): URLSearchParams {
  const next = new URLSearchParams(params);
  const set = (key: string, value: string) => (value ? next.set(key, value) : next.delete(key));
  set(TIMELINE_PARAMS.types, [...filters.types].sort().join(','));
  set(TIMELINE_PARAMS.phase, filters.phase ?? '');
  set(TIMELINE_PARAMS.failures, filters.failuresOnly ? '1' : '');
  set(TIMELINE_PARAMS.search, filters.search);
  return next;
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');

/**
 * The timeline's filters kept in the URL. A change of type, phase or "failures only" is a history entry
 * (Back undoes it); typing in the search box replaces the current entry, and the box keeps its own text
 * while the URL catches up (so the caret never jumps). Back/forward and a pasted link set the filters.
 */
export function useTimelineUrlFilters(): {
  filters: UrlTimelineFilters;
  /** Writes the filters; with `run`, the page's run filter too (one URL change, not two that would overwrite each other). */
  setFilters: (next: UrlTimelineFilters, run?: string | null) => void;
} {
  const [params, setParams] = useSearchParams();
  const key = params.toString();
  const fromUrl = useMemo(() => filtersFromParams(new URLSearchParams(key)), [key]);
  const [search, setSearch] = useState(fromUrl.search);
  const lastWritten = useRef(fromUrl.search);
  useEffect(() => {
    // The URL changed by itself (back/forward, a link): the box shows what it says.
    if (fromUrl.search !== lastWritten.current) {
      lastWritten.current = fromUrl.search;
      setSearch(fromUrl.search);
    }
  }, [fromUrl.search]);

  const setFilters = useCallback(
    (next: UrlTimelineFilters, run?: string | null) => {
      const runChanged = run !== undefined && (params.get(RUN_PARAM) ?? null) !== run;
      const discrete = runChanged || !sameList(next.types, fromUrl.types) || next.phase !== fromUrl.phase || next.failuresOnly !== fromUrl.failuresOnly;
      const text = next.search.slice(0, MAX_SEARCH);
      setSearch(text);
      lastWritten.current = text;
      setParams(
        (current) => {
          const updated = paramsWithFilters(current, { ...next, search: text });
          if (run !== undefined) {
            if (run) updated.set(RUN_PARAM, run);
            else updated.delete(RUN_PARAM);
          }
          return updated;
        },
        { replace: !discrete },
      );
    },
    [fromUrl, params, setParams],
  );

  const filters = useMemo(() => ({ ...fromUrl, search }), [fromUrl, search]);
  return { filters, setFilters };
}
