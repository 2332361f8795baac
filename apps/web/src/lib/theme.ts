import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';

/**
 * The colour theme: light, dark, or the system's (`prefers-color-scheme`). A person's choice is kept per
 * user (localStorage keyed by the user's id); the device key `specline.theme` mirrors the last choice
 * applied, so `public/theme-init.js` can set the `.dark` class on <html> before the first paint (also on
 * the sign-in page, before anyone is known). Dark mode itself is the palette redefined under `.dark` in
 * `styles.css`.
 */
export type ThemeChoice = 'light' | 'dark' | 'system';
export type ResolvedTheme = 'light' | 'dark';

export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];
export const THEME_LABELS: Record<ThemeChoice, string> = { system: 'System', light: 'Light', dark: 'Dark' };

/** Read by `public/theme-init.js` too: keep the two in step. */
export const DEVICE_THEME_KEY = 'specline.theme';
export const userThemeKey = (userId: string) => `specline.theme.user.${userId}`;

const DARK_QUERY = '(prefers-color-scheme: dark)';

function isChoice(value: unknown): value is ThemeChoice {
  return value === 'light' || value === 'dark' || value === 'system';
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** The user's stored choice; without a user, the device's last one; `system` when none. */
export function readThemeChoice(userId?: string | null): ThemeChoice {
  const store = storage();
  const value = store?.getItem(userId ? userThemeKey(userId) : DEVICE_THEME_KEY);
  return isChoice(value) ? value : 'system';
}

export function saveThemeChoice(choice: ThemeChoice, userId?: string | null): void {
  const store = storage();
  if (!store) return;
  try {
    if (userId) store.setItem(userThemeKey(userId), choice);
    store.setItem(DEVICE_THEME_KEY, choice);
  } catch {
    // Storage full or refused: the choice holds for this page only.
  }
}

export function systemPrefersDark(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia(DARK_QUERY).matches;
}

export function resolveTheme(choice: ThemeChoice, prefersDark: boolean): ResolvedTheme {
  if (choice === 'system') return prefersDark ? 'dark' : 'light';
  return choice;
}

/** Sets the `.dark` class and `color-scheme` on <html>. */
export function applyResolvedTheme(theme: ResolvedTheme, root: HTMLElement = document.documentElement): void {
  root.classList.toggle('dark', theme === 'dark');
  root.style.colorScheme = theme;
}

/** The next choice of the header's toggle: system → light → dark → system. */
export function nextThemeChoice(choice: ThemeChoice): ThemeChoice {
  return THEME_CHOICES[(THEME_CHOICES.indexOf(choice) + 1) % THEME_CHOICES.length]!;
}

/**
 * The signed-in user's theme: their stored choice applied to the page (and followed when it is `system`
 * and the system changes), and a setter that stores the new choice for them.
 */
export function useThemeChoice(userId: string | null): { choice: ThemeChoice; setChoice: (choice: ThemeChoice) => void } {
  const [state, setState] = useState(() => ({ userId, choice: readThemeChoice(userId) }));
  // Another user signed in on this page: their own choice.
  const choice = state.userId === userId ? state.choice : readThemeChoice(userId);

  useEffect(() => {
    saveThemeChoice(choice, userId);
    const apply = () => applyResolvedTheme(resolveTheme(choice, systemPrefersDark()));
    apply();
    if (choice !== 'system' || typeof window.matchMedia !== 'function') return;
    const media = window.matchMedia(DARK_QUERY);
    media.addEventListener('change', apply);
    return () => media.removeEventListener('change', apply);
  }, [choice, userId]);

  const setChoice = useCallback((next: ThemeChoice) => setState({ userId, choice: next }), [userId]);
  return { choice, setChoice };
}

function subscribeToRootClass(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['class'] });
  return () => observer.disconnect();
}

/** The theme the page shows now (for what CSS cannot restyle, such as Mermaid's SVG). */
export function useResolvedTheme(): ResolvedTheme {
  return useSyncExternalStore(
    subscribeToRootClass,
    () => (document.documentElement.classList.contains('dark') ? 'dark' : 'light'),
    () => 'light',
  );
}
