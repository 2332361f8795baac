/**
 * Run leases (issue 11): whoever runs a sandbox holds a lease of `lease_seconds` that every batch the
 * sandbox delivers renews. The server fails a run only once its lease has expired. The sandbox's HTTP
 * reporter derives its retry budget from the SAME number, handed to it by the launcher as
 * `SANDBOX_LEASE_SECONDS`, so the reaper's allowance always exceeds the reporter's worst-case silence:
 * two settings that could drift apart do not exist.
 */

/** How the HTTP reporter retries, for a lease of a given length. */
export interface ReporterBudget {
  /** Per-request timeout. */
  requestTimeoutMs: number;
  /** Largest backoff between two tries of one batch. */
  maxDelayMs: number;
  /** While the server counts as unreachable, try it again this often. */
  probeIntervalMs: number;
  /** Retrying one batch longer than this switches to spooling and probing (delivery goes on). */
  maxRetryDurationMs: number;
}

/** The reporter's defaults when no lease is given (a run outside Specline's launcher). */
export const DEFAULT_REPORTER_BUDGET: ReporterBudget = { requestTimeoutMs: 10_000, maxDelayMs: 30_000, probeIntervalMs: 5_000, maxRetryDurationMs: 60_000 };

/** A sixth of the lease: the most any one wait (backoff, probe, request) may take. */
function sliceMs(leaseSeconds: number): number {
  return Math.max(50, Math.floor((leaseSeconds * 1000) / 6));
}

export function reporterBudget(leaseSeconds: number): ReporterBudget {
  const slice = sliceMs(leaseSeconds);
  return {
    requestTimeoutMs: Math.min(DEFAULT_REPORTER_BUDGET.requestTimeoutMs, slice),
    maxDelayMs: Math.min(DEFAULT_REPORTER_BUDGET.maxDelayMs, slice),
    probeIntervalMs: Math.min(DEFAULT_REPORTER_BUDGET.probeIntervalMs, slice),
    maxRetryDurationMs: Math.min(DEFAULT_REPORTER_BUDGET.maxRetryDurationMs, 2 * slice),
  };
}

/**
 * The longest a live sandbox can stay silent once the server answers again: one heartbeat interval
 * (nothing else to send), plus one backoff or probe wait, plus one request timeout.
 */
export function worstCaseSilenceMs(leaseSeconds: number, heartbeatSeconds: number): number {
  const b = reporterBudget(leaseSeconds);
  return Math.round(heartbeatSeconds * 1000) + Math.max(b.maxDelayMs, b.probeIntervalMs) + b.requestTimeoutMs;
}

/**
 * How long the server may be unreachable (a restart, a network cut) without failing a live run whose
 * lease it holds; 0 or less means the settings leave no room and are refused by the server's config.
 */
export function toleratedOutageMs(leaseSeconds: number, heartbeatSeconds: number): number {
  return Math.round(leaseSeconds * 1000) - worstCaseSilenceMs(leaseSeconds, heartbeatSeconds);
}
