/**
 * `j` / `k`: the next / previous item of the list on the page. An item is an element marked
 * `data-shortcut-item` (the timeline's rows), else a table row or a card (`article`) of the main content;
 * focus goes to the item's first link or button (Enter then opens it), and the item scrolls into view.
 * With focus inside a list, that list is the one moved in; else the first list of the page.
 */

const MARKED = '[data-shortcut-item]';
const FALLBACK = 'main tbody tr, main article';
const FOCUSABLE = 'a[href], button:not([disabled]), [tabindex]:not([tabindex="-1"])';

function visible(el: Element): boolean {
  return el.closest('[hidden],[inert],[aria-hidden="true"]') === null;
}

function outermost(items: HTMLElement[]): HTMLElement[] {
  // A card inside a row (or a row inside a card) counts once: the outermost.
  return items.filter((el) => !items.some((other) => other !== el && other.contains(el)));
}

function focusTarget(item: HTMLElement): HTMLElement | null {
  if (item.matches(FOCUSABLE)) return item;
  return item.querySelector<HTMLElement>(FOCUSABLE);
}

/** The items j/k move between, in document order: those of the list holding focus, else the marked ones, else rows and cards. */
export function listItems(root: ParentNode = document): HTMLElement[] {
  const collect = (selector: string) => outermost([...root.querySelectorAll<HTMLElement>(selector)].filter((el) => visible(el) && focusTarget(el) !== null));
  const marked = collect(MARKED);
  const fallback = collect(FALLBACK);
  const active = document.activeElement;
  if (active && !marked.some((item) => item.contains(active)) && fallback.some((item) => item.contains(active))) return fallback;
  return marked.length > 0 ? marked : fallback;
}

/** Whether the page has a list to move in. */
export function hasList(): boolean {
  return listItems().length > 0;
}

/** Moves focus to the next (+1) or previous (−1) item; from outside any item, `j` goes to the first. Returns whether it moved. */
export function moveInList(by: 1 | -1): boolean {
  const items = listItems();
  if (items.length === 0) return false;
  const active = document.activeElement;
  const current = active ? items.findIndex((item) => item.contains(active)) : -1;
  const next = current === -1 ? (by === 1 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, current + by));
  if (next === current) return false;
  const item = items[next]!;
  focusTarget(item)!.focus();
  item.scrollIntoView?.({ block: 'nearest' });
  return true;
}
