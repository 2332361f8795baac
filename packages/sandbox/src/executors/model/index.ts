import { DEFAULT_EXECUTOR_MODELS } from '@specline/protocol';
/** Model-backed executors: `anthropic` (Messages API) and `openai` (Chat Completions and compatible servers). */
import { createAnthropicClient } from './anthropic';
import { createModelExecutor, type ModelExecutorOptions } from './executor';
import { createOpenAiClient } from './openai';
import type { ModelClient, ProviderName } from './types';
import type { PhaseExecutor } from '../../types';

export { createAnthropicClient, ANTHROPIC_DEFAULT_BASE_URL, type AnthropicClientOptions } from './anthropic';
export { createOpenAiClient, OPENAI_DEFAULT_BASE_URL, type OpenAiClientOptions } from './openai';
export { createModelExecutor, DEFAULT_MAX_READ_BYTES, type ModelExecutorOptions } from './executor';
export { runAgentLoop, DEFAULT_LOOP_LIMITS, ModelAttemptError, FatalModelError, shrinkToolResults, type LoopLimits, type LoopInput, type LoopResult } from './loop';
export { DEFAULT_PRICES, PriceTableSchema, priceOf, costOf, mergePrices, type ModelPrice, type PriceTable } from './prices';
export { phaseJsonSchema, validateAnswer, submitToolName, responseFormatName } from './schemas';
export { RepoTools, REPO_TOOLS, REPO_TOOL_NAMES, type ToolOutcome, type ToolLimits } from './tools';
export { Repo, PathRefused, normalizeRelative } from './repo';
export { mergeExplore, MEASURED_FIELDS } from './explore';
export { renderOverview } from './overview';
export { redact, retryAfterMs } from './errors';
export * from './types';

/** The model each provider uses when `--model` / `SPEC_MODEL` is not given. */
export const DEFAULT_MODELS: Readonly<Record<ProviderName, string>> = DEFAULT_EXECUTOR_MODELS;

export interface ProviderExecutorOptions extends Omit<ModelExecutorOptions, 'client' | 'model'> {
  provider: ProviderName;
  model?: string;
  /** Required by anthropic; optional for OpenAI-compatible local servers. */
  apiKey?: string | null;
  baseUrl?: string;
  fetch?: typeof fetch;
}

/** The SDK client of a provider. */
export function createModelClient(options: Pick<ProviderExecutorOptions, 'provider' | 'apiKey' | 'baseUrl' | 'fetch'>): ModelClient {
  // `retry-after` dates are wall-clock dates: the adapters read them against Date.now.
  const common = { ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}), ...(options.fetch ? { fetch: options.fetch } : {}) };
  if (options.provider === 'anthropic') return createAnthropicClient({ apiKey: options.apiKey ?? '', ...common });
  return createOpenAiClient({ apiKey: options.apiKey ?? null, ...common });
}

/** An executor for a provider, from settings (the CLI's entry point). */
export function createProviderExecutor(options: ProviderExecutorOptions): PhaseExecutor {
  const { provider, model, apiKey, baseUrl, fetch, ...rest } = options;
  const client = createModelClient({ provider, apiKey: apiKey ?? null, ...(baseUrl ? { baseUrl } : {}), ...(fetch ? { fetch } : {}) });
  return createModelExecutor({ ...rest, client, model: model ?? DEFAULT_MODELS[provider] });
}
