import type { Spec } from '@specline/protocol';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { useApi } from '../../lib/api';
import { queryKeys } from '../../lib/queryKeys';

export interface UseSpecOptions {
  /** How often to read the spec again, from the cached one (default: never). `useLiveSpec` reads it only while the run's stream is down. */
  refetchInterval?: (spec: Spec | undefined) => number | false;
}

/**
 * The spec detail query. It does not poll: while a run is live, `useLiveSpec` writes the run's events into
 * it and reads it again only when the events bring rows they do not carry (issue 14).
 */
export function useSpec(specId: string, options: UseSpecOptions = {}) {
  const api = useApi();
  const interval = options.refetchInterval;
  return useQuery({
    queryKey: queryKeys.specs.detail(specId),
    queryFn: ({ signal }) => api.specs.get(specId, signal),
    refetchInterval: interval ? (query) => interval(query.state.data) : false,
  });
}

/** How a mutation puts its answer into the cache, and what it makes stale. */
export function useSpecCache(specId: string) {
  const queryClient = useQueryClient();

  /** Replace the cached spec (an answer that is a whole `Spec`). */
  const setSpec = useCallback(
    (spec: Spec) => {
      queryClient.setQueryData(queryKeys.specs.detail(specId), spec);
    },
    [queryClient, specId],
  );

  /**
   * Edit the cached spec in place (an answer that is one child: a requirement, a task, …). `update` must
   * be idempotent (every caller upserts or removes by id): it is applied at once, so a ticked box shows
   * ticked in the same render, and again once a read of the spec that started before this write is
   * cancelled (it would land after it and put the old state back; cancelling reverts the cache to the
   * state before that read, so the update is re-applied on top), as TanStack Query's recipe does.
   */
  const patchSpec = useCallback(
    async (update: (spec: Spec) => Spec) => {
      const apply = () => queryClient.setQueryData<Spec>(queryKeys.specs.detail(specId), (old) => (old ? update(old) : old));
      apply();
      await queryClient.cancelQueries({ queryKey: queryKeys.specs.detail(specId) });
      apply();
    },
    [queryClient, specId],
  );

  /** Everything derived from the spec's content: versions (every edit is one), criteria/execution status, lists. */
  const invalidateDerived = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.specs.versionsAll(specId) });
    void queryClient.invalidateQueries({ queryKey: queryKeys.specs.criteriaStatus(specId) });
    void queryClient.invalidateQueries({ queryKey: queryKeys.specs.executionStatus(specId) });
    void queryClient.invalidateQueries({ queryKey: queryKeys.specs.lists });
  }, [queryClient, specId]);

  /** When the answer does not carry the new state (a 204): refetch the detail too. */
  const invalidateDetail = useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.specs.detail(specId) });
    invalidateDerived();
  }, [queryClient, specId, invalidateDerived]);

  return useMemo(() => ({ setSpec, patchSpec, invalidateDerived, invalidateDetail }), [setSpec, patchSpec, invalidateDerived, invalidateDetail]);
}
