/**
 * Model settings: per project (stored, the API key sealed), per launch (an override, never stored)
 * and server-wide (the environment, `config.models`). The effective settings of a run, field by field:
 * launch override ▸ project ▸ server default ▸ the offline `planner`.
 *
 * A project's model, base URL and key apply when its executor is unset or is the run's executor (a key
 * for one provider is never handed to another); the server's `SPEC_MODEL` likewise applies when
 * `SPEC_EXECUTOR` is unset or matches; the provider's `*_API_KEY` / `*_BASE_URL` always match their
 * provider. A launch override applies as given; `null` in it skips the project's value (server default).
 *
 * The sandbox gets the result as environment variables only (`modelEnv`): `SPEC_EXECUTOR`,
 * `SPEC_MODEL`, and `ANTHROPIC_API_KEY`/`ANTHROPIC_BASE_URL` or `OPENAI_API_KEY`/`OPENAI_BASE_URL`.
 */
import type { ExecutorName, ModelSettingsInput, ProjectModelSettings } from '@specline/protocol';
import type { ModelDefaults } from '../config';
import type { projects } from '../store/schema';
import type { SecretBox } from './secretBox';

type ProjectRow = typeof projects.$inferSelect;

export const keyContext = (projectId: string) => `project:${projectId}:model_api_key`;

const EXECUTOR_NAMES: readonly string[] = ['planner', 'anthropic', 'openai'];
const asExecutor = (value: string | null): ExecutorName | null => (value !== null && EXECUTOR_NAMES.includes(value) ? (value as ExecutorName) : null);

export function modelSettingsDto(row: ProjectRow): ProjectModelSettings {
  return {
    executor: asExecutor(row.modelExecutor),
    model: row.modelName,
    base_url: row.modelBaseUrl,
    api_key_set: row.modelApiKeyEnc !== null,
    api_key_last4: row.modelApiKeyEnc !== null ? row.modelApiKeyLast4 : null,
  };
}

export type ModelColumns = Pick<ProjectRow, 'modelExecutor' | 'modelName' | 'modelBaseUrl' | 'modelApiKeyEnc' | 'modelApiKeyLast4'>;

/** The columns an input changes (absent fields are left alone; `null` clears). The key is sealed here. */
export function modelColumnsFrom(input: ModelSettingsInput | undefined, projectId: string, secrets: SecretBox): Partial<ModelColumns> {
  if (!input) return {};
  const out: Partial<ModelColumns> = {};
  if (input.executor !== undefined) out.modelExecutor = input.executor;
  if (input.model !== undefined) out.modelName = input.model;
  if (input.base_url !== undefined) out.modelBaseUrl = input.base_url;
  if (input.api_key !== undefined) {
    out.modelApiKeyEnc = input.api_key === null ? null : secrets.seal(input.api_key, keyContext(projectId));
    out.modelApiKeyLast4 = input.api_key === null ? null : input.api_key.slice(-4);
  }
  return out;
}

export interface EffectiveModelSettings {
  executor: ExecutorName;
  model: string | null;
  baseUrl: string | null;
  apiKey: string | null;
}

/** The project's stored settings with the key opened (throws `SecretUnreadableError` when it cannot be). */
export interface ProjectModel {
  executor: ExecutorName | null;
  model: string | null;
  baseUrl: string | null;
  apiKey: string | null;
}

export function projectModel(row: ModelColumns & { id: string }, secrets: SecretBox): ProjectModel {
  return {
    executor: asExecutor(row.modelExecutor),
    model: row.modelName,
    baseUrl: row.modelBaseUrl,
    apiKey: row.modelApiKeyEnc === null ? null : secrets.open(row.modelApiKeyEnc, keyContext(row.id)),
  };
}

export function effectiveModelSettings(override: ModelSettingsInput | undefined, project: ProjectModel | null, defaults: ModelDefaults): EffectiveModelSettings {
  const o = override ?? {};
  let executor: ExecutorName;
  if (o.executor) executor = o.executor;
  else if (o.executor === undefined && project?.executor) executor = project.executor;
  else executor = defaults.executor ?? 'planner';
  const projectApplies = project !== null && (project.executor === null || project.executor === executor);
  const provider = executor === 'anthropic' ? defaults.anthropic : executor === 'openai' ? defaults.openai : { apiKey: undefined, baseUrl: undefined };
  const serverModelApplies = defaults.executor === undefined || defaults.executor === executor;
  /** override (a value, or null = skip the project) ▸ project ▸ server. */
  const pick = (fromOverride: string | null | undefined, fromProject: string | null | undefined, fromServer: string | undefined): string | null => {
    if (fromOverride) return fromOverride;
    if (fromOverride === undefined && projectApplies && fromProject) return fromProject;
    return fromServer ?? null;
  };
  return {
    executor,
    model: executor === 'planner' ? null : pick(o.model, project?.model, serverModelApplies ? defaults.model : undefined),
    baseUrl: executor === 'planner' ? null : pick(o.base_url, project?.baseUrl, provider.baseUrl),
    apiKey: executor === 'planner' ? null : pick(o.api_key, project?.apiKey, provider.apiKey),
  };
}

/** The sandbox's environment variables for these settings. */
export function modelEnv(settings: EffectiveModelSettings): Record<string, string> {
  const env: Record<string, string> = { SPEC_EXECUTOR: settings.executor };
  if (settings.model) env['SPEC_MODEL'] = settings.model;
  const prefix = settings.executor === 'anthropic' ? 'ANTHROPIC' : settings.executor === 'openai' ? 'OPENAI' : null;
  if (prefix) {
    if (settings.apiKey) env[`${prefix}_API_KEY`] = settings.apiKey;
    if (settings.baseUrl) env[`${prefix}_BASE_URL`] = settings.baseUrl;
  }
  return env;
}
