import type { SpeclineClient } from '@specline/client';
import type { ExecutorName, ModelSettingsInput, Project } from '@specline/protocol';
import { useQuery } from '@tanstack/react-query';
import { ChevronDown, SlidersHorizontal } from 'lucide-react';
import { useId, useState } from 'react';
import { Button } from '../../components/ui/Button';
import { useApi } from '../../lib/api';
import { cn } from '../../lib/cn';
import { queryKeys } from '../../lib/queryKeys';
import { executorName, PROVIDER_DEFAULT_MODEL } from '../phases/executors';
import { APPROVAL_MODE_LABELS, approvalModeOf, type ApprovalMode } from '../review/model';

/** A per-launch override of the project's model settings and approval mode; nothing is stored. '' = keep the project's. */
export interface RunOverride {
  executor: ExecutorName | '';
  model: string;
  /** Review: the run stops after Requirements and Design for approval. */
  approvalMode?: ApprovalMode | '';
}

export const NO_OVERRIDE: RunOverride = { executor: '', model: '', approvalMode: '' };

export function isModelOverridden(override: RunOverride): boolean {
  return override.executor !== '' || override.model.trim() !== '';
}

export function isOverridden(override: RunOverride): boolean {
  return isModelOverridden(override) || Boolean(override.approvalMode);
}

/** The `POST /specs/{id}/execute` body for a launch: `model_settings` / `approval_mode` only when overridden. */
export function executeBody(override: RunOverride): NonNullable<Parameters<SpeclineClient['specs']['execute']>[1]> {
  const settings: ModelSettingsInput = {};
  if (override.executor !== '') settings.executor = override.executor;
  const model = override.model.trim();
  if (model !== '' && override.executor !== 'planner') settings.model = model;
  return {
    ...(Object.keys(settings).length > 0 ? { model_settings: settings } : {}),
    ...(override.approvalMode ? { approval_mode: override.approvalMode } : {}),
  };
}

function projectSettingLabel(project: Project | undefined): string {
  const executor = project?.model_settings.executor;
  if (!project) return 'Project setting';
  if (!executor) return 'Project setting (server default)';
  return `Project setting (${executorName(executor)})`;
}

function summary(override: RunOverride): string {
  const parts = [
    override.executor ? executorName(override.executor) : null,
    override.executor !== 'planner' && override.model.trim() ? override.model.trim() : null,
    override.approvalMode ? `${APPROVAL_MODE_LABELS[override.approvalMode]} mode` : null,
  ].filter(Boolean);
  return parts.join(' · ');
}

/**
 * The optional "Model" disclosure next to Run / Re-run: pick another executor and model for this run
 * only. Rendered inside the actions' flex row; the panel takes a row of its own at the end.
 */
export function RunModelOverride({ projectId, value, onChange, disabled = false }: { projectId: string; value: RunOverride; onChange: (next: RunOverride) => void; disabled?: boolean }) {
  const api = useApi();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const executorId = `${panelId}-executor`;
  const modelId = `${panelId}-model`;
  const approvalId = `${panelId}-approval`;
  const project = useQuery({ queryKey: queryKeys.projects.detail(projectId), queryFn: ({ signal }) => api.projects.get(projectId, signal) }).data;
  const effective = value.executor || project?.model_settings.executor || '';
  const planner = effective === 'planner';
  const placeholder =
    value.executor === ''
      ? (project?.model_settings.model ?? (effective && effective !== 'planner' ? PROVIDER_DEFAULT_MODEL[effective] : 'Project setting'))
      : value.executor === 'planner'
        ? 'Not used by the planner'
        : PROVIDER_DEFAULT_MODEL[value.executor];
  const overridden = isOverridden(value);
  const projectMode = approvalModeOf(project);

  return (
    <>
      <Button
        onClick={() => setOpen((o) => !o)}
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        disabled={disabled}
        icon={<SlidersHorizontal aria-hidden className="size-4" />}
        className={cn(overridden && 'border-indigo-300 bg-indigo-50 text-indigo-900')}
      >
        {overridden ? `Model: ${summary(value)}` : 'Model'}
        <ChevronDown aria-hidden className={cn('size-4 motion-safe:transition-transform', open && 'rotate-180')} />
      </Button>
      {open ? (
        <div id={panelId} role="group" aria-label="Model for this run" className="order-last flex w-full basis-full flex-col gap-3 rounded-lg border border-slate-200 bg-white p-3 text-sm shadow-sm" data-testid="run-model-override">
          <div className="grid gap-3 sm:grid-cols-3">
            <div className="flex flex-col gap-1">
              <label htmlFor={executorId} className="font-medium text-slate-700">
                Executor
              </label>
              <select
                id={executorId}
                value={value.executor}
                onChange={(e) => onChange({ ...value, executor: e.target.value as RunOverride['executor'] })}
                className="w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm focus-visible:outline-2 focus-visible:outline-indigo-600"
              >
                <option value="">{projectSettingLabel(project)}</option>
                <option value="planner">Planner — offline, deterministic</option>
                <option value="anthropic">Anthropic</option>
                <option value="openai">OpenAI-compatible (Ollama, vLLM, …)</option>
              </select>
            </div>
            <div className="flex flex-col gap-1">
              <label htmlFor={modelId} className="font-medium text-slate-700">
                Model
              </label>
              <input
                id={modelId}
                value={planner ? '' : value.model}
                onChange={(e) => onChange({ ...value, model: e.target.value })}
                placeholder={planner ? 'Not used by the planner' : placeholder}
                disabled={planner}
                spellCheck={false}
                autoComplete="off"
                className="w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm placeholder:text-slate-400 focus-visible:outline-2 focus-visible:outline-indigo-600 disabled:bg-slate-50"
              />
            </div>
            <div className="flex flex-col gap-1">
              <label htmlFor={approvalId} className="font-medium text-slate-700">
                Approval mode
              </label>
              <select
                id={approvalId}
                value={value.approvalMode ?? ''}
                onChange={(e) => onChange({ ...value, approvalMode: e.target.value as RunOverride['approvalMode'] })}
                className="w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm focus-visible:outline-2 focus-visible:outline-indigo-600"
              >
                <option value="">{projectMode ? `Project setting (${APPROVAL_MODE_LABELS[projectMode]})` : 'Project setting'}</option>
                <option value="auto">Auto — run every phase straight through</option>
                <option value="review">Review — stop after Requirements and Design</option>
              </select>
            </div>
          </div>
          <div className="flex flex-wrap items-center justify-between gap-2">
            <p className="text-xs text-slate-500">For this run only: the project’s settings (and its key and base URL) stay as they are.</p>
            <Button size="sm" variant="ghost" onClick={() => onChange(NO_OVERRIDE)} disabled={!overridden}>
              Use the project’s settings
            </Button>
          </div>
        </div>
      ) : null}
    </>
  );
}
