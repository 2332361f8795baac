import type { Project, ProjectMember, ProjectRole, User } from '@specline/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { UserMinus, UserPlus } from 'lucide-react';
import { useId, useState, type FormEvent } from 'react';
import { toast } from 'sonner';
import { Button } from '../../../components/ui/Button';
import { ConfirmDialog } from '../../../components/ui/Dialog';
import { ErrorState } from '../../../components/ui/ErrorState';
import { Spinner } from '../../../components/ui/Spinner';
import { useApi } from '../../../lib/api';
import { errorMessage } from '../../../lib/errors';
import { queryKeys } from '../../../lib/queryKeys';
import { InputField, Section, SelectInput, controlClass } from './Fields';
import { inviteEmailProblem, memberRules, ROLE_LABELS, ROLES } from './memberRules';

const EMAIL_MAX = 320;

/** Members with roles: invite by email, change a role, remove. What the API refuses is disabled here, with why. */
export function MembersSection({ project }: { project: Project }) {
  const api = useApi();
  const members = useQuery({ queryKey: queryKeys.projects.members(project.id), queryFn: ({ signal }) => api.projects.members(project.id, signal) });
  const me = useQuery<User | null>({ queryKey: queryKeys.me, queryFn: ({ signal }) => api.auth.me(signal), staleTime: 5 * 60_000 });
  const canManage = project.role === 'owner';

  return (
    <Section
      title="Members"
      description={
        <>
          Everyone here sees the project’s specs and tickets. Owners change settings and manage members; a project always keeps at least one owner.
        </>
      }
    >
      {!canManage ? (
        <p className="text-sm text-slate-700">
          Only project owners can invite, change roles or remove members.
        </p>
      ) : null}
      {members.isPending ? <Spinner label="Loading members…" /> : null}
      {members.isError ? <ErrorState title="Could not load the members" error={members.error} onRetry={() => void members.refetch()} retrying={members.isFetching} /> : null}
      {members.data ? <MemberList project={project} members={members.data.members} myId={me.data?.id ?? null} canManage={canManage} /> : null}
      <InviteForm project={project} canManage={canManage} />
    </Section>
  );
}

function MemberList({ project, members, myId, canManage }: { project: Project; members: ProjectMember[]; myId: string | null; canManage: boolean }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [removing, setRemoving] = useState<ProjectMember | null>(null);
  const listKey = queryKeys.projects.members(project.id);
  const refresh = () => queryClient.invalidateQueries({ queryKey: listKey });

  const changeRole = useMutation({
    mutationFn: ({ member, role }: { member: ProjectMember; role: ProjectRole }) => api.projects.updateMember(project.id, member.user_id, { role }),
    onSuccess: (updated) => {
      toast.success(`${updated.name || updated.email} is now ${ROLE_LABELS[updated.role].toLowerCase()}`);
      // Stepping down yourself changes what this page may do: the project answers the new role.
      if (updated.user_id === myId) void queryClient.invalidateQueries({ queryKey: queryKeys.projects.detail(project.id) });
    },
    onError: (error) => toast.error(`The role was not changed: ${errorMessage(error)}`),
    onSettled: () => refresh(),
  });

  const remove = useMutation({
    mutationFn: (member: ProjectMember) => api.projects.removeMember(project.id, member.user_id),
    onSuccess: (_void, member) => toast.success(`${member.name || member.email} was removed from the project`),
    onSettled: () => refresh(),
  });

  return (
    <>
      <ul aria-label="Project members" className="flex flex-col divide-y divide-slate-200 rounded-md border border-slate-200" data-testid="member-list">
        {members.map((member) => {
          const rules = memberRules(member, members, canManage);
          const label = member.name || member.email;
          const whyId = `member-why-${member.user_id}`;
          return (
            <li key={member.user_id} className="flex flex-col gap-2 p-3" data-testid="member-row" data-email={member.email}>
              <div className="flex flex-col gap-2 sm:flex-row sm:items-center sm:gap-3">
                <div className="min-w-0 flex-1">
                  <p className="truncate text-sm font-medium text-slate-900">
                    {label}
                    {member.user_id === myId ? <span className="ml-1 font-normal text-slate-600">(you)</span> : null}
                  </p>
                  <p className="truncate text-xs text-slate-600">{member.email}</p>
                </div>
                <RoleSelect
                  member={member}
                  disabled={rules.roleReason !== null}
                  describedBy={rules.roleReason ? whyId : undefined}
                  pending={changeRole.isPending && changeRole.variables.member.user_id === member.user_id}
                  onChange={(role) => changeRole.mutate({ member, role })}
                />
                <Button
                  size="sm"
                  variant="ghost"
                  icon={<UserMinus aria-hidden className="size-4" />}
                  disabled={rules.removeReason !== null}
                  aria-describedby={rules.removeReason ? whyId : undefined}
                  pending={remove.isPending && remove.variables.user_id === member.user_id}
                  onClick={() => setRemoving(member)}
                  aria-label={`Remove ${label}`}
                >
                  Remove
                </Button>
              </div>
              {rules.roleReason || rules.removeReason ? (
                // Owners see why an action is off; for members the section says it once (the row keeps it for screen readers).
                <p id={whyId} className={canManage ? 'text-xs text-slate-600' : 'sr-only'}>
                  {rules.roleReason ?? rules.removeReason}
                </p>
              ) : null}
            </li>
          );
        })}
      </ul>
      <ConfirmDialog
        open={removing !== null}
        onOpenChange={(open) => !open && setRemoving(null)}
        title={`Remove ${removing?.name || removing?.email || 'member'}?`}
        description="They lose access to this project’s specs and tickets at once. You can invite them again later."
        confirmLabel="Remove member"
        onConfirm={async () => {
          if (!removing) return;
          await remove.mutateAsync(removing);
          setRemoving(null);
        }}
      />
    </>
  );
}

function RoleSelect({ member, disabled, describedBy, pending, onChange }: { member: ProjectMember; disabled: boolean; describedBy: string | undefined; pending: boolean; onChange: (role: ProjectRole) => void }) {
  const id = useId();
  return (
    <div className="sm:w-40">
      <label htmlFor={id} className="sr-only">
        Role of {member.name || member.email}
      </label>
      <select
        id={id}
        value={member.role}
        disabled={disabled || pending}
        aria-describedby={describedBy}
        onChange={(event) => onChange(event.target.value as ProjectRole)}
        className={`${controlClass} border-slate-300 py-1.5`}
      >
        {ROLES.map((role) => (
          <option key={role} value={role}>
            {ROLE_LABELS[role]}
          </option>
        ))}
      </select>
    </div>
  );
}

function InviteForm({ project, canManage }: { project: Project; canManage: boolean }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<ProjectRole>('member');
  const [localProblem, setLocalProblem] = useState<string | undefined>(undefined);
  const invite = useMutation({
    mutationFn: () => api.projects.addMember(project.id, { email: email.trim(), role }),
    onSuccess: (member) => {
      toast.success(`${member.name || member.email} was added as ${ROLE_LABELS[member.role].toLowerCase()}`);
      setEmail('');
      setRole('member');
      void queryClient.invalidateQueries({ queryKey: queryKeys.projects.members(project.id) });
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const value = email.trim();
    if (!value) return setLocalProblem('Enter the email address of the person to invite.');
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) return setLocalProblem('That is not an email address (name@example.com).');
    setLocalProblem(undefined);
    invite.mutate();
  }

  const emailProblem = localProblem ?? (invite.isError ? inviteEmailProblem(invite.error, email.trim()) : undefined);
  const general = invite.isError && !emailProblem ? errorMessage(invite.error) : null;
  return (
    <form onSubmit={submit} noValidate aria-label="Invite a member" className="flex flex-col gap-3 rounded-md bg-slate-50 p-3">
      <fieldset disabled={!canManage} className="flex min-w-0 flex-col gap-3">
        <legend className="text-sm font-medium text-slate-900">Invite a member</legend>
        <div className="grid gap-3 sm:grid-cols-[minmax(0,1fr)_10rem]">
          <InputField
            label="Email"
            type="email"
            value={email}
            maxLength={EMAIL_MAX}
            autoComplete="off"
            spellCheck={false}
            placeholder="name@example.com"
            onChange={(event) => {
              setEmail(event.target.value);
              setLocalProblem(undefined);
              invite.reset();
            }}
            error={emailProblem}
            hint={canManage ? 'They must already have a Specline account.' : 'Only project owners can invite members.'}
          />
          <SelectInput label="Role" value={role} onChange={(event) => setRole(event.target.value as ProjectRole)} options={ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))} />
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <Button type="submit" variant="primary" size="sm" icon={<UserPlus aria-hidden className="size-4" />} pending={invite.isPending}>
            Invite
          </Button>
          {general ? (
            <p role="alert" className="text-sm text-red-800">
              {general}
            </p>
          ) : null}
        </div>
      </fieldset>
    </form>
  );
}
