import { useQuery, useQueryClient } from '@tanstack/react-query';
import { FileStack, LogOut } from 'lucide-react';
import { Link, NavLink, Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { toast } from 'sonner';
import { Button } from '../components/ui/Button';
import { ErrorState } from '../components/ui/ErrorState';
import { Spinner } from '../components/ui/Spinner';
import { SearchBox } from '../features/search/SearchBox';
import { useApi } from '../lib/api';
import { errorMessage } from '../lib/errors';
import { queryKeys } from '../lib/queryKeys';
import { sessionHint } from '../lib/sessionHint';
import { isApiError } from '@specline/client';

/** The signed-in shell: top bar and the page. Without a session it sends you to sign-in (with `?next=`). */
export function AppLayout() {
  const api = useApi();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const hinted = sessionHint.present();
  const me = useQuery({ queryKey: queryKeys.me, queryFn: ({ signal }) => api.auth.me(signal), staleTime: 5 * 60_000, enabled: hinted });
  const next = `${location.pathname}${location.search}`;

  if (!hinted && !me.data) return <Navigate to={`/sign-in?next=${encodeURIComponent(next)}`} replace />;
  if (me.isPending) return <Spinner label="Checking your session…" className="min-h-screen" />;
  if (me.isError) {
    if (isApiError(me.error) && me.error.status === 401) {
      sessionHint.clear();
      return <Navigate to={`/sign-in?next=${encodeURIComponent(next)}`} replace />;
    }
    return (
      <div className="mx-auto max-w-lg py-16">
        <ErrorState title="Could not load your session" error={me.error} onRetry={() => void me.refetch()} retrying={me.isFetching} />
      </div>
    );
  }
  if (!me.data) return <Navigate to={`/sign-in?next=${encodeURIComponent(next)}`} replace />;

  async function signOut() {
    try {
      await api.auth.logout();
    } catch (error) {
      toast.error(`Sign-out failed: ${errorMessage(error)}`);
      return;
    }
    sessionHint.clear();
    queryClient.clear();
    queryClient.setQueryData(queryKeys.me, null);
    void navigate('/sign-in', { replace: true });
  }

  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex h-14 max-w-7xl items-center gap-6 px-4">
          <Link to="/projects" className="flex items-center gap-2 font-semibold text-slate-900">
            <FileStack aria-hidden className="size-5 text-indigo-600" />
            Specline
          </Link>
          <nav aria-label="Main" className="flex gap-4 text-sm">
            <NavLink to="/projects" className={({ isActive }) => (isActive ? 'font-medium text-indigo-700' : 'text-slate-600 hover:text-slate-900')}>
              Projects
            </NavLink>
          </nav>
          <SearchBox />
          <div className="ml-auto flex items-center gap-3 text-sm">
            <span className="text-slate-600" title={me.data.email}>
              {me.data.name}
            </span>
            <Button size="sm" variant="ghost" onClick={() => void signOut()} icon={<LogOut aria-hidden className="size-4" />}>
              Sign out
            </Button>
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-6">
        <Outlet />
      </main>
    </div>
  );
}
