import type { Spec } from '@specline/protocol';
import { useMutation } from '@tanstack/react-query';
import { Pencil } from 'lucide-react';
import { useState, type ReactNode } from 'react';
import { toast } from 'sonner';
import { Badge, type Tone } from '../../../components/ui/Badge';
import { Button } from '../../../components/ui/Button';
import { EmptyState } from '../../../components/ui/EmptyState';
import { useApi } from '../../../lib/api';
import { errorMessage } from '../../../lib/errors';
import { ApprovalBar } from '../requirements/ApprovalBar';
import { designApproval } from '../requirements/approval';
import { RowProposals } from '../../review/ProposedChange';
import { useSpecCache } from '../useSpec';
import { EditDesignDialog } from './EditDesignDialog';
import { Markdown } from './Markdown';
import { MermaidDiagram } from './MermaidDiagram';

const methodTones: Record<string, Tone> = { GET: 'info', POST: 'success', PUT: 'warning', PATCH: 'warning', DELETE: 'danger' };

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = `design-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <section aria-labelledby={id} className="rounded-lg border border-slate-200 bg-white p-4">
      <h3 id={id} className="mb-2 font-semibold text-slate-900">
        {title}
      </h3>
      {children}
    </section>
  );
}

function Empty({ what }: { what: string }) {
  return <p className="text-sm text-slate-500">No {what} in this design.</p>;
}

export function DesignTab({ spec }: { spec: Spec }) {
  const api = useApi();
  const cache = useSpecCache(spec.id);
  const [editing, setEditing] = useState(false);
  const design = spec.design;
  const approve = useMutation({
    mutationFn: () => api.specs.approveDesign(spec.id),
    onSuccess: (answer) => {
      cache.setSpec(answer);
      cache.invalidateDerived();
      toast.success('Design approved');
    },
    onError: (error) => toast.error(`Could not approve the design: ${errorMessage(error)}`),
  });

  return (
    <div className="flex flex-col gap-4">
      <div className="flex items-center justify-between">
        <h2 className="text-lg font-semibold">Design</h2>
        <Button onClick={() => setEditing(true)} icon={<Pencil aria-hidden className="size-4" />}>
          {design ? 'Edit design' : 'Write design'}
        </Button>
      </div>
      <ApprovalBar what="design" approval={designApproval(spec)} pending={approve.isPending} onApprove={() => approve.mutate()} />
      <RowProposals specId={spec.id} kind="design" />
      {!design ? (
        <EmptyState title="No design yet" description={spec.status === 'executing' ? 'The run writes it in the design phase.' : 'Run the spec to generate one, or write it by hand.'} />
      ) : (
        <>
          <Section title="Architecture overview">{design.architecture ? <Markdown>{design.architecture}</Markdown> : <Empty what="architecture overview" />}</Section>
          {design.architecture_diagram ? (
            <Section title="Architecture diagram">
              <MermaidDiagram code={design.architecture_diagram} title="Architecture diagram" />
            </Section>
          ) : null}
          <Section title="Data model">{design.data_model ? <Markdown>{design.data_model}</Markdown> : <Empty what="data model" />}</Section>
          <Section title="API endpoints">
            {design.api_spec.length === 0 ? (
              <Empty what="API endpoints" />
            ) : (
              <div className="overflow-x-auto">
                <table className="w-full text-sm">
                  <caption className="sr-only">API endpoints</caption>
                  <thead className="text-left text-xs text-slate-500 uppercase">
                    <tr>
                      <th scope="col" className="py-1 pr-3">Method</th>
                      <th scope="col" className="py-1 pr-3">Path</th>
                      <th scope="col" className="py-1">Description</th>
                    </tr>
                  </thead>
                  <tbody>
                    {design.api_spec.map((endpoint, index) => (
                      <tr key={`${endpoint.method} ${endpoint.path} ${index}`} className="border-t border-slate-100 align-top">
                        <td className="py-1.5 pr-3">
                          <Badge tone={methodTones[endpoint.method.toUpperCase()] ?? 'neutral'} className="font-mono">
                            {endpoint.method.toUpperCase()}
                          </Badge>
                        </td>
                        <td className="py-1.5 pr-3 font-mono text-xs">{endpoint.path}</td>
                        <td className="py-1.5">{endpoint.description ? <Markdown>{endpoint.description}</Markdown> : null}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Section>
          <Section title="Components">
            {design.components.length === 0 ? (
              <Empty what="components" />
            ) : (
              <ul className="flex flex-col gap-2">
                {design.components.map((component) => (
                  <li key={component.id} className="text-sm">
                    <span className="mr-2 font-mono text-xs text-slate-500">{component.id}</span>
                    <span className="font-medium">{component.name}</span>
                    {component.file_path ? <code className="ml-2 rounded bg-slate-100 px-1 text-xs">{component.file_path}</code> : null}
                    {component.responsibility ? <p className="text-slate-600">{component.responsibility}</p> : null}
                  </li>
                ))}
              </ul>
            )}
          </Section>
          {design.error_handling ? (
            <Section title="Error handling">
              <Markdown>{design.error_handling}</Markdown>
            </Section>
          ) : null}
          {design.testing_strategy ? (
            <Section title="Testing strategy">
              <Markdown>{design.testing_strategy}</Markdown>
            </Section>
          ) : null}
        </>
      )}
      <EditDesignDialog specId={spec.id} design={design} open={editing} onOpenChange={setEditing} />
    </div>
  );
}
