/**
 * fast-check arbitraries generated from the OpenAPI document's JSON Schemas (OpenAPI 3.0 style:
 * `nullable`, `anyOf`, `enum`, bounds, formats): mostly values the schema allows — so requests reach
 * the handlers and the database — mixed with the inputs of issue 12 that used to become 500s (NUL,
 * lone surrogates, numbers at and past the column bounds, ids that cannot exist, wrong types).
 */
import fc from 'fast-check';

export interface JsonSchema {
  type?: string | string[];
  nullable?: boolean;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  default?: unknown;
}

/** Strings that broke the store or the router once, and the usual suspects. */
export const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00',
  '\ud800x',
  '😀',
  '\u202e',
  '\ufeff',
  '%00',
  '../../etc/passwd',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  'null',
  '-1',
  '1e309',
  'NaN',
  '\\',
  '"',
  '\n\r\t',
  'Ａ'.repeat(3),
  'x'.repeat(5_000),
];

/** Numbers at and past what the columns hold (int4, float4, timestamps as epoch ms). */
export const NASTY_NUMBERS = [0, -0, -1, 1, 0.5, 1e-320, 5e-324, 1.4e-45, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, -(2 ** 53), 1e308, -1e308, 3.5e38];

/** Path segments as they travel (already URL-encoded): NUL, invalid UTF-8, traversal, a lone surrogate's bytes. */
export const NASTY_SEGMENTS = ['%00', 'a%00b', 'spec-%00', '%ED%A0%80x', '%ED%A0%80', '%FF', '%C0%AE', '..%2F..', '%2e%2e', '%20', encodeURIComponent('😀'), 'x'.repeat(99), 'spec-00000000-0000-0000-0000-000000000000', '0', '-'];

/** The strings PostgreSQL (text or JSONB) cannot store: the 500s of issue 12. */
export const UNSTORABLE_STRINGS = ['\u0000', 'a\u0000b', '\ud800', 'x\udc00', '\ud800x', 'ok\u0000'];

export const nastyString = fc.constantFrom(...NASTY_STRINGS);
/** Mostly the unstorable ones, now and then another nasty string. */
export const breakingString = fc.oneof({ arbitrary: fc.constantFrom(...UNSTORABLE_STRINGS), weight: 3 }, { arbitrary: nastyString, weight: 1 });
export const nastyNumber = fc.constantFrom(...NASTY_NUMBERS);
/** Any JSON value (wrong types everywhere). */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(fc.jsonValue({ maxDepth: 2 }), nastyString, nastyNumber);

export interface SchemaContext {
  /** Real ids for fields named like ids (`project_id`, `dependencies`, …), so writes reach the database. */
  idsFor(field: string): string[];
  depth: number;
  /** `valid`: only values the schema allows (then {@link mutateOne} breaks exactly one); `wild`: anything, anywhere. */
  mode?: 'valid' | 'wild';
}

function types(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  if (schema.type) return [schema.type];
  if (schema.properties) return ['object'];
  if (schema.items) return ['array'];
  return [];
}

function stringArb(schema: JsonSchema, field: string, ctx: SchemaContext): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 60, Math.max(minLength, 60));
  const ids = ctx.idsFor(field);
  const valid: fc.Arbitrary<string>[] = [];
  if (ids.length) valid.push(fc.constantFrom(...ids));
  const formats: Record<string, fc.Arbitrary<string>> = {
    email: fc.emailAddress(),
    uuid: fc.uuid(),
    'date-time': fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
    uri: fc.webUrl(),
  };
  const formatted = schema.format ? formats[schema.format] : undefined;
  if (formatted) valid.push(formatted);
  if (schema.pattern && !ids.length) valid.push(fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? 200)));
  if (!schema.pattern && !schema.format) {
    // Printable text with something visible in it (the schemas trim and want at least one character).
    valid.push(fc.string({ minLength: Math.max(0, minLength - 1), maxLength: Math.max(0, maxLength - 1) }).map((v) => (minLength > 0 ? `w${v}` : v)));
    valid.push(fc.string({ maxLength: Math.min(maxLength, 20), unit: 'grapheme' }).map((v) => `w${v}`.slice(0, Math.max(1, maxLength))));
  }
  if (valid.length === 0) valid.push(fc.string({ minLength, maxLength }));
  if (ctx.mode === 'valid') return fc.oneof(...valid);
  return fc.oneof({ arbitrary: fc.oneof(...valid), weight: 4 }, { arbitrary: nastyString, weight: 1 });
}

function numberArb(schema: JsonSchema, integer: boolean, mode: SchemaContext['mode']): fc.Arbitrary<number> {
  const min = schema.minimum ?? (typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : -1e6);
  const max = schema.maximum ?? (typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum : 1e6);
  const lo = Math.max(min, -1e9);
  const hi = Math.min(max, 1e9);
  const inRange = integer ? fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) }) : fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true });
  if (mode === 'valid') return inRange;
  const edges = fc.constantFrom(min, max, min - 1, max + 1, ...(integer ? [] : [min - Number.EPSILON, max * 1.0000001]));
  return fc.oneof({ arbitrary: inRange, weight: 4 }, { arbitrary: edges, weight: 1 }, { arbitrary: nastyNumber, weight: 1 });
}

/** An arbitrary for `schema`; `field` is the property name (for ids and for error messages). */
export function fromSchema(schema: JsonSchema, field: string, ctx: SchemaContext): fc.Arbitrary<unknown> {
  const deeper = { ...ctx, depth: ctx.depth + 1 };
  const variants = schema.anyOf ?? schema.oneOf;
  let arb: fc.Arbitrary<unknown>;
  if (variants?.length) arb = fc.oneof(...variants.map((v) => fromSchema(v, field, deeper)));
  else if (schema.allOf?.length) arb = fromSchema(schema.allOf[0]!, field, deeper);
  else if (schema.const !== undefined) arb = fc.constant(schema.const);
  else if (schema.enum?.length) arb = ctx.mode === 'valid' ? fc.constantFrom(...schema.enum) : fc.oneof({ arbitrary: fc.constantFrom(...schema.enum), weight: 5 }, { arbitrary: nastyString, weight: 1 });
  else {
    const kinds = types(schema);
    const options: fc.Arbitrary<unknown>[] = kinds.flatMap((kind): fc.Arbitrary<unknown>[] => {
      switch (kind) {
        case 'string':
          return [stringArb(schema, field, ctx)];
        case 'integer':
          return [numberArb(schema, true, ctx.mode)];
        case 'number':
          return [numberArb(schema, false, ctx.mode)];
        case 'boolean':
          return [fc.boolean()];
        case 'null':
          return [fc.constant(null)];
        case 'array': {
          const ids = ctx.idsFor(field);
          const item = ids.length ? (ctx.mode === 'valid' ? fc.constantFrom(...ids) : fc.oneof(fc.constantFrom(...ids), nastyString)) : schema.items && ctx.depth < 6 ? fromSchema(schema.items, field, deeper) : anyJson;
          return [fc.array(item, { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 4, 4) })];
        }
        case 'object':
          return [objectArb(schema, deeper)];
        default:
          return [];
      }
    });
    arb = options.length ? fc.oneof(...options) : anyJson;
  }
  if (schema.nullable) arb = fc.oneof({ arbitrary: arb, weight: 5 }, { arbitrary: fc.constant(null), weight: 1 });
  // Now and then a value of the wrong type altogether.
  return ctx.depth > 3 || ctx.mode === 'valid' ? arb : fc.oneof({ arbitrary: arb, weight: 12 }, { arbitrary: anyJson, weight: 1 });
}

function objectArb(schema: JsonSchema, ctx: SchemaContext): fc.Arbitrary<Record<string, unknown>> {
  const properties = Object.entries(schema.properties ?? {});
  if (ctx.depth > 6 || properties.length === 0) {
    return ctx.mode === 'valid' ? fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean()), { maxKeys: 3 }) : fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), nastyString), anyJson, { maxKeys: 3 });
  }
  const model = Object.fromEntries(properties.map(([name, sub]) => [name, fromSchema(sub, name, ctx)]));
  const required = (schema.required ?? []).filter((name) => name in model);
  const complete = fc.record(model, { requiredKeys: required });
  if (ctx.mode === 'valid') return complete;
  const partial = fc.record(model, { requiredKeys: [] });
  // Extra keys, including a NUL in a key (JSONB refuses it).
  const extra = fc.dictionary(fc.oneof(fc.constantFrom('a\u0000b', '\ud800', '__proto__', 'constructor'), fc.string({ maxLength: 8 })), anyJson, { maxKeys: 2 });
  return fc.oneof(
    { arbitrary: complete, weight: 6 },
    { arbitrary: partial, weight: 2 },
    { arbitrary: fc.tuple(complete, extra).map(([a, b]) => ({ ...b, ...a })), weight: 1 },
  );
}

/** The places of a JSON value one mutation can hit: leaves (strings, numbers) and objects (for a bad key). */
function places(value: unknown, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (typeof value === 'string' || typeof value === 'number') out.push(path);
  else if (Array.isArray(value)) value.forEach((v, i) => places(v, [...path, i], out));
  else if (typeof value === 'object' && value !== null) {
    out.push([...path, '\u0000key']);
    for (const [k, v] of Object.entries(value)) places(v, [...path, k], out);
  }
  return out;
}

function setAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return (value as unknown[]).map((v, i) => (i === head ? setAt(v, rest, replacement) : v));
  const record = { ...(value as Record<string, unknown>) };
  if (head === '\u0000key') record[typeof replacement === 'string' ? `k${replacement}` : 'a\u0000b'] = 'x';
  else record[head as string] = setAt(record[head as string], rest, replacement);
  return record;
}

/**
 * A valid value with exactly ONE place broken (a string or number replaced by a nasty one, or a bad
 * key added): everything else passes the schema, so the broken value travels as deep as it can.
 */
export function mutateOne<T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.tuple(valid, fc.nat(), breakingString, nastyNumber, fc.nat({ max: 9 })).map(([value, pick, text, number, wrongType]) => {
    const all = places(value);
    if (all.length === 0) return value;
    const path = all[pick % all.length]!;
    const leaf = path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], value);
    // Strings get strings and numbers get numbers (the type still passes, the value does not); now and then the other type.
    const sameType = typeof leaf === 'number' ? number : text;
    return setAt(value, path, wrongType === 0 ? (typeof leaf === 'number' ? text : number) : sameType);
  });
}
