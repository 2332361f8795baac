import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FolderPlus } from 'lucide-react';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { Button } from '../../components/ui/Button';
import { FormDialog } from '../../components/ui/Dialog';
import { EmptyState } from '../../components/ui/EmptyState';
import { TextField } from '../../components/ui/Field';
import { Pagination } from '../../components/ui/Pagination';
import { QueryView } from '../../components/ui/QueryView';
import { RelativeTime } from '../../components/ui/RelativeTime';
import { useApi } from '../../lib/api';
import { LIMITS } from '../../lib/limits';
import { queryKeys } from '../../lib/queryKeys';
import { useDocumentTitle } from '../../lib/useDocumentTitle';

const PAGE = 20;

export function ProjectsPage() {
  const api = useApi();
  const [offset, setOffset] = useState(0);
  const [creating, setCreating] = useState(false);
  const params = { limit: PAGE, offset };
  const projects = useQuery({ queryKey: queryKeys.projects.list(params), queryFn: ({ signal }) => api.projects.list(params, signal), placeholderData: keepPreviousData });
  useDocumentTitle('Projects');

  return (
    <section aria-labelledby="projects-title" className="flex flex-col gap-4">
      <div className="flex items-center justify-between">
        <h1 id="projects-title" className="text-2xl font-semibold">
          Projects
        </h1>
        <Button variant="primary" onClick={() => setCreating(true)} icon={<FolderPlus aria-hidden className="size-4" />}>
          New project
        </Button>
      </div>
      <QueryView
        query={projects}
        loadingLabel="Loading projects…"
        errorTitle="Could not load projects"
        isEmpty={(data) => data.projects.length === 0}
        empty={<EmptyState title="No projects yet" description="A project holds specs and tickets. Create one to start." action={<Button onClick={() => setCreating(true)}>New project</Button>} />}
      >
        {(data) => (
          <>
            <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
              {data.projects.map((project) => (
                <li key={project.id}>
                  <Link to={`/projects/${project.id}`} className="block rounded-lg border border-slate-200 bg-white p-4 hover:border-indigo-300 focus-visible:outline-2 focus-visible:outline-indigo-600">
                    <span className="font-medium text-slate-900">{project.name}</span>
                    <span className="mt-1 block text-xs text-slate-500">
                      {project.role === 'owner' ? 'Owner' : 'Member'} · updated <RelativeTime iso={project.updated_at} />
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
            <Pagination label="Projects pages" offset={offset} limit={PAGE} total={data.total} onOffsetChange={setOffset} />
          </>
        )}
      </QueryView>
      <CreateProjectDialog open={creating} onOpenChange={setCreating} />
    </section>
  );
}

function CreateProjectDialog({ open, onOpenChange }: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: () => api.projects.create({ name }),
    onSuccess: (project) => {
      queryClient.setQueryData(queryKeys.projects.detail(project.id), project);
      // Stale, not refetched now: we leave this page (an active refetch would be aborted on unmount).
      void queryClient.invalidateQueries({ queryKey: queryKeys.projects.all, refetchType: 'none' });
      setName('');
      void navigate(`/projects/${project.id}`);
    },
  });
  return (
    <FormDialog open={open} onOpenChange={onOpenChange} title="New project" submitLabel="Create project" onSubmit={() => create.mutateAsync()} canSubmit={name.trim().length > 0}>
      <TextField label="Project name" required autoFocus errorPath="body.name" limit={LIMITS.projectName} value={name} onChange={(e) => setName(e.target.value)} />
    </FormDialog>
  );
}
