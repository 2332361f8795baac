import { useEffect, useRef, useSyncExternalStore } from 'react';

/**
 * Keyboard shortcuts: one `keydown` listener on the document for every shortcut a mounted component
 * registers with {@link useShortcuts}. A shortcut is one key (`?`, `j`, `1`) or a sequence of two (`g r`:
 * `g`, then `r`). None fires while the user types (an input, a textarea, a select, a contenteditable), while
 * a modal dialog is open, or with Ctrl/Alt/Meta held (the browser's and the OS's own). The registered ones are
 * listed by the `?` help dialog ({@link useShortcutList}); a key another component binds itself (the search
 * box's `/`) is listed with {@link useShortcutDocs}.
 */

export interface ShortcutDoc {
  /** Keys as typed, a space between the keys of a sequence: `?`, `j`, `g r`. */
  keys: string;
  description: string;
  /** Heading of the help dialog it is listed under. */
  group: string;
}

export interface Shortcut extends ShortcutDoc {
  run: (event: KeyboardEvent) => void;
  /** Whether it applies now (checked on each press); when false the key does nothing and is left to the page. */
  when?: () => boolean;
  /** Left out of the help dialog (an alias documented by another entry, e.g. `2`…`5` under `1`). */
  hidden?: boolean;
}

/** How long the first key of a sequence waits for the second. */
export const SEQUENCE_MS = 1500;

/** Whether a key press aimed at this element is typing (so no shortcut may take it). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.closest('[contenteditable=""],[contenteditable="true"]')) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type;
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file', 'image'].includes(type);
}

function modalOpen(): boolean {
  return document.querySelector('[role="dialog"][data-state="open"],[role="alertdialog"][data-state="open"],dialog[open]') !== null;
}

class ShortcutRegistry {
  private readonly groups = new Map<object, readonly Shortcut[]>();
  private readonly docs = new Map<object, readonly ShortcutDoc[]>();
  private readonly listeners = new Set<() => void>();
  private snapshot: ShortcutDoc[] = [];
  private pending: { key: string; timer: ReturnType<typeof setTimeout> } | null = null;
  private attached = false;

  register(owner: object, shortcuts: readonly Shortcut[]): () => void {
    this.groups.set(owner, shortcuts);
    this.changed();
    return () => {
      this.groups.delete(owner);
      this.changed();
    };
  }

  document(owner: object, docs: readonly ShortcutDoc[]): () => void {
    this.docs.set(owner, docs);
    this.changed();
    return () => {
      this.docs.delete(owner);
      this.changed();
    };
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): ShortcutDoc[] => this.snapshot;

  private all(): Shortcut[] {
    return [...this.groups.values()].flat();
  }

  private changed(): void {
    const seen = new Set<string>();
    const docs: ShortcutDoc[] = [];
    for (const doc of [...this.all().filter((s) => !s.hidden), ...[...this.docs.values()].flat()]) {
      const key = `${doc.group}\n${doc.keys}`;
      if (seen.has(key)) continue;
      seen.add(key);
      docs.push({ keys: doc.keys, description: doc.description, group: doc.group });
    }
    this.snapshot = docs;
    for (const listener of this.listeners) listener();
    this.attach(this.groups.size > 0);
  }

  private attach(on: boolean): void {
    if (typeof document === 'undefined' || on === this.attached) return;
    this.attached = on;
    if (on) document.addEventListener('keydown', this.onKeyDown);
    else {
      document.removeEventListener('keydown', this.onKeyDown);
      this.clearPending();
    }
  }

  private clearPending(): void {
    if (this.pending) clearTimeout(this.pending.timer);
    this.pending = null;
  }

  private onKeyDown = (event: KeyboardEvent): void => {
    if (event.defaultPrevented || event.isComposing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTypingTarget(event.target) || modalOpen()) {
      this.clearPending();
      return;
    }
    const key = event.key;
    const usable = this.all().filter((s) => !s.when || s.when());
    const prefix = this.pending?.key;
    this.clearPending();
    if (prefix !== undefined) {
      const sequence = usable.find((s) => s.keys === `${prefix} ${key}`);
      if (sequence) {
        event.preventDefault();
        sequence.run(event);
        return;
      }
    }
    const single = usable.find((s) => s.keys === key);
    if (single) {
      event.preventDefault();
      single.run(event);
      return;
    }
    if (usable.some((s) => s.keys.startsWith(`${key} `))) {
      this.pending = { key, timer: setTimeout(() => (this.pending = null), SEQUENCE_MS) };
    }
  };
}

const registry = new ShortcutRegistry();

/** Binds `shortcuts` while the component is mounted (and `enabled`). The handlers may change on every render. */
export function useShortcuts(shortcuts: readonly Shortcut[], enabled = true): void {
  const latest = useRef(shortcuts);
  latest.current = shortcuts;
  // Re-register only when the set of keys (or their help text) changes; handlers are read through the ref.
  const signature = enabled ? shortcuts.map((s) => `${s.group}|${s.keys}|${s.description}|${s.hidden ? 1 : 0}`).join('\n') : '';
  useEffect(() => {
    if (!signature) return undefined;
    const owner = {};
    const bound: Shortcut[] = latest.current.map((s, i) => ({
      keys: s.keys,
      description: s.description,
      group: s.group,
      ...(s.hidden ? { hidden: true } : {}),
      run: (event) => latest.current[i]?.run(event),
      when: () => latest.current[i]?.when?.() ?? true,
    }));
    return registry.register(owner, bound);
  }, [signature]);
}

/** Lists keys bound elsewhere (not through {@link useShortcuts}) in the help dialog while mounted. */
export function useShortcutDocs(docs: readonly ShortcutDoc[]): void {
  const signature = docs.map((d) => `${d.group}|${d.keys}|${d.description}`).join('\n');
  const latest = useRef(docs);
  latest.current = docs;
  useEffect(() => registry.document({}, latest.current), [signature]);
}

/** Every shortcut that applies to the page now, in registration order (for the help dialog). */
export function useShortcutList(): ShortcutDoc[] {
  return useSyncExternalStore(registry.subscribe, registry.getSnapshot, registry.getSnapshot);
}
