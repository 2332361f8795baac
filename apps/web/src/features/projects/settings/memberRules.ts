import { isApiError } from '@specline/client';
import type { ProjectMember, ProjectRole } from '@specline/protocol';

export const ROLES: readonly ProjectRole[] = ['owner', 'member'];
export const ROLE_LABELS: Record<ProjectRole, string> = { owner: 'Owner', member: 'Member' };

export const OWNERS_MANAGE = 'Only project owners can change roles or remove members.';
export const LAST_OWNER = 'The only owner can neither become a member nor be removed: make someone else an owner first.';

/**
 * What the API lets the viewer do to one member (`services/projects.ts`): only owners manage members,
 * and the last owner can neither step down nor be removed. A reason when the action is refused, else null.
 */
export function memberRules(member: ProjectMember, members: readonly ProjectMember[], viewerIsOwner: boolean): { roleReason: string | null; removeReason: string | null } {
  if (!viewerIsOwner) return { roleReason: OWNERS_MANAGE, removeReason: OWNERS_MANAGE };
  const owners = members.filter((m) => m.role === 'owner').length;
  const lastOwner = member.role === 'owner' && owners <= 1;
  return { roleReason: lastOwner ? LAST_OWNER : null, removeReason: lastOwner ? LAST_OWNER : null };
}

/** The invite's email problem as a sentence next to the field: no account, already a member, or what the API said of `body.email`. */
export function inviteEmailProblem(error: unknown, email: string): string | undefined {
  if (!isApiError(error)) return undefined;
  if (error.code === 'conflict') return `${email} is already a member of this project.`;
  const item = error.errors.find((e) => e.path === 'body.email');
  if (!item) return undefined;
  if (/no account/i.test(item.message)) return `No one has registered with ${email} yet: ask them to create an account first.`;
  return `The email address was refused: ${item.message}.`;
}
