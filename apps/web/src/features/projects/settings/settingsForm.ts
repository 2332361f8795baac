import { isApiError, type ApiErrorItem, type SpeclineClient } from '@specline/client';
import { UpdateProjectBody, type ExecutorName, type Project } from '@specline/protocol';
import { PROVIDER_DEFAULT_MODEL } from '../../phases/executors';
import { approvalModeOf, type ApprovalMode } from '../../review/model';

/**
 * The project settings form as plain data: the draft a person edits, the PATCH body it turns into
 * (only what changed), and the API's answers mapped to a sentence next to the field they are about.
 */

export type SettingsField = 'name' | 'repo_url' | 'repo_ref' | 'executor' | 'model' | 'base_url' | 'api_key' | 'approval_mode';

/** What happens to the stored API key on save. The key itself is never read back: only typed in. */
export type ApiKeyDraft = { action: 'keep' } | { action: 'replace'; value: string } | { action: 'remove' };

export interface SettingsDraft {
  name: string;
  repo_url: string;
  repo_ref: string;
  /** '' = the server's default executor. */
  executor: ExecutorName | '';
  model: string;
  base_url: string;
  apiKey: ApiKeyDraft;
  /** '' when the server does not send one (an older server): the control is not shown. */
  approval_mode: ApprovalMode | '';
}

export const EXECUTOR_OPTIONS: readonly { value: ExecutorName | ''; label: string }[] = [
  { value: '', label: 'Server default' },
  { value: 'planner', label: 'Planner — offline, deterministic' },
  { value: 'anthropic', label: 'Anthropic' },
  { value: 'openai', label: 'OpenAI-compatible (Ollama, vLLM, …)' },
];

/** What each executor does, under the select. */
export const EXECUTOR_HINTS: Record<ExecutorName | '', string> = {
  '': 'Runs use the executor the server is configured with.',
  planner: 'Writes specs without a model: no network, no key, and the same request always gives the same spec.',
  anthropic: 'Calls Anthropic’s Messages API with the key below.',
  openai: 'Calls any server that speaks the OpenAI Chat Completions API: OpenAI itself, Ollama, vLLM, LM Studio…',
};

export function modelPlaceholder(executor: ExecutorName | ''): string {
  switch (executor) {
    case '':
      return 'Server default';
    case 'planner':
      return 'Not used by the planner';
    case 'anthropic':
    case 'openai':
      return `${PROVIDER_DEFAULT_MODEL[executor]} (provider default)`;
  }
}

export function baseUrlPlaceholder(executor: ExecutorName | ''): string {
  switch (executor) {
    case 'openai':
      return 'https://api.openai.com/v1 — or http://localhost:11434/v1 for Ollama';
    case 'anthropic':
      return 'https://api.anthropic.com';
    case 'planner':
      return 'Not used by the planner';
    case '':
      return 'Server default';
  }
}

export function draftFrom(project: Project): SettingsDraft {
  const settings = project.model_settings;
  return {
    name: project.name,
    repo_url: project.repo_url ?? '',
    repo_ref: project.repo_ref ?? '',
    executor: settings.executor ?? '',
    model: settings.model ?? '',
    base_url: settings.base_url ?? '',
    apiKey: { action: 'keep' },
    approval_mode: approvalModeOf(project) ?? '',
  };
}

/** The PATCH body, as the client takes it. */
type Body = Parameters<SpeclineClient['projects']['update']>[1];
type ModelBody = NonNullable<Body['model_settings']>;

const orNull = (value: string): string | null => (value.trim() === '' ? null : value.trim());

/** The PATCH body: only the fields that differ from what the project has (a cleared field is sent as null). */
export function bodyFrom(project: Project, draft: SettingsDraft): Body {
  const initial = draftFrom(project);
  const body: Body = {};
  if (draft.name.trim() !== initial.name.trim()) body.name = draft.name.trim();
  if (orNull(draft.repo_url) !== orNull(initial.repo_url)) body.repo_url = orNull(draft.repo_url);
  if (orNull(draft.repo_ref) !== orNull(initial.repo_ref)) body.repo_ref = orNull(draft.repo_ref);
  if (draft.approval_mode !== '' && draft.approval_mode !== initial.approval_mode) body.approval_mode = draft.approval_mode;
  const model: ModelBody = {};
  if (draft.executor !== initial.executor) model.executor = draft.executor === '' ? null : draft.executor;
  if (orNull(draft.model) !== orNull(initial.model)) model.model = orNull(draft.model);
  if (orNull(draft.base_url) !== orNull(initial.base_url)) model.base_url = orNull(draft.base_url);
  if (draft.apiKey.action === 'remove' && project.model_settings.api_key_set) model.api_key = null;
  if (draft.apiKey.action === 'replace' && draft.apiKey.value.trim() !== '') model.api_key = draft.apiKey.value.trim();
  if (Object.keys(model).length > 0) body.model_settings = model;
  return body;
}

export function isDirty(body: Body): boolean {
  return Object.keys(body).length > 0;
}

export interface FormProblems {
  fields: Partial<Record<SettingsField, string>>;
  /** A problem that belongs to no one field (permissions, the network, an unexpected answer). */
  general: string | null;
}

const FIELD_BY_PATH: Record<string, SettingsField> = {
  name: 'name',
  repo_url: 'repo_url',
  repo_ref: 'repo_ref',
  'model_settings.executor': 'executor',
  'model_settings.model': 'model',
  'model_settings.base_url': 'base_url',
  'model_settings.api_key': 'api_key',
  model_settings: 'executor',
  approval_mode: 'approval_mode',
};

/** `body.model_settings.base_url` → `base_url`; unknown paths → undefined. */
export function fieldForPath(path: string): SettingsField | undefined {
  const bare = path.replace(/^body\./, '');
  return FIELD_BY_PATH[bare];
}

/** What to say when the form's own check fails, per field: short and actionable. */
const CLIENT_MESSAGES: Record<SettingsField, string> = {
  name: 'Enter a project name (up to 200 characters).',
  repo_url: 'Enter a git URL of up to 2,000 characters.',
  repo_ref: 'Enter a branch, tag or commit of up to 255 characters.',
  executor: 'Choose an executor.',
  model: 'Enter a model name of up to 200 characters.',
  base_url: 'Enter an http:// or https:// URL, like http://localhost:11434/v1.',
  api_key: 'Paste a key of up to 1,000 characters.',
  approval_mode: 'Choose Auto or Review.',
};

function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const first = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

/** Checks the body with the protocol's own schema before it is sent. */
export function validateBody(body: Body): FormProblems {
  const result = UpdateProjectBody.safeParse(body);
  const fields: FormProblems['fields'] = {};
  if (!result.success) {
    for (const issue of result.error.issues) {
      const field = fieldForPath(issue.path.map(String).join('.'));
      if (field) fields[field] ??= CLIENT_MESSAGES[field];
    }
  }
  return { fields, general: !result.success && Object.keys(fields).length === 0 ? 'The settings could not be checked. Review the fields and try again.' : null };
}

export function hasProblems(problems: FormProblems): boolean {
  return problems.general !== null || Object.keys(problems.fields).length > 0;
}

/**
 * An error body whose `code` this client version does not know is kept by the client as the raw text
 * (`HTTP 422 …: {"detail": …}`); read its detail and code back so the sentence is the server's.
 */
interface RawBody {
  detail?: string;
  code?: string;
  errors?: ApiErrorItem[];
}

function rawBody(detail: string): RawBody | null {
  const match = /^HTTP \d{3}[^:]*: (\{[\s\S]*\})$/.exec(detail);
  if (!match?.[1]) return null;
  try {
    const parsed = JSON.parse(match[1]) as RawBody | null;
    return parsed && typeof parsed === 'object' ? parsed : null;
  } catch {
    return null;
  }
}

/** The API's answer to a failed save, as sentences next to the fields it names. */
export function problemsFromError(error: unknown): FormProblems {
  if (!isApiError(error)) return { fields: {}, general: error instanceof Error ? error.message : String(error) };
  const raw = rawBody(error.detail);
  const code: string = raw?.code ?? error.code;
  const detail = raw?.detail ?? error.detail;
  const items: unknown[] = Array.isArray(raw?.errors) ? raw.errors : error.errors;
  const fields: FormProblems['fields'] = {};
  for (const item of items) {
    if (!item || typeof item !== 'object') continue;
    const { path, message } = item as Partial<ApiErrorItem>;
    if (typeof path !== 'string' || typeof message !== 'string') continue;
    const field = fieldForPath(path);
    if (field) fields[field] ??= sentence(message);
  }
  if (code === 'repo_not_allowed') fields.repo_url ??= sentence(detail);
  if (Object.keys(fields).length > 0) return { fields, general: null };
  if (error.status === 403 || code === 'forbidden') return { fields, general: 'Only project owners can change these settings.' };
  if (error.status === 0) return { fields, general: `The settings were not saved: ${detail}` };
  return { fields, general: sentence(detail) };
}
