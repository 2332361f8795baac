import type { SearchHit, SearchResults } from '@specline/protocol';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeFetch, renderWithApp } from '../../test/render';
import { SearchBox } from './SearchBox';
import { flattenResults, hitHref, isTypingTarget } from './searchResults';

const hit = (overrides: Partial<SearchHit>): SearchHit => ({
  kind: 'spec',
  id: 'spec-1',
  local_id: null,
  title: 'Add order refunds',
  snippet: 'Customers get money back',
  status: 'completed',
  project_id: 'proj-1',
  project_name: 'Demo project',
  spec_id: 'spec-1',
  archived: false,
  updated_at: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

const results: SearchResults = {
  query: 'refund',
  specs: [hit({})],
  requirements: [hit({ kind: 'requirement', id: 'req-9', local_id: 'REQ-002', title: 'Refund window', snippet: 'THE SYSTEM SHALL credit the card' })],
  tickets: [hit({ kind: 'ticket', id: 'tkt-3', local_id: 'TKT-001', title: 'Refund button', spec_id: null })],
};

function setup(answer: (q: string) => SearchResults = (q) => ({ ...results, query: q })) {
  const fake = fakeFetch((call) => {
    if (!call.path.startsWith('/api/v1/search?')) return undefined;
    const q = new URLSearchParams(call.path.split('?')[1]).get('q') ?? '';
    return { status: 200, body: answer(q) };
  });
  const view = renderWithApp(
    <>
      <SearchBox />
      <textarea aria-label="Notes" />
    </>,
    { fetch: fake.fetch, path: '/projects' },
  );
  return { ...view, calls: fake.calls };
}

describe('search results', () => {
  it('flattens groups in display order and links each kind to its page', () => {
    const flat = flattenResults(results);
    expect(flat.map((h) => h.kind)).toEqual(['spec', 'requirement', 'ticket']);
    expect(hitHref(flat[0]!)).toBe('/projects/proj-1/specs/spec-1');
    expect(hitHref(flat[1]!)).toBe('/projects/proj-1/specs/spec-1?tab=requirements#requirement-req-9');
    expect(hitHref(flat[2]!)).toBe('/projects/proj-1/tickets/tkt-3');
  });

  it('knows when a key press is typing', () => {
    const input = document.createElement('input');
    const checkbox = document.createElement('input');
    checkbox.type = 'checkbox';
    expect(isTypingTarget(input)).toBe(true);
    expect(isTypingTarget(document.createElement('textarea'))).toBe(true);
    expect(isTypingTarget(checkbox)).toBe(false);
    expect(isTypingTarget(document.body)).toBe(false);
  });
});

describe('SearchBox', () => {
  it('"/" focuses the box, results are grouped with their project, ArrowDown + Enter opens one', async () => {
    const user = userEvent.setup();
    const { router, calls } = setup();
    const box = screen.getByRole('combobox', { name: /search specs, requirements and tickets/i });
    await user.keyboard('/');
    expect(document.activeElement).toBe(box);
    await user.type(box, 'refund');
    const list = await screen.findByRole('listbox', { name: 'Search results' });
    await within(list).findByRole('option', { name: /Refund window/ }, { timeout: 5000 });
    expect(within(list).getByRole('group', { name: 'Specs' })).toBeTruthy();
    expect(within(list).getByRole('group', { name: 'Requirements' })).toBeTruthy();
    expect(within(list).getByRole('group', { name: 'Tickets' })).toBeTruthy();
    expect(within(list).getAllByText('Demo project')).toHaveLength(3);
    // Only the settled text was asked for (debounced), never each keystroke's prefix… at least not the last one twice.
    expect(calls.at(-1)?.path).toContain('q=refund');

    await user.keyboard('{ArrowDown}{ArrowDown}');
    const selected = within(list).getByRole('option', { selected: true });
    expect(selected.textContent).toContain('Refund window');
    expect(box.getAttribute('aria-activedescendant')).toBe(selected.id);
    await user.keyboard('{Enter}');
    await waitFor(() => expect(router.state.location.pathname).toBe('/projects/proj-1/specs/spec-1'));
    expect(router.state.location.search).toBe('?tab=requirements');
    expect((box as HTMLInputElement).value).toBe('');
  });

  it('"/" in another field types a slash; Escape closes the list, then clears the box', async () => {
    const user = userEvent.setup();
    setup();
    const notes = screen.getByRole('textbox', { name: 'Notes' });
    await user.click(notes);
    await user.keyboard('a/b');
    expect((notes as HTMLInputElement).value).toBe('a/b');
    const box = screen.getByRole('combobox');
    expect(document.activeElement).not.toBe(box);
    await user.click(box);
    await user.type(box, 'refund');
    await screen.findByRole('option', { name: /Refund button/ }, { timeout: 5000 });
    await user.keyboard('{Escape}');
    expect(box.getAttribute('aria-expanded')).toBe('false');
    expect((box as HTMLInputElement).value).toBe('refund');
    await user.keyboard('{Escape}');
    expect((box as HTMLInputElement).value).toBe('');
  });

  it('"/" does nothing behind an open dialog', async () => {
    const user = userEvent.setup();
    setup();
    const modal = document.createElement('div');
    modal.setAttribute('role', 'dialog');
    modal.setAttribute('aria-modal', 'true');
    document.body.append(modal);
    try {
      await user.keyboard('/');
      expect(document.activeElement).not.toBe(screen.getByRole('combobox'));
    } finally {
      modal.remove();
    }
  });

  it('says so when nothing matches', async () => {
    const user = userEvent.setup();
    setup((q) => ({ query: q, specs: [], requirements: [], tickets: [] }));
    await user.type(screen.getByRole('combobox'), 'zebra');
    expect(await within(screen.getByRole('listbox', { hidden: true })).findByText(/No specs, requirements or tickets match “zebra”/, {}, { timeout: 5000 })).toBeTruthy();
  });
});
