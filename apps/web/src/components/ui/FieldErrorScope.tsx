import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

/**
 * The error of one form's last submit, shared by its fields and its `FormError`: a field given an
 * `errorPath` shows that path's sentence next to itself and claims it, so `FormError` shows only what no
 * field showed (never the same sentence twice).
 */
interface Scope {
  error: unknown;
  claimed: ReadonlySet<string>;
  claim: (path: string) => () => void;
}

const FieldErrorContext = createContext<Scope | null>(null);

export function FieldErrorScope({ error, children }: { error: unknown; children: ReactNode }) {
  const [claimed, setClaimed] = useState<ReadonlySet<string>>(() => new Set());
  const claim = useCallback((path: string) => {
    setClaimed((prev) => (prev.has(path) ? prev : new Set([...prev, path])));
    return () =>
      setClaimed((prev) => {
        const next = new Set(prev);
        next.delete(path);
        return next;
      });
  }, []);
  const value = useMemo(() => ({ error, claimed, claim }), [error, claimed, claim]);
  return <FieldErrorContext.Provider value={value}>{children}</FieldErrorContext.Provider>;
}

/** For a field: the scope's error, after claiming `path` (nothing without a path or a scope). */
export function useFieldErrorScope(path: string | undefined): unknown {
  const scope = useContext(FieldErrorContext);
  const claim = scope?.claim;
  useEffect(() => (path && claim ? claim(path) : undefined), [path, claim]);
  return path ? scope?.error : undefined;
}

/** For `FormError`: the paths fields show themselves, when `error` is the scope's. */
export function useClaimedPaths(error: unknown): ReadonlySet<string> {
  const scope = useContext(FieldErrorContext);
  return scope && scope.error === error ? scope.claimed : EMPTY;
}

const EMPTY: ReadonlySet<string> = new Set();
