import type { Project } from '@specline/protocol';
import { Bot, FolderGit2, GitBranch, Info } from 'lucide-react';
import { Link } from 'react-router';
import { writtenByLabel } from '../phases/executors';
import { displayRepoUrl } from './repoUrl';

function modelSummary(project: Project): string {
  const { executor, model } = project.model_settings;
  if (!executor) return model ? `Server default executor · ${model}` : 'Server default';
  if (executor === 'planner') return 'Offline planner (no model)';
  return writtenByLabel(executor, model) ?? executor;
}

/**
 * What runs of this project read and who writes them: the connected repository (never its credentials)
 * and ref, or a notice that runs plan from the request alone, with a way to settings.
 */
export function ProjectRepository({ project }: { project: Project }) {
  const settings = `/projects/${project.id}/settings`;
  const model = (
    <span className="flex items-center gap-1.5 text-slate-600">
      <Bot aria-hidden className="size-4 shrink-0 text-slate-500" />
      <span>
        Model: <span data-testid="project-model">{modelSummary(project)}</span>
      </span>
    </span>
  );
  if (!project.repo_url) {
    return (
      <section aria-label="Repository" className="flex flex-col gap-2 rounded-lg border border-amber-200 bg-amber-50 p-3 text-sm sm:flex-row sm:items-center sm:justify-between" data-testid="project-repository">
        <p className="flex items-start gap-2 text-amber-950">
          <Info aria-hidden className="mt-0.5 size-4 shrink-0 text-amber-700" />
          <span>
            No repository is connected: runs will plan from the request alone.{' '}
            <Link to={settings} className="font-medium text-indigo-700 underline hover:text-indigo-900">
              {project.role === 'owner' ? 'Connect one in settings' : 'See settings'}
            </Link>
          </span>
        </p>
        {model}
      </section>
    );
  }
  const url = displayRepoUrl(project.repo_url);
  return (
    <section aria-label="Repository" className="flex flex-col gap-1.5 rounded-lg border border-slate-200 bg-white p-3 text-sm sm:flex-row sm:flex-wrap sm:items-center sm:gap-x-6" data-testid="project-repository">
      <span className="flex min-w-0 items-center gap-1.5">
        <FolderGit2 aria-hidden className="size-4 shrink-0 text-slate-500" />
        <span className="sr-only">Repository:</span>
        <code className="truncate font-mono text-xs text-slate-800" title={url} data-testid="project-repo-url">
          {url}
        </code>
      </span>
      <span className="flex items-center gap-1.5 text-slate-600">
        <GitBranch aria-hidden className="size-4 shrink-0 text-slate-500" />
        <span className="sr-only">Ref:</span>
        <code className="font-mono text-xs" data-testid="project-repo-ref">
          {project.repo_ref ?? 'default branch'}
        </code>
      </span>
      {model}
    </section>
  );
}
