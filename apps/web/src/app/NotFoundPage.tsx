import { Link, useRouteError } from 'react-router';
import { ErrorState } from '../components/ui/ErrorState';
import { useDocumentTitle } from '../lib/useDocumentTitle';

export function NotFoundPage({ what = 'page' }: { what?: string }) {
  useDocumentTitle('Not found');
  return (
    <div className="mx-auto flex max-w-lg flex-col items-center gap-3 py-16 text-center">
      <h1 className="text-xl font-semibold">Not found</h1>
      <p className="text-slate-600">This {what} does not exist, or you are not a member of its project.</p>
      <Link to="/projects" className="text-indigo-700 underline">
        Back to projects
      </Link>
    </div>
  );
}

/** Shown when rendering a route throws: the error, not a blank page. */
export function RouteErrorPage() {
  const error = useRouteError();
  return (
    <div className="mx-auto max-w-lg py-16">
      <ErrorState title="This page failed to render" error={error} onRetry={() => window.location.reload()} />
    </div>
  );
}
