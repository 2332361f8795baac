import { createSpeclineClient } from '@specline/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { beforeEach, describe, expect, it } from 'vitest';
import { AppLayout } from '../../app/AppLayout';
import { ApiProvider } from '../../lib/api';
import { safeNext } from '../../lib/next';
import { sessionHint } from '../../lib/sessionHint';
import { NOW } from '../../test/fixtures';
import { fakeFetch, type Call } from '../../test/render';
import { SignInPage } from './SignInPage';

const user = { id: 'u1', email: 'ada@example.com', name: 'Ada', created_at: NOW };

function renderApp(path: string, route: (call: Call) => { status: number; body?: unknown } | undefined) {
  const fake = fakeFetch(route);
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter(
    [
      { path: '/sign-in', element: <SignInPage /> },
      { element: <AppLayout />, children: [{ path: '/projects/:projectId', element: <p>project page</p> }, { path: '/projects', element: <p>projects page</p> }] },
    ],
    { initialEntries: [path] },
  );
  render(
    <QueryClientProvider client={queryClient}>
      <ApiProvider client={createSpeclineClient({ fetch: fake.fetch })}>
        <RouterProvider router={router} />
      </ApiProvider>
    </QueryClientProvider>,
  );
  return { router, calls: fake.calls };
}

describe('sign-in round trip', () => {
  beforeEach(() => sessionHint.clear());

  it('a 401 sends you to sign-in with ?next=, and signing in brings you back there', async () => {
    sessionHint.set(); // this browser signed in before; the session has expired since
    let signedIn = false;
    const { router, calls } = renderApp('/projects/p1?x=1', (call) => {
      if (call.path === '/api/v1/auth/me') return signedIn ? { status: 200, body: user } : { status: 401, body: { detail: 'sign in first', code: 'unauthorized' } };
      if (call.path === '/api/v1/auth/login') {
        signedIn = true;
        return { status: 200, body: { access_token: 't', token_type: 'bearer', expires_in: 3600, user } };
      }
      return undefined;
    });
    await waitFor(() => expect(router.state.location.pathname).toBe('/sign-in'));
    expect(router.state.location.search).toBe(`?next=${encodeURIComponent('/projects/p1?x=1')}`);

    const u = userEvent.setup();
    await u.type(await screen.findByLabelText('Email'), 'ada@example.com');
    await u.type(screen.getByLabelText('Password'), 'correct horse');
    await u.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('project page')).toBeTruthy();
    expect(`${router.state.location.pathname}${router.state.location.search}`).toBe('/projects/p1?x=1');
    expect(calls.find((c) => c.path === '/api/v1/auth/login')?.body).toEqual({ email: 'ada@example.com', password: 'correct horse' });
    expect(sessionHint.present()).toBe(true);
  });

  it('without a sign-in in this browser it goes to sign-in without asking the server for a 401', async () => {
    const { router, calls } = renderApp('/projects/p1', () => ({ status: 401, body: { detail: 'sign in first', code: 'unauthorized' } }));
    expect(await screen.findByLabelText('Email')).toBeTruthy();
    expect(router.state.location.search).toBe(`?next=${encodeURIComponent('/projects/p1')}`);
    expect(calls).toEqual([]);
  });

  it('a wrong password stays on the page and says why', async () => {
    const { router } = renderApp('/sign-in', (call) => (call.path === '/api/v1/auth/login' ? { status: 401, body: { detail: 'wrong email or password', code: 'invalid_credentials' } } : undefined));
    const u = userEvent.setup();
    await u.type(screen.getByLabelText('Email'), 'ada@example.com');
    await u.type(screen.getByLabelText('Password'), 'nope');
    await u.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('wrong email or password');
    expect(router.state.location.pathname).toBe('/sign-in');
  });
});

describe('safeNext', () => {
  it('only follows paths on this site', () => {
    expect(safeNext('/projects/p1?tab=design')).toBe('/projects/p1?tab=design');
    expect(safeNext('//evil.example/x')).toBe('/projects');
    expect(safeNext('https://evil.example')).toBe('/projects');
    expect(safeNext('/sign-in')).toBe('/projects');
    expect(safeNext(null)).toBe('/projects');
  });
});
