/** Phase executors. `planner` is the deterministic offline one (static analysis + rules, no model). */
export { createPlannerExecutor, PLANNER_NAME, type PlannerOptions } from './planner';
export { runExplore, featureSummary, type ExploreOptions } from './explore/explore';
export { scanTree, type ScanOptions, type ScanResult } from './explore/scan';
export { generatePrd } from './prd';
export { generateRequirements } from './requirements';
export { generateDesign } from './design';
export { generateTasks } from './tasks';
export { repairOutput, type RepairInput, type RepairResult } from './repair';
export { splitClauses, clauseFacts } from './text';
export { withPacing } from './paced';
export {
  createProviderExecutor,
  createModelExecutor,
  createModelClient,
  createAnthropicClient,
  createOpenAiClient,
  DEFAULT_MODELS,
  DEFAULT_LOOP_LIMITS,
  DEFAULT_PRICES,
  priceOf,
  costOf,
  ModelApiError,
  ModelAttemptError,
  FatalModelError,
  type ProviderExecutorOptions,
  type ModelExecutorOptions,
  type ModelClient,
  type ModelRequest,
  type ModelTurn,
  type LoopLimits,
  type PriceTable,
  type ModelPrice,
  type ProviderName,
  type StructuredOutputMode,
} from './model/index';
