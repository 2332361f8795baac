// The PGlite worker thread (store/pgliteThread.ts starts it): owns the embedded database and runs what
// the server thread sends, one message at a time, in order. Plain JavaScript so that it loads in any
// runner (tsx, vitest, plain node) without a TypeScript loader in the worker.
//
// Messages in:  {id, op: 'query', text, params, rowMode, rawOids} | {id, op: 'exec', text} | {id, op: 'close'}
// Messages out: {id, result} | {id, error: {message, name, stack, ...the DatabaseError's fields}}
// `rawOids`: the types whose values come back as the text PostgreSQL sent (drizzle's parsers for
// timestamps, dates and intervals are the identity; functions cannot cross threads, their oids can).
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, parse, protocol } from '@electric-sql/pglite';

const db = workerData?.dataDir ? new PGlite(workerData.dataDir) : new PGlite();
const identity = (value) => value;
/** One parsers object per set of raw oids (drizzle sends the same two sets every time). */
const parserSets = new Map();

function parsersFor(oids) {
  if (!oids || oids.length === 0) return undefined;
  const key = oids.join(',');
  let parsers = parserSets.get(key);
  if (!parsers) {
    parsers = Object.fromEntries(oids.map((oid) => [oid, identity]));
    parserSets.set(key, parsers);
  }
  return parsers;
}

// Named prepared statements (issue 14). PGlite's `query` sends Parse, Describe, Bind, Describe,
// Execute and Sync as six calls into the WASM module and parses and plans the text every time. A text
// seen twice (drizzle sends the same text for the same query shape; an ingest batch's insert is one)
// is prepared once under a name; then each run is Bind + Describe + Execute + Sync in ONE call. At
// most MAX_PREPARED are kept (least recently used closed first). PostgreSQL re-plans a prepared
// statement by itself when a table it reads changes; a statement whose result type changed (DDL
// between two runs, e.g. a migration) is dropped and the query retried unprepared.
const MAX_PREPARED = 200;
const MAX_SEEN = 2000;
/** text → {name, types} (Map order = least recently used first). */
const prepared = new Map();
/** Texts seen once: prepared on their second run. */
const seen = new Set();
let nextStatement = 1;

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function statementFor(text) {
  let statement = prepared.get(text);
  if (statement) {
    prepared.delete(text);
    prepared.set(text, statement);
    return statement;
  }
  if (!seen.has(text)) {
    if (seen.size >= MAX_SEEN) seen.clear();
    seen.add(text);
    return undefined;
  }
  seen.delete(text);
  if (prepared.size >= MAX_PREPARED) {
    const [oldText, old] = prepared.entries().next().value;
    prepared.delete(oldText);
    await db.execProtocol(concat([protocol.serialize.close({ type: 'S', name: old.name }), protocol.serialize.sync()]), { syncToFs: false });
  }
  const name = `specline_${nextStatement++}`;
  const described = await db.execProtocol(
    concat([protocol.serialize.parse({ name, text }), protocol.serialize.describe({ type: 'S', name }), protocol.serialize.sync()]),
    { syncToFs: false },
  );
  statement = { name, types: parse.parseDescribeStatementResults(described.messages) };
  prepared.set(text, statement);
  return statement;
}

async function runPrepared(statement, params, options) {
  const values = params.map((value, i) => {
    if (value === null || value === undefined) return null;
    const serializer = db.serializers[statement.types[i]];
    return serializer ? serializer(value) : value.toString();
  });
  const result = await db.execProtocol(
    concat([protocol.serialize.bind({ statement: statement.name, values }), protocol.serialize.describe({ type: 'P' }), protocol.serialize.execute({}), protocol.serialize.sync()]),
    { syncToFs: false },
  );
  return parse.parseResults(result.messages, db.parsers, options)[0];
}

async function query(text, params, options) {
  const statement = await statementFor(text);
  if (!statement) return db.query(text, params, options);
  try {
    return await runPrepared(statement, params, options);
  } catch (error) {
    // 0A000 "cached plan must not change result type": the table changed under the statement.
    if (error?.code !== '0A000' || db.isInTransaction()) throw error;
    prepared.delete(text);
    return db.query(text, params, options);
  }
}

/** The error as plain data: message, name, stack and every primitive field (code, detail, constraint, …). */
function errorData(error) {
  if (!(error instanceof Error)) return { message: String(error), name: 'Error' };
  const out = { message: error.message, name: error.name, stack: error.stack };
  for (const [key, value] of Object.entries(error)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) out[key] = value;
  }
  return out;
}

async function run(message) {
  switch (message.op) {
    case 'query': {
      const parsers = parsersFor(message.rawOids);
      const result = await query(message.text, message.params ?? [], { rowMode: message.rowMode ?? 'object', ...(parsers ? { parsers } : {}) });
      // `blob` never set (no COPY … TO STDOUT); fields carry name and dataTypeID only.
      return { rows: result.rows, fields: result.fields, affectedRows: result.affectedRows };
    }
    case 'exec': {
      const results = await db.exec(message.text);
      return results.map((r) => ({ rows: r.rows, fields: r.fields, affectedRows: r.affectedRows, command: r.command }));
    }
    case 'close':
      await db.close();
      return null;
    default:
      throw new Error(`unknown PGlite worker op ${String(message.op)}`);
  }
}

// Messages are handled strictly one after another (the server thread sends the next only after an
// answer, but a chain keeps the order even if it did not).
let chain = db.waitReady.then(() => parentPort.postMessage({ id: 0, result: 'ready' }), (error) => parentPort.postMessage({ id: 0, error: errorData(error) }));
parentPort.on('message', (message) => {
  chain = chain.then(async () => {
    try {
      parentPort.postMessage({ id: message.id, result: await run(message) });
    } catch (error) {
      parentPort.postMessage({ id: message.id, error: errorData(error) });
    }
  });
});
