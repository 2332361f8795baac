import { createContext, useContext, type ReactNode } from 'react';
import { createSpeclineClient, type ApiError, type SpeclineClient } from '@specline/client';

/**
 * The client the app uses. The session lives in httpOnly cookies (`credentials: 'include'`), so no token is
 * kept in JS. Access tokens are short-lived: a 401 first renews the session (`POST /auth/refresh`, the refresh
 * cookie) and repeats the request; only when that fails is the app's handler called (back to sign-in with `?next=`).
 */
let unauthorizedHandler: ((error: ApiError) => void) | undefined;

export function setUnauthorizedHandler(handler: ((error: ApiError) => void) | undefined): void {
  unauthorizedHandler = handler;
}

export const apiClient: SpeclineClient = createSpeclineClient({
  baseUrl: '',
  refreshSession: true,
  onUnauthorized: (error) => unauthorizedHandler?.(error),
});

const ApiContext = createContext<SpeclineClient>(apiClient);

/** Tests pass a client over a fake fetch; the app uses the default one. */
export function ApiProvider({ client, children }: { client: SpeclineClient; children: ReactNode }) {
  return <ApiContext.Provider value={client}>{children}</ApiContext.Provider>;
}

export function useApi(): SpeclineClient {
  return useContext(ApiContext);
}
