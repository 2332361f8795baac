import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ErrorState } from './ErrorState';
import { Spinner } from './Spinner';

export interface QueryViewProps<T> {
  query: UseQueryResult<T>;
  /** Accessible name of the spinner while the first answer is awaited. */
  loadingLabel: string;
  /** Title of the error, shown with the message and a Retry button. */
  errorTitle: string;
  /** Whether an answer holds nothing to show: `empty` is shown instead of `children`. */
  isEmpty: (data: T) => boolean;
  empty: ReactNode;
  children: (data: T) => ReactNode;
}

/**
 * One query's four states, never confused with each other: loading (a spinner), failed (an error
 * with Retry), empty, and the data.
 */
export function QueryView<T>({ query, loadingLabel, errorTitle, isEmpty, empty, children }: QueryViewProps<T>) {
  if (query.isPending) return <Spinner label={loadingLabel} />;
  if (query.isError) return <ErrorState title={errorTitle} error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />;
  return isEmpty(query.data) ? empty : children(query.data);
}
