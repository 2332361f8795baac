import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useApi } from '../../lib/api';
import { queryKeys } from '../../lib/queryKeys';
import { SEARCH_MAX_CHARS } from './searchResults';

/** Waits until `value` has stopped changing for `delayMs` before passing it on. */
export function useDebounced<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

/** `GET /search` for the typed text once typing pauses (the text trimmed; nothing is asked for an empty box). */
export function useSearch(text: string, delayMs = 200) {
  const api = useApi();
  const q = useDebounced(text.trim().slice(0, SEARCH_MAX_CHARS), delayMs);
  const query = useQuery({
    queryKey: queryKeys.search(q),
    queryFn: ({ signal }) => api.search({ q, limit: 6 }, signal),
    enabled: q.length > 0,
    staleTime: 30_000,
    placeholderData: keepPreviousData,
  });
  return { ...query, q, settled: q === text.trim().slice(0, SEARCH_MAX_CHARS) };
}
