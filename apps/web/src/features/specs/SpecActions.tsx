import type { Spec } from '@specline/protocol';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Archive, FileDown, FileJson, Play, RotateCw, Square } from 'lucide-react';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { toast } from 'sonner';
import { Button } from '../../components/ui/Button';
import { ConfirmDialog } from '../../components/ui/Dialog';
import { useApi } from '../../lib/api';
import type { ExportFormat } from '@specline/client';
import { downloadText } from '../../lib/download';
import { errorMessage } from '../../lib/errors';
import { queryKeys } from '../../lib/queryKeys';
import { executeBody, isModelOverridden, NO_OVERRIDE, RunModelOverride, type RunOverride } from '../execution/RunModelOverride';
import { RerunDialog } from '../review/RerunDialog';
import { useSpecCache } from './useSpec';

/** Run / re-run (from a phase, confirmed), cancel (confirmed), export (JSON, Markdown) and archive. */
export function SpecActions({ spec, onRunStarted }: { spec: Spec; onRunStarted: () => void }) {
  const api = useApi();
  const cache = useSpecCache(spec.id);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [confirmArchive, setConfirmArchive] = useState(false);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [rerunning, setRerunning] = useState(false);
  const [override, setOverride] = useState<RunOverride>(NO_OVERRIDE);
  const running = spec.status === 'executing';
  const neverRun = spec.phases.length === 0 && spec.status === 'draft';

  const started = (answer: { status?: string; message?: string }) => {
    if (answer.status === 'already_running') toast.info(`Already running: ${answer.message ?? ''}`);
    else toast.success('Run started');
    void queryClient.invalidateQueries({ queryKey: queryKeys.specs.detail(spec.id) });
    void queryClient.invalidateQueries({ queryKey: queryKeys.specs.eventsAll(spec.id) });
    void queryClient.invalidateQueries({ queryKey: queryKeys.specs.runs(spec.id) });
    cache.invalidateDerived();
    onRunStarted();
  };

  const execute = useMutation({
    mutationFn: () => api.specs.execute(spec.id, executeBody(override)),
    onSuccess: started,
    onError: (error) => toast.error(`Could not start the run: ${errorMessage(error)}`),
  });


  const exportSpec = useMutation({
    mutationFn: (format: ExportFormat) => api.specs.export(spec.id, format),
    onSuccess: (file) => downloadText(file.text, file.filename, file.contentType),
    onError: (error) => toast.error(`Export failed: ${errorMessage(error)}`),
  });

  return (
    <div className="flex flex-wrap items-center gap-2">
      {running ? (
        <Button variant="danger" onClick={() => setConfirmCancel(true)} icon={<Square aria-hidden className="size-4" />}>
          Cancel run
        </Button>
      ) : (
        <Button
          variant="primary"
          pending={execute.isPending}
          onClick={() => (neverRun ? execute.mutate() : setRerunning(true))}
          icon={neverRun ? <Play aria-hidden className="size-4" /> : <RotateCw aria-hidden className="size-4" />}
        >
          {neverRun ? 'Run spec' : 'Re-run spec'}
        </Button>
      )}
      {running ? null : <RunModelOverride projectId={spec.project_id} value={override} onChange={setOverride} disabled={execute.isPending} />}
      <Button
        pending={exportSpec.isPending && exportSpec.variables === 'markdown'}
        disabled={exportSpec.isPending}
        onClick={() => exportSpec.mutate('markdown')}
        icon={<FileDown aria-hidden className="size-4" />}
      >
        Export Markdown
      </Button>
      <Button
        pending={exportSpec.isPending && exportSpec.variables === 'json'}
        disabled={exportSpec.isPending}
        onClick={() => exportSpec.mutate('json')}
        icon={<FileJson aria-hidden className="size-4" />}
      >
        Export JSON
      </Button>
      <Button variant="ghost" onClick={() => setConfirmArchive(true)} icon={<Archive aria-hidden className="size-4" />}>
        Archive
      </Button>
      <ConfirmDialog
        open={confirmCancel}
        onOpenChange={setConfirmCancel}
        title="Cancel this run?"
        description="The run stops where it is. What finished phases wrote is kept, and the spec shows as Cancelled; you can re-run it later."
        confirmLabel="Cancel run"
        onConfirm={async () => {
          const answer = await api.specs.cancel(spec.id);
          cache.setSpec(answer);
          cache.invalidateDerived();
          void queryClient.invalidateQueries({ queryKey: queryKeys.specs.runs(spec.id) });
          toast.success('Run cancelled');
        }}
      />
      {rerunning ? (
        <RerunDialog
          spec={spec}
          open={rerunning}
          onOpenChange={setRerunning}
          approvalMode={override.approvalMode || undefined}
          fullRun={isModelOverridden(override) ? () => api.specs.execute(spec.id, executeBody(override)).then(started) : undefined}
          onStarted={() => started({ status: 'started' })}
        />
      ) : null}
      <ConfirmDialog
        open={confirmArchive}
        onOpenChange={setConfirmArchive}
        title="Archive this spec?"
        description={`“${spec.title}” leaves the project's spec list. Its requirements, design, tasks and events are kept.`}
        confirmLabel="Archive spec"
        onConfirm={async () => {
          await api.specs.archive(spec.id);
          void queryClient.invalidateQueries({ queryKey: queryKeys.specs.lists, refetchType: 'none' });
          toast.success(`Archived “${spec.title}”`);
          await navigate(`/projects/${spec.project_id}`);
          queryClient.removeQueries({ queryKey: queryKeys.specs.scope(spec.id) });
        }}
      />
    </div>
  );
}
