import type { Design } from '@specline/protocol';
import { useEffect, useState } from 'react';
import { FormDialog } from '../../../components/ui/Dialog';
import { TextAreaField } from '../../../components/ui/Field';
import { useApi } from '../../../lib/api';
import { useSpecCache } from '../useSpec';
import { componentsToText, endpointsToText, textToComponents, textToEndpoints } from './designText';

/** Edits the whole design (`PUT /specs/{id}/design`). */
export function EditDesignDialog({ specId, design, open, onOpenChange }: { specId: string; design: Design | null; open: boolean; onOpenChange: (open: boolean) => void }) {
  const api = useApi();
  const cache = useSpecCache(specId);
  const [architecture, setArchitecture] = useState('');
  const [diagram, setDiagram] = useState('');
  const [dataModel, setDataModel] = useState('');
  const [endpoints, setEndpoints] = useState('');
  const [components, setComponents] = useState('');
  const [errorHandling, setErrorHandling] = useState('');
  const [testing, setTesting] = useState('');

  useEffect(() => {
    if (!open) return;
    setArchitecture(design?.architecture ?? '');
    setDiagram(design?.architecture_diagram ?? '');
    setDataModel(design?.data_model ?? '');
    setEndpoints(endpointsToText(design));
    setComponents(componentsToText(design));
    setErrorHandling(design?.error_handling ?? '');
    setTesting(design?.testing_strategy ?? '');
  }, [open, design]);

  const parsedEndpoints = textToEndpoints(endpoints);
  const parsedComponents = textToComponents(components);

  async function submit() {
    const answer = await api.design.put(specId, {
      architecture,
      architecture_diagram: diagram.trim() ? diagram : null,
      data_model: dataModel,
      api_spec: parsedEndpoints.items,
      components: parsedComponents.items,
      error_handling: errorHandling,
      testing_strategy: testing,
    });
    void cache.patchSpec((spec) => ({ ...spec, design: answer }));
    cache.invalidateDetail(); // approval of the design may have been reset by the edit
  }

  const lineError = (bad: number[]) => (bad.length ? `Cannot read line ${bad.join(', ')}.` : undefined);
  return (
    <FormDialog
      open={open}
      onOpenChange={onOpenChange}
      title="Edit design"
      submitLabel="Save design"
      onSubmit={submit}
      canSubmit={parsedEndpoints.badLines.length === 0 && parsedComponents.badLines.length === 0}
      wide
    >
      <TextAreaField label="Architecture overview (Markdown)" rows={6} value={architecture} onChange={(e) => setArchitecture(e.target.value)} />
      <TextAreaField label="Architecture diagram (Mermaid)" rows={4} className="font-mono" value={diagram} onChange={(e) => setDiagram(e.target.value)} />
      <TextAreaField label="Data model (Markdown)" rows={5} value={dataModel} onChange={(e) => setDataModel(e.target.value)} />
      <TextAreaField
        label="API endpoints"
        rows={4}
        className="font-mono"
        hint={lineError(parsedEndpoints.badLines) ?? 'One per line: METHOD /path — description'}
        aria-invalid={parsedEndpoints.badLines.length > 0}
        value={endpoints}
        onChange={(e) => setEndpoints(e.target.value)}
      />
      <TextAreaField
        label="Components"
        rows={4}
        className="font-mono"
        hint={lineError(parsedComponents.badLines) ?? 'One per line: ID | Name | responsibility | file path'}
        aria-invalid={parsedComponents.badLines.length > 0}
        value={components}
        onChange={(e) => setComponents(e.target.value)}
      />
      <TextAreaField label="Error handling (Markdown)" rows={3} value={errorHandling} onChange={(e) => setErrorHandling(e.target.value)} />
      <TextAreaField label="Testing strategy (Markdown)" rows={3} value={testing} onChange={(e) => setTesting(e.target.value)} />
    </FormDialog>
  );
}
