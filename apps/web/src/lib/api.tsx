import { createContext, useContext, type ReactNode } from 'react';
import { createSpeclineClient, type ApiError, type SpeclineClient } from '@specline/client';

/**
 * The client the app uses. The session lives in an httpOnly cookie (`credentials: 'include'`), so no token is
 * kept in JS. A 401 anywhere calls the handler installed by the app (back to sign-in with `?next=`).
 */
let unauthorizedHandler: ((error: ApiError) => void) | undefined;

export function setUnauthorizedHandler(handler: ((error: ApiError) => void) | undefined): void {
  unauthorizedHandler = handler;
}

export const apiClient: SpeclineClient = createSpeclineClient({
  baseUrl: '',
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
