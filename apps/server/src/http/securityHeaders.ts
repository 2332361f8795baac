/**
 * Security headers on every answer (web app, API, docs) through `@fastify/helmet`:
 * - `Content-Security-Policy`: scripts only from this origin (no inline script, no eval), no plugins,
 *   `frame-ancestors 'none'`, `base-uri`/`form-action` 'self'. Inline *styles* stay allowed: mermaid
 *   renders `<style>` into its SVG diagrams, and the toaster and the docs page inject styles.
 *   `upgrade-insecure-requests` and HSTS only when the public URL is https (on plain http they would
 *   break the page or mean nothing).
 * - `X-Content-Type-Options: nosniff`, `Referrer-Policy: strict-origin-when-cross-origin`,
 *   `X-Frame-Options: DENY`, `Cross-Origin-Opener-Policy: same-origin`.
 */
import type { FastifyHelmetOptions } from '@fastify/helmet';
import type { Config } from '../config';

/** Whether the server is reached over https: Secure cookies, HSTS, upgrade-insecure-requests. */
export function servesHttps(config: Pick<Config, 'publicUrl'>): boolean {
  return config.publicUrl?.startsWith('https:') ?? false;
}

export function securityHeaders(config: Pick<Config, 'publicUrl'>): FastifyHelmetOptions {
  const https = servesHttps(config);
  return {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        workerSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    frameguard: { action: 'deny' },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
    // The API answers same-origin pages; a cross-origin *read* is still governed by CORS (none is enabled).
    crossOriginResourcePolicy: { policy: 'same-origin' },
  };
}
