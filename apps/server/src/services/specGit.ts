/**
 * A spec's branch and pull request in the project's connected repository (`projects.repo_url`).
 *
 * `create-branch`: the branch `spec/<title slug>-<id8>` is made in the project's mirror
 * (`<dataDir>/repos/<project_id>.git`, cloned when missing) at the commit the spec's run explored
 * (`specs.repo_commit`), then pushed to the repository. Pushed, it is recorded as `specs.branch_name`;
 * when the push fails (no network, no permission, a repository that is gone) the local branch is
 * removed again and the answer is `409 no_remote` with git's reason: nothing changed. A `file://`
 * repository under the allowed roots counts as a remote. Idempotent: the branch already there is kept.
 *
 * `create-pr`: a pull request can only be opened through a forge's API (GitHub, GitLab, …), which this
 * server does not have. It pushes the branch again (so the ref is on the remote) and answers
 * `409 no_pull_request_api` naming the pushed ref; `pull_request_url` stays null.
 *
 * git runs as the launcher runs it (`launcher/workspace.ts`: no shell, timeout, no prompts, allowed
 * transports only); URLs are shown without credentials.
 */
import type { CreateBranchResponse } from '@specline/protocol';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { and, eq, ne } from 'drizzle-orm';
import type { Config } from '../config';
import { AppError, notFound } from '../http/errors';
import { createGit, gitEnv, type Git } from '../launcher/workspace';
import type { Db } from '../store/db';
import { projects, specTasks, specs } from '../store/schema';
import { requireSpecAccess } from './access';
import { checkRepoUrl, redactCredentials, redactUrl, repoPolicyOf } from './repoUrls';
import { requireNotArchived } from './specs';
import { recordVersion } from './versions';

export interface SpecGitDeps {
  db: Db;
  config: Config;
  /** Injected in tests; default: git with the launcher's environment rules. */
  git?: Git;
}

/** `spec/<slug of the title>-<first 8 of the id>`: `[a-z0-9-]` only, a valid branch name. */
export function specBranchName(spec: { id: string; title: string }): string {
  const slug = spec.title
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  const short = spec.id.replace(/^spec-/, '').replace(/[^a-z0-9]/gi, '').slice(0, 8).toLowerCase();
  return `spec/${slug || 'spec'}-${short || 'x'}`;
}

interface Pushed {
  branch: string;
  commit: string;
  remote: string;
  alreadyExists: boolean;
}

function errorText(error: unknown): string {
  return redactCredentials(error instanceof Error ? error.message : String(error));
}

/** Makes sure the branch exists in the mirror and on the remote; `409 no_remote` (nothing changed) when it cannot be pushed. */
async function pushBranch(deps: SpecGitDeps, spec: typeof specs.$inferSelect, project: typeof projects.$inferSelect, branch: string): Promise<Pushed> {
  if (!project.repoUrl) {
    throw new AppError('no_remote', `the project "${project.name}" has no connected repository: set its repository URL in the project settings, run the spec, then create the branch`);
  }
  const shown = redactUrl(project.repoUrl);
  const policy = repoPolicyOf(deps.config);
  let target: string;
  try {
    const checked = checkRepoUrl(project.repoUrl, policy);
    target = checked.kind === 'local' ? checked.path : checked.url;
  } catch (error) {
    throw new AppError('no_remote', `the repository ${shown} cannot be reached from this server: ${errorText(error).replace(/^repo_url is not allowed: /, '')}`);
  }
  if (!spec.repoCommit) {
    throw new AppError('precondition_failed', `spec ${spec.id} has no explored commit: run it against the repository ${shown} first (the branch starts at the commit its run explored)`);
  }
  const git = deps.git ?? createGit(gitEnv(deps.config.sandbox.env));
  const timeoutMs = policy.gitTimeoutSeconds * 1000;
  const reposDir = path.join(deps.config.dataDir, 'repos');
  const mirror = path.join(reposDir, `${project.id}.git`);
  const run = (args: string[]) => git(['--git-dir', mirror, ...args], { timeoutMs });
  const unreachable = (what: string, error: unknown) => new AppError('no_remote', `could not ${what} the repository ${shown}: ${errorText(error)}; nothing was changed`);

  if (!existsSync(path.join(mirror, 'HEAD'))) {
    mkdirSync(reposDir, { recursive: true });
    const tmp = `${mirror}.${process.pid}.${Date.now()}.branch.tmp`;
    try {
      await git(['clone', '--mirror', '--quiet', '--', target, tmp], { timeoutMs });
      if (!existsSync(path.join(mirror, 'HEAD'))) renameSync(tmp, mirror);
    } catch (error) {
      throw unreachable('clone', error);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const hasCommit = () => run(['cat-file', '-e', `${spec.repoCommit}^{commit}`]).then(() => true, () => false);
  if (!(await hasCommit())) {
    await run(['fetch', '--quiet', '--', target, '+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*']).catch((error: unknown) => {
      throw unreachable('fetch', error);
    });
    if (!(await hasCommit())) {
      throw new AppError('precondition_failed', `the explored commit ${spec.repoCommit.slice(0, 12)} is no longer in the repository ${shown}; run the spec again`);
    }
  }
  const ref = `refs/heads/${branch}`;
  const existing = await run(['rev-parse', '--verify', '--quiet', '--end-of-options', ref]).catch(() => '');
  const alreadyExists = existing !== '';
  const commit = alreadyExists ? existing : spec.repoCommit;
  if (!alreadyExists) {
    // Create only if absent (empty old value): a concurrent create of the same branch does not clobber it.
    await run(['update-ref', ref, commit, '']).catch((error: unknown) => {
      throw new AppError('conflict', `could not create the branch ${branch}: ${errorText(error)}`);
    });
  }
  try {
    // To the URL, not the mirror's `origin` (a mirror remote refuses refspecs); never forced.
    await run(['push', '--quiet', '--', target, `${ref}:${ref}`]);
  } catch (error) {
    if (!alreadyExists) await run(['update-ref', '-d', ref, commit]).catch(() => undefined);
    throw unreachable('push the branch to', error);
  }
  return { branch, commit, remote: shown, alreadyExists };
}

async function load(db: Db, specId: string, userId: string) {
  const spec = await requireSpecAccess(db, specId, userId);
  requireNotArchived(spec);
  const [project] = await db.select().from(projects).where(eq(projects.id, spec.projectId));
  if (!project) throw notFound('project');
  return { spec, project };
}

export async function createSpecBranch(deps: SpecGitDeps, specId: string, userId: string): Promise<CreateBranchResponse> {
  const { spec, project } = await load(deps.db, specId, userId);
  const branch = spec.branchName ?? specBranchName(spec);
  const pushed = await pushBranch(deps, spec, project, branch);
  await deps.db.transaction(async (tx) => {
    const [locked] = await tx.select({ archived: specs.archived, branchName: specs.branchName }).from(specs).where(eq(specs.id, specId)).for('update');
    if (!locked) throw notFound('spec');
    if (locked.branchName === branch) return;
    await tx.update(specs).set({ branchName: branch }).where(eq(specs.id, specId));
    await recordVersion(tx, {
      specId,
      changeType: 'branch_created',
      changeSummary: `Branch ${branch} pushed to ${pushed.remote}`,
      changeDetails: { branch_name: branch, commit: pushed.commit, remote: pushed.remote, already_existed: pushed.alreadyExists },
      createdBy: userId,
    });
  });
  return { spec_id: specId, success: true, branch_name: branch, commit: pushed.commit, remote: pushed.remote, pushed_ref: `refs/heads/${branch}`, already_exists: pushed.alreadyExists };
}

/** Always ends in an error today: `409 precondition_failed` / `no_remote` / `no_pull_request_api` (see the module comment). */
export async function createSpecPullRequest(deps: SpecGitDeps, specId: string, userId: string, force: boolean): Promise<never> {
  const { spec, project } = await load(deps.db, specId, userId);
  if (!spec.branchName) throw new AppError('precondition_failed', `spec ${specId} has no branch yet: POST /api/v1/specs/${specId}/create-branch first`);
  if (!force) {
    const open = await deps.db
      .select({ id: specTasks.id, title: specTasks.title, status: specTasks.status })
      .from(specTasks)
      .where(and(eq(specTasks.specId, specId), ne(specTasks.status, 'completed')));
    if (open.length) {
      throw new AppError('precondition_failed', `${open.length} task(s) are not completed (${open.slice(0, 5).map((t) => `"${t.title}" ${t.status}`).join(', ')}${open.length > 5 ? ', …' : ''}); complete them or send {"force": true}`, {
        errors: open.map((t) => ({ path: `tasks.${t.id}`, message: `${t.title}: ${t.status}` })),
      });
    }
  }
  const pushed = await pushBranch(deps, spec, project, spec.branchName);
  throw new AppError(
    'no_pull_request_api',
    `the branch ${pushed.branch} is pushed to ${pushed.remote} (refs/heads/${pushed.branch} at ${pushed.commit.slice(0, 12)}), but opening a pull request needs a forge API (GitHub, GitLab, …), which this server does not have: open it on the forge`,
  );
}
