import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { FormDialog } from '../../components/ui/Dialog';
import { TextAreaField, TextField } from '../../components/ui/Field';
import { useApi } from '../../lib/api';
import { LIMITS } from '../../lib/limits';
import { queryKeys } from '../../lib/queryKeys';

/** Creates a draft spec (`POST /specs`) and opens it. */
export function NewSpecDialog({ projectId, open, onOpenChange }: { projectId: string; open: boolean; onOpenChange: (open: boolean) => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const create = useMutation({
    mutationFn: () => api.specs.create({ title, description, project_id: projectId }),
    onSuccess: (spec) => {
      queryClient.setQueryData(queryKeys.specs.detail(spec.id), spec);
      void queryClient.invalidateQueries({ queryKey: queryKeys.specs.lists, refetchType: 'none' }); // we navigate away
      setTitle('');
      setDescription('');
      void navigate(`/projects/${projectId}/specs/${spec.id}?tab=requirements`);
    },
  });
  return (
    <FormDialog
      open={open}
      onOpenChange={onOpenChange}
      title="New spec"
      description="A draft spec: add requirements by hand, or run it to generate them."
      submitLabel="Create spec"
      onSubmit={() => create.mutateAsync()}
      canSubmit={title.trim().length > 0}
    >
      <TextField label="Title" required autoFocus errorPath="body.title" limit={LIMITS.specTitle} value={title} onChange={(e) => setTitle(e.target.value)} />
      <TextAreaField label="Description" errorPath="body.description" limit={LIMITS.specDescription} value={description} onChange={(e) => setDescription(e.target.value)} />
    </FormDialog>
  );
}
