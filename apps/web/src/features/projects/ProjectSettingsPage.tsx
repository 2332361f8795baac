import type { Project } from '@specline/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ChevronRight, CircleCheck, Lock } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { toast } from 'sonner';
import { NotFoundPage } from '../../app/NotFoundPage';
import { Button } from '../../components/ui/Button';
import { ErrorState } from '../../components/ui/ErrorState';
import { Spinner } from '../../components/ui/Spinner';
import { useApi } from '../../lib/api';
import { isNotFound } from '../../lib/errors';
import { queryKeys } from '../../lib/queryKeys';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { APPROVAL_MODE_HINTS, APPROVAL_MODE_LABELS, APPROVAL_MODES, type ApprovalMode } from '../review/model';
import { ApiKeyField } from './settings/ApiKeyField';
import { InputField, Section, SelectInput } from './settings/Fields';
import { MembersSection } from './settings/MembersSection';
import {
  EXECUTOR_HINTS,
  EXECUTOR_OPTIONS,
  baseUrlPlaceholder,
  bodyFrom,
  draftFrom,
  hasProblems,
  isDirty,
  modelPlaceholder,
  problemsFromError,
  validateBody,
  type FormProblems,
  type SettingsDraft,
} from './settings/settingsForm';

export const OWNERS_ONLY = 'Only project owners can change these settings.';

/** `/projects/:projectId/settings`: name, repository, model settings, approval mode and members. Owners edit; members read. */
export function ProjectSettingsPage() {
  const { projectId = '' } = useParams();
  const api = useApi();
  const project = useQuery({ queryKey: queryKeys.projects.detail(projectId), queryFn: ({ signal }) => api.projects.get(projectId, signal) });
  useDocumentTitle('Settings', project.data?.name);
  const [savedAt, setSavedAt] = useState<string | null>(null);

  if (project.isPending) return <Spinner label="Loading settings…" />;
  if (project.isError) {
    if (isNotFound(project.error)) return <NotFoundPage what="project" />;
    return <ErrorState title="Could not load the project settings" error={project.error} onRetry={() => void project.refetch()} retrying={project.isFetching} />;
  }
  const data = project.data;
  return (
    <div className="flex flex-col gap-6">
      <div>
        <nav aria-label="Breadcrumb" className="mb-1 flex flex-wrap items-center gap-1 text-sm text-slate-500">
          <Link to="/projects" className="hover:underline">
            Projects
          </Link>
          <ChevronRight aria-hidden className="size-3.5" />
          <Link to={`/projects/${data.id}`} className="hover:underline">
            {data.name}
          </Link>
          <ChevronRight aria-hidden className="size-3.5" />
          <span aria-current="page">Settings</span>
        </nav>
        <h1 className="text-2xl font-semibold">Project settings</h1>
      </div>
      {data.role !== 'owner' ? (
        <p role="note" className="flex items-center gap-2 rounded-md border border-slate-200 bg-slate-50 p-3 text-sm text-slate-700">
          <Lock aria-hidden className="size-4 shrink-0 text-slate-500" />
          {OWNERS_ONLY} You can see them as a member.
        </p>
      ) : null}
      {/* Remounted from the server's answer after each save: the draft (and any typed key) starts afresh. */}
      <SettingsForm key={data.updated_at} project={data} savedAt={savedAt} onSaved={setSavedAt} />
      <div className="rounded-lg border border-slate-200 bg-white p-4 sm:p-6">
        <MembersSection project={data} />
      </div>
    </div>
  );
}

function SettingsForm({ project, savedAt, onSaved }: { project: Project; savedAt: string | null; onSaved: (at: string) => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<SettingsDraft>(() => draftFrom(project));
  const [problems, setProblems] = useState<FormProblems>({ fields: {}, general: null });
  const canEdit = project.role === 'owner';
  const body = bodyFrom(project, draft);
  const dirty = isDirty(body);

  const save = useMutation({
    mutationFn: () => api.projects.update(project.id, body),
    onSuccess: (updated) => {
      queryClient.setQueryData(queryKeys.projects.detail(project.id), updated);
      void queryClient.invalidateQueries({ queryKey: queryKeys.projects.all, refetchType: 'none' });
      onSaved(updated.updated_at);
      toast.success('Project settings saved');
    },
    onError: (error) => setProblems(problemsFromError(error)),
  });

  function set<K extends keyof SettingsDraft>(key: K, value: SettingsDraft[K]) {
    setDraft((current) => ({ ...current, [key]: value }));
    // A problem goes away as soon as its field is edited; the others stay until the next save.
    const field = key === 'apiKey' ? 'api_key' : key;
    setProblems((current) => (field in current.fields ? { ...current, fields: { ...current.fields, [field]: undefined } } : current));
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!canEdit || !dirty) return;
    const local = validateBody(body);
    setProblems(local);
    if (hasProblems(local)) return;
    save.mutate();
  }

  const { fields } = problems;
  const planner = draft.executor === 'planner';
  return (
    <form onSubmit={submit} noValidate aria-label="Project settings" className="rounded-lg border border-slate-200 bg-white p-4 sm:p-6">
      <fieldset disabled={!canEdit} className="min-w-0">
        <legend className="sr-only">Project settings{canEdit ? '' : ` (read-only: ${OWNERS_ONLY.toLowerCase()})`}</legend>
        <Section title="General">
          <InputField label="Name" value={draft.name} onChange={(e) => set('name', e.target.value)} error={fields.name} required maxLength={200} />
        </Section>

        <Section
          title="Repository"
          description="The code base EXPLORE reads. Without one, runs plan from the request alone."
        >
          <InputField
            label="Repository URL"
            value={draft.repo_url}
            onChange={(e) => set('repo_url', e.target.value)}
            error={fields.repo_url}
            placeholder="https://github.com/acme/app.git"
            spellCheck={false}
            autoComplete="off"
            inputMode="url"
            hint={
              <>
                Any git URL, <code className="font-mono">file://</code> included. A local path must be under one of the server’s allowed roots. Leave empty to plan without code.
                {project.repo_url?.includes('***@') ? ' The credentials in this URL are hidden (***): to change them, enter the whole URL again.' : null}
              </>
            }
          />
          <InputField
            label="Branch, tag or commit"
            value={draft.repo_ref}
            onChange={(e) => set('repo_ref', e.target.value)}
            error={fields.repo_ref}
            placeholder="Default branch"
            spellCheck={false}
            autoComplete="off"
            hint="Empty: the repository’s default branch."
          />
        </Section>

        <Section title="Executor and model" description="Who writes the specs of this project’s runs. A run can override it when it is launched.">
          <SelectInput
            label="Executor"
            value={draft.executor}
            onChange={(e) => set('executor', e.target.value as SettingsDraft['executor'])}
            options={EXECUTOR_OPTIONS}
            error={fields.executor}
            hint={EXECUTOR_HINTS[draft.executor]}
          />
          <InputField
            label="Model"
            value={draft.model}
            onChange={(e) => set('model', e.target.value)}
            error={fields.model}
            placeholder={modelPlaceholder(draft.executor)}
            spellCheck={false}
            autoComplete="off"
            hint={planner ? 'The planner uses no model; a value here is kept for when you switch.' : 'Empty: the provider’s default model.'}
          />
          <InputField
            label="Base URL"
            value={draft.base_url}
            onChange={(e) => set('base_url', e.target.value)}
            error={fields.base_url}
            placeholder={baseUrlPlaceholder(draft.executor)}
            spellCheck={false}
            autoComplete="off"
            inputMode="url"
            hint="For an OpenAI-compatible server (Ollama, vLLM) or a proxy. Empty: the provider’s own endpoint."
          />
          <ApiKeyField settings={project.model_settings} value={draft.apiKey} onChange={(next) => set('apiKey', next)} error={fields.api_key} disabled={!canEdit} />
        </Section>

        {draft.approval_mode !== '' ? (
          <Section title="Review" description="Whether a person approves the requirements and the design before a run goes on. A run can override it when it is launched.">
            <SelectInput
              label="Approval mode"
              value={draft.approval_mode}
              onChange={(e) => set('approval_mode', e.target.value as ApprovalMode)}
              options={APPROVAL_MODES.map((mode) => ({ value: mode, label: APPROVAL_MODE_LABELS[mode] }))}
              error={fields.approval_mode}
              hint={APPROVAL_MODE_HINTS[draft.approval_mode]}
            />
          </Section>
        ) : null}

        <div className="flex flex-wrap items-center gap-3 border-t border-slate-200 pt-4">
          <Button type="submit" variant="primary" pending={save.isPending} disabled={!dirty}>
            {save.isPending ? 'Saving…' : 'Save settings'}
          </Button>
          <Button
            onClick={() => {
              setDraft(draftFrom(project));
              setProblems({ fields: {}, general: null });
            }}
            disabled={!dirty || save.isPending}
          >
            Discard changes
          </Button>
          <span aria-live="polite" className="text-sm text-slate-600">
            {savedAt === project.updated_at && !dirty ? (
              <span className="flex items-center gap-1 text-green-800">
                <CircleCheck aria-hidden className="size-4" />
                Saved
              </span>
            ) : dirty && canEdit ? (
              'Unsaved changes'
            ) : null}
          </span>
        </div>
        {problems.general ? (
          <p role="alert" className="mt-3 rounded-md bg-red-50 p-2 text-sm text-red-800">
            {problems.general}
          </p>
        ) : null}
        {Object.values(fields).some(Boolean) && !problems.general ? (
          <p role="alert" className="mt-3 text-sm text-red-800">
            The settings were not saved: see the highlighted fields.
          </p>
        ) : null}
      </fieldset>
    </form>
  );
}
