import { Fragment, useMemo, useState } from 'react';
import { Dialog } from '../../components/ui/Dialog';
import { useShortcutDocs, useShortcutList, useShortcuts, type ShortcutDoc } from '../../lib/shortcuts';
import { hasList, moveInList } from './listNavigation';

export const GENERAL_GROUP = 'Anywhere';
export const LIST_GROUP = 'Lists';

/** Keys bound by other components themselves, listed here. */
const DOCUMENTED: readonly ShortcutDoc[] = [{ keys: '/', description: 'Search specs, requirements and tickets', group: GENERAL_GROUP }];
const GROUP_ORDER = [GENERAL_GROUP, 'Spec page', LIST_GROUP];

function Keys({ keys }: { keys: string }) {
  const parts = keys.split(' ');
  return (
    <span className="flex shrink-0 items-center gap-1">
      {parts.map((key, i) => (
        <Fragment key={i}>
          {i > 0 ? <span className="text-xs text-slate-500">then</span> : null}
          <kbd className="min-w-6 rounded border border-slate-300 bg-slate-50 px-1.5 py-0.5 text-center font-mono text-xs text-slate-800 shadow-sm">{key}</kbd>
        </Fragment>
      ))}
    </span>
  );
}

/**
 * The `?` help dialog: every keyboard shortcut that applies to the page now, by group. Mounted once in the
 * app's layout; it also binds `?` (open it) and `j` / `k` (move in the page's list).
 */
export function ShortcutsHelp() {
  const [open, setOpen] = useState(false);
  const shortcuts = useMemo(
    () => [
      { keys: '?', description: 'Show these keyboard shortcuts', group: GENERAL_GROUP, run: () => setOpen(true) },
      { keys: 'j', description: 'Next item of the list', group: LIST_GROUP, when: hasList, run: () => void moveInList(1) },
      { keys: 'k', description: 'Previous item of the list', group: LIST_GROUP, when: hasList, run: () => void moveInList(-1) },
    ],
    [],
  );
  useShortcuts(shortcuts);
  useShortcutDocs(DOCUMENTED);
  const list = useShortcutList();
  const groups = useMemo(() => {
    const names = [...new Set(list.map((s) => s.group))].sort((a, b) => rank(a) - rank(b));
    return names.map((name) => ({ name, items: list.filter((s) => s.group === name) }));
  }, [list]);

  return (
    <Dialog open={open} onOpenChange={setOpen} title="Keyboard shortcuts" description="They work anywhere except while you type in a field.">
      <div className="flex flex-col gap-4" data-testid="shortcuts-help">
        {groups.map((group) => (
          <section key={group.name} aria-labelledby={`shortcuts-${group.name}`}>
            <h3 id={`shortcuts-${group.name}`} className="mb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase">
              {group.name}
            </h3>
            <dl className="divide-y divide-slate-100">
              {group.items.map((item) => (
                <div key={item.keys} className="flex items-center justify-between gap-3 py-1.5 text-sm">
                  <dt className="text-slate-700">{item.description}</dt>
                  <dd>
                    <Keys keys={item.keys} />
                  </dd>
                </div>
              ))}
            </dl>
          </section>
        ))}
      </div>
    </Dialog>
  );
}

function rank(group: string): number {
  const at = GROUP_ORDER.indexOf(group);
  return at === -1 ? GROUP_ORDER.length : at;
}
