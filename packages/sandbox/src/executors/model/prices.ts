/**
 * What tokens cost: a per-model price table in US dollars per million tokens, overridable by the
 * `MODEL_PRICES` setting. A model that is not in the table costs 0 (and the caller warns once).
 */
import { z } from 'zod';
import type { TurnUsage } from './types';

export interface ModelPrice {
  /** $ per million uncached input tokens. */
  input: number;
  output: number;
  /** $ per million tokens read from the prompt cache (default: the input price). */
  cache_read?: number;
  /** $ per million tokens written to the prompt cache (default: the input price). */
  cache_write?: number;
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** List prices, $ per million tokens (cache write = Anthropic's 5-minute cache). Override with MODEL_PRICES. */
export const DEFAULT_PRICES: PriceTable = {
  // Anthropic (platform.claude.com pricing, checked 2026-12): cache write = the 5-minute cache.
  'claude-fable-5-1': { input: 10, output: 50, cache_read: 0.25, cache_write: 12.5 },
  'claude-fable-5': { input: 10, output: 50, cache_read: 1, cache_write: 12.5 },
  'claude-mythos-5-1': { input: 10, output: 50, cache_read: 0.25, cache_write: 12.5 },
  'claude-mythos-5': { input: 10, output: 50, cache_read: 1, cache_write: 12.5 },
  'claude-opus-5-5': { input: 4, output: 20, cache_read: 0.2, cache_write: 5 },
  'claude-opus-5': { input: 5, output: 25, cache_read: 0.5, cache_write: 6.25 },
  'claude-opus-4-8': { input: 5, output: 25, cache_read: 0.5, cache_write: 6.25 },
  'claude-opus-4-7': { input: 5, output: 25, cache_read: 0.5, cache_write: 6.25 },
  'claude-opus-4-6': { input: 5, output: 25, cache_read: 0.5, cache_write: 6.25 },
  'claude-opus-4-5': { input: 5, output: 25, cache_read: 0.5, cache_write: 6.25 },
  'claude-opus-4-1': { input: 15, output: 75, cache_read: 1.5, cache_write: 18.75 },
  'claude-opus-4': { input: 15, output: 75, cache_read: 1.5, cache_write: 18.75 },
  'claude-sonnet-5-5': { input: 2, output: 10, cache_read: 0.1, cache_write: 2.5 },
  'claude-sonnet-5': { input: 2, output: 10, cache_read: 0.2, cache_write: 2.5 },
  'claude-sonnet-4-6': { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 },
  'claude-sonnet-4-5': { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 },
  'claude-sonnet-4': { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 },
  'claude-3-7-sonnet': { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 },
  // Haiku 5.5: the band of prompts up to 100k tokens (longer prompts cost 5x; override if you run those).
  'claude-haiku-5-5': { input: 0.1, output: 0.5, cache_read: 0.01, cache_write: 0.125 },
  'claude-haiku-4-5': { input: 1, output: 5, cache_read: 0.1, cache_write: 1.25 },
  'claude-3-5-haiku': { input: 0.8, output: 4, cache_read: 0.08, cache_write: 1 },
  // OpenAI (cached input as cache_read; no cache-write charge).
  'gpt-5': { input: 1.25, output: 10, cache_read: 0.125 },
  'gpt-5-mini': { input: 0.25, output: 2, cache_read: 0.025 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cache_read: 0.005 },
  'gpt-4.1': { input: 2, output: 8, cache_read: 0.5 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cache_read: 0.1 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cache_read: 0.025 },
  'gpt-4o': { input: 2.5, output: 10, cache_read: 1.25 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cache_read: 0.075 },
  'o4-mini': { input: 1.1, output: 4.4, cache_read: 0.275 },
  'o3': { input: 2, output: 8, cache_read: 0.5 },
};

const PriceSchema = z.object({
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cache_read: z.number().nonnegative().optional(),
  cache_write: z.number().nonnegative().optional(),
});
export const PriceTableSchema = z.record(z.string().min(1), PriceSchema);

/**
 * The price of a model: an exact entry, else the longest table key the name starts with (dated
 * names such as `claude-sonnet-4-5-20250929`), after dropping a router prefix (`anthropic/…`) and
 * treating `.` and `-` alike (`claude-sonnet-4.5`).
 */
export function priceOf(model: string, table: PriceTable): ModelPrice | null {
  const norm = (s: string) => s.toLowerCase().replace(/\./g, '-');
  const candidates = [model, model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model].map(norm);
  const entries = Object.entries(table).map(([k, v]) => [norm(k), v] as const);
  for (const name of candidates) {
    const exact = entries.find(([k]) => k === name);
    if (exact) return exact[1];
  }
  for (const name of candidates) {
    const prefix = entries.filter(([k]) => name.startsWith(`${k}-`) || name.startsWith(`${k}:`)).sort((a, b) => b[0].length - a[0].length)[0];
    if (prefix) return prefix[1];
  }
  return null;
}

/** Dollars for one turn's tokens (0 without a price). */
export function costOf(usage: TurnUsage, price: ModelPrice | null): number {
  if (!price) return 0;
  const dollars =
    usage.input_tokens * price.input +
    usage.output_tokens * price.output +
    usage.cache_read_input_tokens * (price.cache_read ?? price.input) +
    usage.cache_creation_input_tokens * (price.cache_write ?? price.input);
  return dollars / 1_000_000;
}

/** The built-in table with the overrides laid over it (an override replaces a model's whole entry). */
export function mergePrices(overrides: PriceTable | undefined): PriceTable {
  return { ...DEFAULT_PRICES, ...(overrides ?? {}) };
}
