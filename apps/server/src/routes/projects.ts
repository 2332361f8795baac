/** `/projects`: list mine, create (caller owns it), get, change (owner), and members (owners manage them). */
import { AddMemberBody, CreateProjectBody, MemberList, PageQuery, Project, ProjectList, ProjectMember, UpdateMemberBody, UpdateProjectBody } from '@specline/protocol';
import { z } from 'zod';
import type { App, AppContext } from '../app';
import { currentUser } from '../http/auth';
import { addMember, createProject, getProject, listMembers, listProjects, removeMember, updateMemberRole, updateProject, type ProjectDeps } from '../services/projects';
import { repoPolicyOf } from '../services/repoUrls';
import { IdParam } from '../http/input';

const tags = ['projects'];
const ProjectParams = z.object({ id: IdParam });
const MemberParams = z.object({ id: IdParam, user_id: IdParam });

export function registerProjectRoutes(app: App, ctx: AppContext): void {
  const onRequest = ctx.requireUser;
  const deps: ProjectDeps = { db: ctx.db, secrets: ctx.secrets, repoPolicy: repoPolicyOf(ctx.config) };
  const repoNote =
    '`repo_url`: a local path or file:// URL under SPECLINE_REPO_ROOTS, or an https/ssh/git URL (unless remote repositories are off); anything else is 422 `repo_not_allowed`. `model_settings.api_key` is write-only: reads return `api_key_set` and `api_key_last4`.';

  app.get(
    '/api/v1/projects',
    { schema: { tags, summary: 'Projects I belong to', querystring: PageQuery, response: { 200: ProjectList } }, onRequest },
    (request) => listProjects(ctx.db, currentUser(request).id, request.query),
  );

  app.post(
    '/api/v1/projects',
    { schema: { tags, summary: 'Create a project; the caller becomes its owner', description: repoNote, body: CreateProjectBody, response: { 201: Project } }, onRequest },
    async (request, reply) => reply.status(201).send(await createProject(deps, currentUser(request).id, request.body)),
  );

  app.get(
    '/api/v1/projects/:id',
    { schema: { tags, summary: 'One project (members only)', params: ProjectParams, response: { 200: Project } }, onRequest },
    (request) => getProject(ctx.db, request.params.id, currentUser(request).id),
  );

  app.patch(
    '/api/v1/projects/:id',
    {
      schema: {
        tags,
        summary: 'Change the name, repository or model settings (owner only; null clears a value)',
        description: repoNote,
        params: ProjectParams,
        body: UpdateProjectBody,
        response: { 200: Project },
      },
      onRequest,
    },
    (request) => updateProject(deps, request.params.id, currentUser(request).id, request.body),
  );

  app.get(
    '/api/v1/projects/:id/members',
    { schema: { tags, summary: 'Members of a project', params: ProjectParams, response: { 200: MemberList } }, onRequest },
    async (request) => ({ members: await listMembers(ctx.db, request.params.id, currentUser(request).id) }),
  );

  app.post(
    '/api/v1/projects/:id/members',
    {
      schema: {
        tags,
        summary: 'Add a registered user by email (owner only; 422 when no account has the email, 409 when already a member)',
        params: ProjectParams,
        body: AddMemberBody,
        response: { 201: ProjectMember },
      },
      onRequest,
    },
    async (request, reply) => {
      const member = await addMember(ctx.db, request.params.id, currentUser(request).id, request.body.email, request.body.role);
      return reply.status(201).send(member);
    },
  );

  app.patch(
    '/api/v1/projects/:id/members/:user_id',
    {
      schema: {
        tags,
        summary: "Change a member's role (owner only; 409 when the last owner would step down)",
        params: MemberParams,
        body: UpdateMemberBody,
        response: { 200: ProjectMember },
      },
      onRequest,
    },
    (request) => updateMemberRole(ctx.db, request.params.id, currentUser(request).id, request.params.user_id, request.body.role),
  );

  app.delete(
    '/api/v1/projects/:id/members/:user_id',
    { schema: { tags, summary: 'Remove a member (owner only; the last owner stays)', params: MemberParams }, onRequest },
    async (request, reply) => {
      await removeMember(ctx.db, request.params.id, currentUser(request).id, request.params.user_id);
      return reply.status(204).send();
    },
  );
}
