import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { isTypingTarget } from '../../lib/shortcuts';
import { ShortcutsHelp } from './ShortcutsHelp';
import { useSpecTabShortcuts } from './useSpecTabShortcuts';

const TABS = ['explore', 'requirements', 'design', 'tasks', 'execution'] as const;

/** A spec page's worth: tabs switched by the shortcuts, a field to type in, a list of cards. */
function Page() {
  const [tab, setTab] = useState<string>('requirements');
  useSpecTabShortcuts(TABS, setTab);
  return (
    <main>
      <p data-testid="tab">{tab}</p>
      <label>
        Note <input type="text" />
      </label>
      <label>
        Body <textarea />
      </label>
      <div contentEditable suppressContentEditableWarning data-testid="editable">
        text
      </div>
      {['REQ-001', 'REQ-002', 'REQ-003'].map((id) => (
        <article key={id}>
          <a href={`#${id}`}>{id}</a>
        </article>
      ))}
      <ShortcutsHelp />
    </main>
  );
}

describe('keyboard shortcuts', () => {
  it('1–5 and g r / g d / g t / g e / g x switch the spec tabs', async () => {
    const user = userEvent.setup();
    render(<Page />);
    await user.keyboard('3');
    expect(screen.getByTestId('tab').textContent).toBe('design');
    await user.keyboard('5');
    expect(screen.getByTestId('tab').textContent).toBe('execution');
    await user.keyboard('gt');
    expect(screen.getByTestId('tab').textContent).toBe('tasks');
    await user.keyboard('gx');
    expect(screen.getByTestId('tab').textContent).toBe('explore');
    await user.keyboard('gr');
    expect(screen.getByTestId('tab').textContent).toBe('requirements');
    // A lone second key is not the sequence (`t` alone is nothing; `g` then `z` is nothing either).
    await user.keyboard('tgz');
    expect(screen.getByTestId('tab').textContent).toBe('requirements');
  });

  it('never fires while typing in an input, a textarea or a contenteditable, nor with Ctrl/Meta/Alt', async () => {
    const user = userEvent.setup();
    render(<Page />);
    await user.click(screen.getByLabelText('Note'));
    await user.keyboard('3?gd');
    expect(screen.getByLabelText<HTMLInputElement>('Note').value).toBe('3?gd');
    await user.click(screen.getByLabelText('Body'));
    await user.keyboard('4');
    expect(screen.getByTestId('tab').textContent).toBe('requirements');
    expect(isTypingTarget(screen.getByTestId('editable'))).toBe(true);
    fireEvent.keyDown(screen.getByTestId('editable'), { key: '2' });
    expect(screen.getByTestId('tab').textContent).toBe('requirements');
    fireEvent.keyDown(document.body, { key: '2', ctrlKey: true });
    fireEvent.keyDown(document.body, { key: '2', metaKey: true });
    expect(screen.getByTestId('tab').textContent).toBe('requirements');
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('? opens the help dialog listing the shortcuts that apply, / (the search box) included; keys do nothing behind it', async () => {
    const user = userEvent.setup();
    render(<Page />);
    await user.keyboard('?');
    const dialog = await screen.findByRole('dialog', { name: 'Keyboard shortcuts' });
    const help = within(dialog);
    expect(help.getByText('Search specs, requirements and tickets')).toBeTruthy();
    expect(help.getByText('Show these keyboard shortcuts')).toBeTruthy();
    expect(help.getByText('Design tab (also g d)')).toBeTruthy();
    expect(help.getByText('Next item of the list')).toBeTruthy();
    expect(help.getAllByRole('heading').map((h) => h.textContent)).toEqual(['Keyboard shortcuts', 'Anywhere', 'Spec page', 'Lists']);
    // While it is open the page's shortcuts do nothing.
    await user.keyboard('4');
    expect(screen.getByTestId('tab').textContent).toBe('requirements');
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('j / k move focus through the list, and stop at its ends', async () => {
    const user = userEvent.setup();
    render(<Page />);
    await user.keyboard('j');
    expect(document.activeElement?.textContent).toBe('REQ-001');
    await user.keyboard('jj');
    expect(document.activeElement?.textContent).toBe('REQ-003');
    await user.keyboard('j');
    expect(document.activeElement?.textContent).toBe('REQ-003');
    await user.keyboard('k');
    expect(document.activeElement?.textContent).toBe('REQ-002');
  });
});
