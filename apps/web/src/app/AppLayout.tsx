import { useQuery, useQueryClient } from '@tanstack/react-query';
import { FileStack, LogOut } from 'lucide-react';
import { Link, NavLink, Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { toast } from 'sonner';
import { Button } from '../components/ui/Button';
import { ErrorState } from '../components/ui/ErrorState';
import { SkipLink } from '../components/ui/SkipLink';
import { Spinner } from '../components/ui/Spinner';
import { ThemeToggle } from '../components/ui/ThemeToggle';
import { SearchBox } from '../features/search/SearchBox';
import { ShortcutsHelp } from '../features/shortcuts/ShortcutsHelp';
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
      {/* The skip link: the first thing a keyboard reaches. */}
      <SkipLink />
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex h-14 max-w-7xl items-center gap-3 px-3 sm:gap-6 sm:px-4">
          <Link to="/projects" className="flex shrink-0 items-center gap-2 font-semibold text-slate-900">
            <FileStack aria-hidden className="size-5 text-indigo-600" />
            Specline
          </Link>
          <nav aria-label="Main" className="flex shrink-0 gap-4 text-sm">
            <NavLink to="/projects" className={({ isActive }) => (isActive ? 'font-medium text-indigo-700' : 'text-slate-600 hover:text-slate-900')}>
              Projects
            </NavLink>
          </nav>
          {/* The search box's place: it takes the room between the navigation and the account. */}
          <div className="flex min-w-0 flex-1 justify-end sm:justify-start" data-slot="search"><SearchBox /></div>
          <div className="flex shrink-0 items-center gap-1 text-sm sm:gap-3">
            <ThemeToggle userId={me.data.id} />
            <span className="hidden max-w-48 truncate text-slate-600 md:inline" title={me.data.email}>
              {me.data.name}
            </span>
            <Button size="sm" variant="ghost" onClick={() => void signOut()} aria-label="Sign out" title={`Sign out ${me.data.email}`} icon={<LogOut aria-hidden className="size-4" />}>
              <span aria-hidden className="hidden sm:inline">
                Sign out
              </span>
            </Button>
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="mx-auto max-w-7xl px-3 py-6 focus:outline-none sm:px-4">
        <Outlet />
      </main>
      <ShortcutsHelp />
    </div>
  );
}
