import type { ProjectMember } from '@specline/protocol';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { makeProject, NOW } from '../../../test/fixtures';
import { fakeFetch, renderWithApp, type Call } from '../../../test/render';
import { LAST_OWNER, memberRules, OWNERS_MANAGE } from './memberRules';
import { MembersSection } from './MembersSection';

const member = (id: string, role: ProjectMember['role'], name = id): ProjectMember => ({ user_id: id, email: `${id}@example.test`, name, role, added_at: NOW });

function setup(role: 'owner' | 'member', initial: ProjectMember[], answer: (call: Call) => { status: number; body?: unknown } | undefined = () => undefined) {
  let members = initial;
  const fake = fakeFetch((call) => {
    const own = answer(call);
    if (own) return own;
    if (call.path === '/api/v1/auth/me') return { status: 200, body: { id: 'alice', email: 'alice@example.test', name: 'Alice', created_at: NOW } };
    if (call.method === 'GET' && call.path === '/api/v1/projects/p1/members') return { status: 200, body: { members } };
    if (call.method === 'POST' && call.path === '/api/v1/projects/p1/members') {
      const body = call.body as { email: string; role: ProjectMember['role'] };
      const added = { ...member(body.email.split('@')[0]!, body.role), email: body.email };
      members = [...members, added];
      return { status: 201, body: added };
    }
    const patch = /^\/api\/v1\/projects\/p1\/members\/(.+)$/.exec(call.path);
    if (call.method === 'PATCH' && patch) {
      members = members.map((m) => (m.user_id === patch[1] ? { ...m, role: (call.body as { role: ProjectMember['role'] }).role } : m));
      return { status: 200, body: members.find((m) => m.user_id === patch[1]) };
    }
    if (call.method === 'DELETE' && patch) {
      members = members.filter((m) => m.user_id !== patch[1]);
      return { status: 204 };
    }
    return undefined;
  });
  const view = renderWithApp(<MembersSection project={makeProject({ role })} />, { fetch: fake.fetch });
  return { ...view, calls: fake.calls };
}

const row = async (email: string) => (await screen.findAllByTestId('member-row')).find((r) => r.getAttribute('data-email') === email)!;

describe('member rules', () => {
  it('non-owners manage nothing; the last owner can neither step down nor be removed', () => {
    const all = [member('alice', 'owner'), member('bob', 'member')];
    expect(memberRules(all[1]!, all, false)).toEqual({ roleReason: OWNERS_MANAGE, removeReason: OWNERS_MANAGE });
    expect(memberRules(all[0]!, all, true)).toEqual({ roleReason: LAST_OWNER, removeReason: LAST_OWNER });
    expect(memberRules(all[1]!, all, true)).toEqual({ roleReason: null, removeReason: null });
    const two = [member('alice', 'owner'), member('carol', 'owner')];
    expect(memberRules(two[0]!, two, true)).toEqual({ roleReason: null, removeReason: null });
  });
});

describe('MembersSection', { timeout: 30_000 }, () => {
  it('an owner sees the last-owner rule as disabled actions with the reason, and changes a role', async () => {
    const user = userEvent.setup();
    const { calls } = setup('owner', [member('alice', 'owner', 'Alice'), member('bob', 'member', 'Bob')]);
    const alice = await row('alice@example.test');
    expect(within(alice).getByText('(you)')).toBeTruthy();
    expect(within(alice).getByRole('combobox', { name: 'Role of Alice' }).matches(':disabled')).toBe(true);
    const why = within(alice).getByText(LAST_OWNER);
    expect(within(alice).getByRole('combobox').getAttribute('aria-describedby')).toBe(why.id);
    expect(within(alice).getByRole('button', { name: 'Remove Alice' }).matches(':disabled')).toBe(true);
    expect(within(alice).getByRole('button', { name: 'Remove Alice' }).getAttribute('aria-describedby')).toBe(why.id);

    const bob = await row('bob@example.test');
    await user.selectOptions(within(bob).getByRole('combobox', { name: 'Role of Bob' }), 'owner');
    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH' && c.path === '/api/v1/projects/p1/members/bob')).toBe(true));
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({ role: 'owner' });
    // Two owners now: alice may step down.
    await waitFor(async () => expect((await row('alice@example.test')).querySelector('select')?.matches(':disabled')).toBe(false));
  });

  it('a plain member sees every action disabled, with why', async () => {
    setup('member', [member('alice', 'owner', 'Alice'), member('bob', 'member', 'Bob')]);
    const bob = await row('bob@example.test');
    expect(within(bob).getByRole('combobox').matches(':disabled')).toBe(true);
    expect(within(bob).getByRole('button', { name: 'Remove Bob' }).matches(':disabled')).toBe(true);
    expect(screen.getByText('Only project owners can invite, change roles or remove members.')).toBeTruthy();
    const invite = screen.getByRole('form', { name: 'Invite a member' });
    // Disabled by its fieldset.
    expect(within(invite).getByRole('button', { name: 'Invite' }).matches(':disabled')).toBe(true);
    expect(within(invite).getByLabelText('Email').matches(':disabled')).toBe(true);
  });

  it('invites by email; an email without an account is a sentence next to the field', async () => {
    const user = userEvent.setup();
    const { calls } = setup('owner', [member('alice', 'owner', 'Alice')], (call) =>
      call.method === 'POST' && (call.body as { email: string }).email === 'nobody@example.test'
        ? { status: 422, body: { detail: 'no account uses the email nobody@example.test', code: 'validation_failed', errors: [{ path: 'body.email', message: 'no account with this email' }] } }
        : undefined,
    );
    const invite = screen.getByRole('form', { name: 'Invite a member' });
    const email = within(invite).getByLabelText('Email');
    await user.type(email, 'nobody@example.test');
    await user.click(within(invite).getByRole('button', { name: 'Invite' }));
    expect(await within(invite).findByText('No one has registered with nobody@example.test yet: ask them to create an account first.')).toBeTruthy();
    expect(email.getAttribute('aria-invalid')).toBe('true');

    await user.clear(email);
    await user.type(email, 'carol@example.test');
    await user.selectOptions(within(invite).getByLabelText('Role'), 'owner');
    await user.click(within(invite).getByRole('button', { name: 'Invite' }));
    expect(await row('carol@example.test')).toBeTruthy();
    expect(calls.filter((c) => c.method === 'POST').at(-1)?.body).toEqual({ email: 'carol@example.test', role: 'owner' });
    expect((email as HTMLInputElement).value).toBe('');
  });

  it('removes a member after a confirmation', async () => {
    const user = userEvent.setup();
    const { calls } = setup('owner', [member('alice', 'owner', 'Alice'), member('bob', 'member', 'Bob')]);
    await user.click(within(await row('bob@example.test')).getByRole('button', { name: 'Remove Bob' }));
    const dialog = await screen.findByRole('alertdialog');
    await user.click(within(dialog).getByRole('button', { name: 'Remove member' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'DELETE' && c.path === '/api/v1/projects/p1/members/bob')).toBe(true));
    await waitFor(async () => expect((await screen.findAllByTestId('member-row')).length).toBe(1));
  });
});
