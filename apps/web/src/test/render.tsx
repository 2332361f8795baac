import { createSpeclineClient, type SpeclineClient } from '@specline/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { TooltipProvider } from '../components/ui/Tooltip';
import { ApiProvider } from '../lib/api';

export interface Call {
  method: string;
  path: string;
  body: unknown;
}

type Route = (call: Call) => { status: number; body?: unknown } | undefined;

/**
 * A fake `fetch` for component tests, passed through `createSpeclineClient({fetch})` (the client's own seam):
 * records every call and answers from `route`; an unrouted call answers 500 so a test never passes by accident.
 */
export function fakeFetch(route: Route): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fetchImpl: typeof fetch = (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, 'http://app.test');
    const call: Call = { method: init?.method ?? 'GET', path: `${url.pathname}${url.search}`, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined };
    calls.push(call);
    const answer = route(call) ?? { status: 500, body: { detail: `unrouted ${call.method} ${call.path}`, code: 'internal' } };
    const text = answer.body === undefined ? null : JSON.stringify(answer.body);
    return Promise.resolve(new Response(answer.status === 204 ? null : text, { status: answer.status, headers: { 'content-type': 'application/json' } }));
  };
  return { fetch: fetchImpl, calls };
}

export function renderWithApp(ui: ReactNode, options: { fetch: typeof fetch; queryClient?: QueryClient; path?: string; routePath?: string }) {
  const client: SpeclineClient = createSpeclineClient({ fetch: options.fetch });
  const queryClient = options.queryClient ?? new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const router = createMemoryRouter([{ path: options.routePath ?? '*', element: ui }, { path: '*', element: <p>elsewhere</p> }], { initialEntries: [options.path ?? '/'] });
  const result = render(
    <QueryClientProvider client={queryClient}>
      <ApiProvider client={client}>
        <TooltipProvider>
          <RouterProvider router={router} />
        </TooltipProvider>
      </ApiProvider>
    </QueryClientProvider>,
  );
  return { ...result, queryClient, router };
}
