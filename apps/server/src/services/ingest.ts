/**
 * Event ingestion: one batch of a sandbox's events, validated whole, then stored in ONE transaction.
 *
 * 1. `parseIngestRequest`: size limits (413), every event validated (422 naming index and path of
 *    each bad one), the spec named in the body must be the token's (403). Nothing is stored on error.
 * 2. `ingestEvents`: a batch whose events have no side effects (progress lines, logs) from the spec's
 *    live sandbox is ONE statement with no transaction (`insertLiveBatch`, ingestInsert.ts: lock, checks,
 *    insert, `last_spec_seq`, heartbeat); it falls back to the transaction below when it does not apply
 *    or an event is stored already (nothing of it written). Otherwise: lock the spec row (reading the sandbox's run id with it); assign gap-free
 *    `spec_seq` = last+1…; insert, advance `specs.last_spec_seq` and mark the live sandbox alive in ONE
 *    statement (`insertNewBatch`, ingestInsert.ts); if some event turns out to be stored already, that
 *    attempt is rolled back and the batch stored the checked way (`insertCheckedBatch`: events whose
 *    `(sandbox_id, event_id)` is stored are dropped first, acked as duplicates, never stored twice or
 *    applied twice); apply side effects; COMMIT; then publish `{spec_id, spec_seq}` on the bus (a
 *    wake-up: a failed publish is logged, the stream hubs also poll) and, after a run's terminal
 *    event, `runs.finished(…)`.
 *
 * Events in a legacy shape (no `event_id`) get a deterministic id: a name-based uuid of the sandbox id
 * and `legacyEventKey` (type, timestamp, phase, canonical payload, index in the body), so a retried
 * legacy POST is deduplicated like any other. Heartbeats and progress lines get a fresh uuid (see `legacyEventKey`).
 *
 * The first batch of a registered external sandbox claims its spec for the run (`claimExternalRun`),
 * under the same lock. Parts of the batch's phase outputs that cannot become rows are appended right
 * after its events as `spec.ingest_warning` (source `system`, `{message, phase, path}`), in the same
 * transaction and gap-free `spec_seq` sequence, and published with them.
 */
import { createHash, randomUUID } from 'node:crypto';
import { EVENT_LIMITS, legacyEventKey, parseIngestBody, type IngestIssue, type IngestResponse, type NormalizedEvent } from '@specline/protocol';
import { eq, sql } from 'drizzle-orm';
import type { EventBus } from '../bus/eventBus';
import { AppError, notFound } from '../http/errors';
import { findUnsafeText } from '../http/input';
import { appendSystemEvents } from '../launcher/endRun';
import type { Db, Tx } from '../store/db';
import { sandboxes, specs } from '../store/schema';
import { claimExternalRun } from './externalSandboxes';
import { applyIngestEffects, lockedSpecColumns, type EffectEvent, type TerminalEffect } from './ingestEffects';
import { insertCheckedBatch, insertLiveBatch, insertNewBatch, isStoredEventConflict, type InsertedEvent, type InsertRow } from './ingestInsert';
import type { PhaseRowsLogger } from './phaseRows';
import { runIdOfSandbox } from './runRecords';
import { EFFECT_EVENT_TYPES } from './runEffects';
import type { RunManager } from './runs';

export interface IngestLogger extends PhaseRowsLogger {
  error(fields: Record<string, unknown>, message: string): void;
}

export interface IngestPrincipal {
  sandboxId: string;
  specId: string;
}

export interface IngestDeps {
  db: Db;
  bus: EventBus;
  runs: Pick<RunManager, 'finished'>;
  logger: IngestLogger;
}

function issuesDetail(prefix: string, issues: readonly IngestIssue[]): string {
  const shown = issues.slice(0, 5).map((i) => `${i.path || '(root)'}: ${i.message}`);
  return `${prefix}: ${shown.join('; ')}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}`;
}

/** Text the store cannot hold (NUL, unpaired surrogates, over-deep nesting), with the index of each bad event. */
function unsafeTextIssues(body: unknown): IngestIssue[] {
  return findUnsafeText(body, '', 'brackets').map((issue) => {
    const match = /^events\[(\d+)\]/.exec(issue.path);
    return { index: match ? Number(match[1]) : 0, path: issue.path, message: issue.message };
  });
}

export interface ParseIngestOptions {
  /** Size of the request body in bytes, when known (content-length). */
  bodyBytes?: number | undefined;
}

/**
 * Validates a POSTed body for the principal: returns the normalised events, or throws an AppError
 * (413 payload_too_large, 422 validation_failed, 403 spec_mismatch) that names every bad event.
 */
export function parseIngestRequest(body: unknown, principal: IngestPrincipal, options: ParseIngestOptions = {}): NormalizedEvent[] {
  // Before anything serialises the body again: this also refuses nesting deep enough to overflow the stack.
  const unsafe = unsafeTextIssues(body);
  if (unsafe.length) throw new AppError('validation_failed', issuesDetail('invalid event batch, nothing was stored', unsafe), { errors: unsafe });
  const bodyBytes = options.bodyBytes ?? Buffer.byteLength(JSON.stringify(body ?? null));
  if (bodyBytes > EVENT_LIMITS.maxBatchBytes) {
    throw new AppError('payload_too_large', `the body is ${bodyBytes} bytes; a batch is at most ${EVENT_LIMITS.maxBatchBytes} bytes (4 MiB)`);
  }
  if (bodyBytes > EVENT_LIMITS.maxEventBytes) {
    const list = typeof body === 'object' && body !== null && 'events' in body ? body.events : undefined;
    const sized: { index: number; path: string; message: string }[] = [];
    if (Array.isArray(list)) {
      list.forEach((raw, index) => {
        const size = Buffer.byteLength(JSON.stringify(raw ?? null));
        if (size > EVENT_LIMITS.maxEventBytes) sized.push({ index, path: `events[${index}]`, message: `event is ${size} bytes; at most ${EVENT_LIMITS.maxEventBytes} (256 KiB)` });
      });
    } else if (list === undefined) {
      sized.push({ index: 0, path: '(root)', message: `event is ${bodyBytes} bytes; at most ${EVENT_LIMITS.maxEventBytes} (256 KiB)` });
    }
    if (sized.length) throw new AppError('payload_too_large', issuesDetail('event too large', sized), { errors: sized });
  }
  const parsed = parseIngestBody(body);
  if (!parsed.ok) throw new AppError('validation_failed', issuesDetail('invalid event batch, nothing was stored', parsed.issues), { errors: parsed.issues });
  const events = parsed.events;
  const mismatched = events.flatMap((e, index) => {
    const claimed = [e.spec_id, e.event_type === 'agent.completed' ? e.data['spec_id'] : null].filter((v) => v !== null && v !== undefined);
    return claimed.some((c) => c !== principal.specId)
      ? [{ index, path: parsed.batch ? `events[${index}].spec_id` : 'spec_id', message: `names spec ${JSON.stringify(claimed.find((c) => c !== principal.specId))}; this sandbox token is for spec ${principal.specId}` }]
      : [];
  });
  if (mismatched.length) throw new AppError('spec_mismatch', issuesDetail('events for another spec', mismatched), { errors: mismatched });
  return events;
}

/** RFC 4122 version-5-style uuid (SHA-1, name-based) of a legacy event within its sandbox; random for heartbeats and progress lines. */
export function legacyEventId(sandboxId: string, event: NormalizedEvent, index: number): string {
  const key = legacyEventKey(event, index);
  if (key === null) return randomUUID();
  const bytes = createHash('sha1').update(`specline-legacy-event\0${sandboxId}\0${key}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface IngestResult {
  response: IngestResponse;
  terminal: TerminalEffect | null;
}

interface BatchInput {
  rows: InsertRow[];
  /** The server event id of each event of the body, in body order. */
  eventIds: string[];
  /** Events in the body (rows + repeats inside it). */
  total: number;
  now: Date;
  /** Look for stored duplicates first (`insertCheckedBatch`) instead of the one-statement insert. */
  checked: boolean;
}

/** The lock, the insert, the side effects: one transaction. */
async function storeInTransaction(tx: Tx, deps: IngestDeps, principal: IngestPrincipal, input: BatchInput) {
  const { sandboxId, specId } = principal;
  const { rows, now } = input;
  // The run id of the sandbox rides along with the lock (one query fewer per batch).
  const [locked] = await tx
    .select({
      ...lockedSpecColumns,
      sandboxRunId: sql<string | null>`(select ${sandboxes.runId} from ${sandboxes} where ${sandboxes.id} = ${sandboxId})`,
      sandboxRevoked: sql<boolean>`exists (select 1 from ${sandboxes} where ${sandboxes.id} = ${sandboxId} and ${sandboxes.revokedAt} is not null)`,
    })
    .from(specs)
    .where(eq(specs.id, specId))
    .for('update');
  if (!locked) throw notFound('spec');
  // The token was checked before the lock; a superseded attempt's token (issue 11: a later claim revoked it
  // under this same lock) must not slip a batch in between — e.g. a second agent.completed.
  if (locked.sandboxRevoked) throw new AppError('token_revoked', 'this sandbox token was revoked (its run ended or a later attempt took it over)');
  const spec = await claimExternalRun(tx, locked, sandboxId, now);
  // A first batch that claimed the spec just gave the sandbox its run.
  const runId = spec === locked ? locked.sandboxRunId : await runIdOfSandbox(tx, sandboxId);
  const last = spec.lastSpecSeq;
  const target = { specId, sandboxId, runId, last, now };
  // Only the live sandbox's events apply effects; its heartbeat is part of them (see applyIngestEffects).
  const live = spec.sandboxId === sandboxId;
  let inserted: InsertedEvent[];
  let serverId: Map<string, string>;
  let markedAlive = false;
  if (!input.checked && rows.length > 0) {
    const ids = await insertNewBatch(tx, target, rows, live);
    if (!ids) throw new StoredDuplicate();
    inserted = rows.map((r, i) => ({ id: ids[i]!, eventId: r.event_id, specSeq: last + i + 1 }));
    serverId = new Map(inserted.map((r) => [r.eventId, r.id]));
    markedAlive = live;
  } else {
    ({ inserted, serverId } = await insertCheckedBatch(tx, target, rows));
  }
  let terminal: TerminalEffect | null = null;
  let warnings = 0;
  let lastWritten = last + inserted.length;
  if (inserted.length) {
    const byEventId = new Map(rows.map((r) => [r.event_id, r]));
    const stored: EffectEvent[] = inserted.map((r) => {
      const row = byEventId.get(r.eventId)!;
      return { spec_seq: r.specSeq, event_type: row.event_type, data: row.data, emitted_at: row.emitted_at ? new Date(row.emitted_at) : now };
    });
    const applied = await applyIngestEffects(tx, { spec, sandboxId, events: stored, log: deps.logger, now, sandboxMarkedAlive: markedAlive });
    terminal = applied.terminal;
    if (applied.warnings.length) {
      warnings = applied.warnings.length;
      lastWritten = await appendSystemEvents(
        tx,
        specId,
        sandboxId,
        applied.warnings.map((w) => ({
          event_type: 'spec.ingest_warning',
          phase: w.phase,
          data: { message: w.message, phase: w.phase, path: w.path, source_spec_seq: w.source_spec_seq },
        })),
        now,
      );
    }
  }
  return { response: ingestAnswer(principal, input, inserted.length, last, serverId, warnings), terminal, lastWritten };
}

/** The answer to a stored batch: `stored` new events numbered after `last`, the server id of every event sent. */
function ingestAnswer(principal: IngestPrincipal, input: Pick<BatchInput, 'total' | 'eventIds'>, stored: number, last: number, serverId: ReadonlyMap<string, string>, warnings = 0): IngestResponse {
  return {
    status: 'received',
    sandbox_id: principal.sandboxId,
    spec_id: principal.specId,
    stored,
    duplicates: input.total - stored,
    first_spec_seq: stored ? last + 1 : null,
    last_spec_seq: stored ? last + stored : null,
    event_ids: input.eventIds.map((id) => serverId.get(id) ?? id),
    ...(warnings ? { warnings } : {}),
  };
}

/** A stored duplicate turned up in the one-statement insert: roll back, store the batch the checked way. */
class StoredDuplicate extends Error {}

type Stored = Awaited<ReturnType<typeof storeInTransaction>>;

/**
 * A batch none of whose events has side effects (progress lines, logs, …), from the spec's live
 * sandbox: stored by one statement with no transaction around it (`insertLiveBatch`). `null` when that
 * does not apply (another sandbox's spec, a revoked token, a first batch that claims the run) or some
 * event is stored already: then nothing was written and the transaction path stores the batch.
 */
async function storeLive(deps: IngestDeps, principal: IngestPrincipal, input: Omit<BatchInput, 'checked'>): Promise<{ stored: Stored | null; duplicate: boolean }> {
  let live: Awaited<ReturnType<typeof insertLiveBatch>>;
  try {
    live = await insertLiveBatch(deps.db, { ...principal, now: input.now }, input.rows);
  } catch (error) {
    if (isStoredEventConflict(error)) return { stored: null, duplicate: true };
    throw error;
  }
  if (!live) return { stored: null, duplicate: false };
  const { last, ids } = live;
  const serverId = new Map(input.rows.map((r, i) => [r.event_id, ids[i]!]));
  return { stored: { response: ingestAnswer(principal, input, ids.length, last, serverId), terminal: null, lastWritten: last + ids.length }, duplicate: false };
}

/** Stores a validated batch in one transaction and applies its side effects; see the module comment. */
export async function storeEvents(deps: IngestDeps, principal: IngestPrincipal, events: readonly NormalizedEvent[]): Promise<IngestResult> {
  const { sandboxId, specId } = principal;
  const now = new Date();
  // Body order → the server event id of each event; repeats inside the batch are duplicates of the first.
  const firstIndex = new Map<string, number>();
  const eventIds: string[] = [];
  const rows: InsertRow[] = [];
  events.forEach((e, ord) => {
    const eventId = e.event_id ?? legacyEventId(sandboxId, e, ord);
    eventIds.push(eventId);
    if (firstIndex.has(eventId)) return;
    firstIndex.set(eventId, ord);
    rows.push({ ord, event_id: eventId, seq: e.seq, event_type: e.event_type, phase: e.phase, data: e.data, source: e.source, emitted_at: e.timestamp });
  });

  const store = (checked: boolean) => deps.db.transaction((tx) => storeInTransaction(tx, deps, principal, { rows, eventIds, total: events.length, now, checked }));
  let result: Stored | null = null;
  let checked = false;
  if (rows.length > 0 && rows.every((r) => !EFFECT_EVENT_TYPES.has(r.event_type))) {
    const live = await storeLive(deps, principal, { rows, eventIds, total: events.length, now });
    result = live.stored;
    checked = live.duplicate;
  }
  if (!result) {
    try {
      result = await store(checked);
    } catch (error) {
      // Some event was stored before (a retried POST): nothing of that attempt was committed.
      if (!(error instanceof StoredDuplicate)) throw error;
      result = await store(true);
    }
  }

  const lastSeq = result.response.last_spec_seq === null ? null : result.lastWritten;
  if (lastSeq !== null) {
    deps.bus.publish({ spec_id: specId, spec_seq: lastSeq }).catch((error: unknown) => {
      deps.logger.error({ err: error, spec_id: specId, spec_seq: lastSeq }, 'bus publish failed after commit; streams catch up on their next poll');
    });
  }
  if (result.terminal) {
    try {
      await deps.runs.finished(sandboxId, result.terminal.outcome);
    } catch (error) {
      deps.logger.error({ err: error, sandbox_id: sandboxId }, 'ending the sandbox after its terminal event failed');
    }
  }
  return result;
}

/** Validates and stores: the whole ingestion of one POST body. */
export async function ingestEvents(deps: IngestDeps, principal: IngestPrincipal, body: unknown, options: ParseIngestOptions = {}): Promise<IngestResponse> {
  const events = parseIngestRequest(body, principal, options);
  return (await storeEvents(deps, principal, events)).response;
}
