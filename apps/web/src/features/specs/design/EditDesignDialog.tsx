import type { Design } from '@specline/protocol';
import { useState } from 'react';
import { Button } from '../../../components/ui/Button';
import { FormDialog } from '../../../components/ui/Dialog';
import { useApi } from '../../../lib/api';
import { useSpecCache } from '../useSpec';
import { bodyFromDraft, dataModelsToMarkdown, DESIGN_LIMITS, draftFromDesign, draftProblems, parseDataModels, type DesignDraft } from './designText';
import { MarkdownEditor } from './MarkdownEditor';
import { ComponentRows, EndpointRows, ModelRows } from './RowEditors';

/**
 * Edits the whole design (`PUT /specs/{id}/design`): the overview and the other texts as Markdown with a
 * live preview; components, data models (and their fields) and endpoints as rows to add, remove and reorder.
 */
export function EditDesignDialog({ specId, design, open, onOpenChange }: { specId: string; design: Design | null; open: boolean; onOpenChange: (open: boolean) => void }) {
  // Mounted afresh on each opening: the draft starts from the design as it is now.
  return open ? <DesignForm specId={specId} design={design} onOpenChange={onOpenChange} /> : null;
}

function DesignForm({ specId, design, onOpenChange }: { specId: string; design: Design | null; onOpenChange: (open: boolean) => void }) {
  const api = useApi();
  const cache = useSpecCache(specId);
  const [draft, setDraft] = useState<DesignDraft>(() => draftFromDesign(design));
  const set = <K extends keyof DesignDraft>(key: K, value: DesignDraft[K]) => setDraft((current) => ({ ...current, [key]: value }));
  const problems = draftProblems(draft);

  async function submit() {
    const answer = await api.design.put(specId, bodyFromDraft(draft));
    void cache.patchSpec((spec) => ({ ...spec, design: answer }));
    cache.invalidateDetail(); // approval of the design may have been reset by the edit
  }

  /** Free Markdown ↔ rows for the data model; rows are offered only when the text reads as rows. */
  const textAsRows = draft.models === null ? parseDataModels(draft.dataModelText) : null;
  return (
    <FormDialog open onOpenChange={onOpenChange} title="Edit design" submitLabel="Save design" onSubmit={submit} canSubmit={problems.length === 0} wide>
      <MarkdownEditor label="Architecture overview" value={draft.architecture} onChange={(v) => set('architecture', v)} limit={DESIGN_LIMITS.architecture} rows={8} />
      <MarkdownEditor
        label="Architecture diagram (Mermaid)"
        value={draft.diagram}
        onChange={(v) => set('diagram', v)}
        limit={DESIGN_LIMITS.diagram}
        rows={4}
        mono
        hint="Mermaid source, such as flowchart LR; A --> B. The preview shows it as code; the design tab draws it."
      />
      <ComponentRows items={draft.components} onChange={(v) => set('components', v)} />
      {draft.models ? (
        <div className="flex min-w-0 flex-col gap-1">
          <ModelRows items={draft.models} onChange={(v) => set('models', v)} />
          <div>
            <Button
              size="sm"
              variant="ghost"
              onClick={() => setDraft((current) => ({ ...current, dataModelText: dataModelsToMarkdown(current.models ?? []), models: null }))}
            >
              Edit the data model as Markdown instead
            </Button>
          </div>
        </div>
      ) : (
        <div className="flex min-w-0 flex-col gap-1">
          <MarkdownEditor
            label="Data model"
            value={draft.dataModelText}
            onChange={(v) => set('dataModelText', v)}
            limit={DESIGN_LIMITS.dataModel}
            rows={6}
            hint={textAsRows ? 'Written as models and fields: it can be edited as rows.' : 'This data model is free text, so it is edited as Markdown.'}
          />
          {textAsRows ? (
            <div>
              <Button size="sm" variant="ghost" onClick={() => setDraft((current) => ({ ...current, models: parseDataModels(current.dataModelText) }))}>
                Edit the data model as rows
              </Button>
            </div>
          ) : null}
        </div>
      )}
      <EndpointRows items={draft.endpoints} onChange={(v) => set('endpoints', v)} />
      <MarkdownEditor label="Error handling" value={draft.errorHandling} onChange={(v) => set('errorHandling', v)} limit={DESIGN_LIMITS.errorHandling} rows={4} />
      <MarkdownEditor label="Testing strategy" value={draft.testing} onChange={(v) => set('testing', v)} limit={DESIGN_LIMITS.testing} rows={4} />
      {problems.length > 0 ? (
        <div role="alert" className="rounded-md bg-amber-50 p-2 text-sm text-amber-900">
          <p className="font-medium">Before saving:</p>
          <ul className="ml-5 list-disc">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </FormDialog>
  );
}
