import { useEffect } from 'react';

export const APP_NAME = 'Specline';

/** "Add order refunds · Demo project · Specline": the page's names, most specific first, then the app's. */
export function documentTitle(parts: readonly (string | null | undefined | false)[]): string {
  return [...parts.filter((p): p is string => typeof p === 'string' && p.trim() !== '').map((p) => p.trim()), APP_NAME].join(' · ');
}

/**
 * Names the page in the browser tab (and for screen readers, which announce it on navigation). Parts not
 * known yet (still loading) are left out; the title follows them when they arrive.
 */
export function useDocumentTitle(...parts: (string | null | undefined | false)[]): void {
  const title = documentTitle(parts);
  useEffect(() => {
    document.title = title;
  }, [title]);
}
