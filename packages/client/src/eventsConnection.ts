/** What every request for a spec's events needs: the URL and the credentials. */

export interface StreamConnectionOptions {
  /** Origin of the server (`http://localhost:8080`), or '' for the page's own origin; `/api/v1` is appended (as in the HTTP client). */
  baseUrl: string;
  specId: string;
  fetch?: typeof fetch;
  /** Bearer token source; when absent the request relies on the session cookie. */
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  /** `credentials` of every request (default `include`, so the session cookie goes along). */
  credentials?: RequestInit['credentials'];
}

/** Version prefix of every route (the same as the HTTP client's). */
const API_ROOT = '/api/v1';

/** `{baseUrl}/api/v1/specs/{id}/events{suffix}`. */
export function specEventsUrl(baseUrl: string, specId: string, suffix = ''): string {
  return `${baseUrl.replace(/\/+$/, '')}${API_ROOT}/specs/${encodeURIComponent(specId)}/events${suffix}`;
}

/** `authorization: Bearer …` when a token is at hand; empty otherwise (the session cookie goes instead). */
export async function authHeaders(options: StreamConnectionOptions): Promise<Record<string, string>> {
  const token = await options.getToken?.();
  return token ? { authorization: `Bearer ${token}` } : {};
}
