import { useMemo } from 'react';
import { useShortcuts, type Shortcut } from '../../lib/shortcuts';

export const SPEC_PAGE_GROUP = 'Spec page';

/** The letter after `g` for each tab (`g e` is Execution, so Explore is `g x`); another tab gets its first letter. */
const LETTERS: Record<string, string> = { explore: 'x', requirements: 'r', design: 'd', tasks: 't', execution: 'e' };

const label = (tab: string) => tab.charAt(0).toUpperCase() + tab.slice(1);

/** The spec page's tab shortcuts: `1`…`9` the tabs in order, `g r` / `g d` / `g t` / `g e` / `g x` by name. */
export function specTabShortcuts(tabs: readonly string[], select: (tab: string) => void): Shortcut[] {
  const out: Shortcut[] = [];
  tabs.slice(0, 9).forEach((tab, i) => {
    const letter = LETTERS[tab] ?? tab.charAt(0);
    out.push({ keys: String(i + 1), description: `${label(tab)} tab (also g ${letter})`, group: SPEC_PAGE_GROUP, run: () => select(tab) });
    out.push({ keys: `g ${letter}`, description: `${label(tab)} tab`, group: SPEC_PAGE_GROUP, hidden: true, run: () => select(tab) });
  });
  return out;
}

/** Binds the spec page's tab shortcuts while it is mounted. */
export function useSpecTabShortcuts(tabs: readonly string[], select: (tab: string) => void): void {
  const key = tabs.join(',');
  // `select` changes every render; the hook reads the latest through its ref, the list only when the tabs change.
  const shortcuts = useMemo(() => specTabShortcuts(key.split(','), (tab) => select(tab)), [key, select]);
  useShortcuts(shortcuts);
}
