import { QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { RouterProvider } from 'react-router';
import { Toaster } from 'sonner';
import { TooltipProvider } from '../components/ui/Tooltip';
import { setUnauthorizedHandler } from '../lib/api';
import { queryKeys } from '../lib/queryKeys';
import { sessionHint } from '../lib/sessionHint';
import { createQueryClient } from './queryClient';
import { createAppRouter } from './router';

export function App() {
  const [queryClient] = useState(createQueryClient);
  const [router] = useState(createAppRouter);

  useEffect(() => {
    // A 401 anywhere: forget the session and go to sign-in, coming back here afterwards.
    setUnauthorizedHandler(() => {
      sessionHint.clear();
      const { pathname, search, hash } = router.state.location;
      if (pathname.startsWith('/sign-in') || pathname.startsWith('/register')) return;
      queryClient.setQueryData(queryKeys.me, null);
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== queryKeys.me[0] });
      void router.navigate(`/sign-in?next=${encodeURIComponent(`${pathname}${search}${hash}`)}`, { replace: true });
    });
    return () => setUnauthorizedHandler(undefined);
  }, [queryClient, router]);

  return (
    <QueryClientProvider client={queryClient}>
      <TooltipProvider delayDuration={300}>
        <RouterProvider router={router} />
        <Toaster richColors closeButton position="bottom-right" />
      </TooltipProvider>
    </QueryClientProvider>
  );
}
