// The PGlite worker thread (store/pgliteThread.ts starts it): owns the embedded database and runs what
// the server thread sends, one message at a time, in order. Plain JavaScript so that it loads in any
// runner (tsx, vitest, plain node) without a TypeScript loader in the worker.
//
// Messages in:  {id, op: 'query', text, params, rowMode, rawOids} | {id, op: 'exec', text} | {id, op: 'close'}
// Messages out: {id, result} | {id, error: {message, name, stack, ...the DatabaseError's fields}}
// `rawOids`: the types whose values come back as the text PostgreSQL sent (drizzle's parsers for
// timestamps, dates and intervals are the identity; functions cannot cross threads, their oids can).
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

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
      const result = await db.query(message.text, message.params ?? [], { rowMode: message.rowMode ?? 'object', ...(parsers ? { parsers } : {}) });
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
