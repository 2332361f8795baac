import type { Phase, Spec } from '@specline/protocol';
import { isApiError } from '@specline/client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useApi } from '../../lib/api';
import { queryKeys } from '../../lib/queryKeys';
import { useSpecCache } from '../specs/useSpec';
import type { ApprovalMode, GatePhase } from './model';
import { normalizeProposals, type ProposalView } from './proposals';
import { normalizeRuns, type RunView } from './runs';

/** A route this server does not have yet (404 / 405 on a known spec): the feature is hidden, not an error. */
export function isMissingRoute(error: unknown): boolean {
  return isApiError(error) && (error.status === 404 || error.status === 405);
}

/** The answer of approve / reject / rerun: a spec when the server sends one. */
function specOf(answer: unknown): Spec | null {
  if (typeof answer !== 'object' || answer === null) return null;
  const candidate = answer as Partial<Spec>;
  return typeof candidate.id === 'string' && typeof candidate.status === 'string' && Array.isArray(candidate.requirements) && Array.isArray(candidate.phases) ? (candidate as Spec) : null;
}

/** Everything a review action changes: the spec, its events, runs, proposals and what is derived from them. */
export function useReviewRefresh(specId: string) {
  const queryClient = useQueryClient();
  const cache = useSpecCache(specId);
  return useCallback(
    (answer?: unknown) => {
      const spec = specOf(answer);
      if (spec) cache.setSpec(spec);
      void queryClient.invalidateQueries({ queryKey: queryKeys.specs.detail(specId) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.specs.eventsAll(specId) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.specs.runs(specId) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.specs.proposals(specId) });
      cache.invalidateDerived();
    },
    [cache, queryClient, specId],
  );
}

export interface RunsState {
  runs: RunView[];
  /** False when the server has no runs route (an older server): the runs list and filter are hidden. */
  supported: boolean;
  isPending: boolean;
  error: unknown;
  refetch: () => void;
}

export function useRuns(specId: string): RunsState {
  const api = useApi();
  const query = useQuery({
    queryKey: queryKeys.specs.runs(specId),
    queryFn: ({ signal }) => api.specs.runs(specId, signal),
    select: normalizeRuns,
    retry: (count, error) => !isMissingRoute(error) && count < 2,
  });
  const missing = query.isError && isMissingRoute(query.error);
  return {
    runs: query.data ?? [],
    supported: !missing,
    isPending: query.isPending,
    error: missing ? null : query.error,
    refetch: () => void query.refetch(),
  };
}

export function useProposals(specId: string): { proposals: ProposalView[]; supported: boolean } {
  const api = useApi();
  const query = useQuery({
    queryKey: queryKeys.specs.proposals(specId),
    queryFn: ({ signal }) => api.specs.proposals(specId, { status: 'open' }, signal),
    select: normalizeProposals,
    retry: (count, error) => !isMissingRoute(error) && count < 2,
  });
  return { proposals: query.data ?? [], supported: !(query.isError && isMissingRoute(query.error)) };
}

export function useRejectPhase(specId: string) {
  const api = useApi();
  const refresh = useReviewRefresh(specId);
  return useMutation({
    mutationFn: ({ phase, comment }: { phase: GatePhase; comment: string }) =>
      phase === 'requirements' ? api.specs.rejectRequirements(specId, comment) : api.specs.rejectDesign(specId, comment),
    onSuccess: (answer) => refresh(answer),
  });
}

export function useRerun(specId: string) {
  const api = useApi();
  const refresh = useReviewRefresh(specId);
  return useMutation({
    mutationFn: ({ fromPhase, approvalMode }: { fromPhase: Phase; approvalMode?: ApprovalMode }) =>
      api.specs.rerun(specId, { from_phase: fromPhase, ...(approvalMode ? { approval_mode: approvalMode } : {}) }),
    onSuccess: (answer) => refresh(answer),
  });
}

export function useResolveProposal(specId: string) {
  const api = useApi();
  const refresh = useReviewRefresh(specId);
  return useMutation({
    mutationFn: ({ proposalId, action }: { proposalId: string; action: 'accept' | 'dismiss' }) =>
      action === 'accept' ? api.specs.acceptProposal(specId, proposalId) : api.specs.dismissProposal(specId, proposalId),
    onSuccess: (answer) => refresh(answer),
  });
}

export function useApprovePhase(specId: string) {
  const api = useApi();
  const refresh = useReviewRefresh(specId);
  return useMutation({
    mutationFn: (phase: GatePhase) => (phase === 'requirements' ? api.specs.approveRequirements(specId) : api.specs.approveDesign(specId)),
    onSuccess: (answer) => refresh(answer),
  });
}
