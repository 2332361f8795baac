import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ThemeToggle } from '../components/ui/ThemeToggle';
import { DEVICE_THEME_KEY, nextThemeChoice, readThemeChoice, resolveTheme, userThemeKey } from './theme';

/** A controllable `prefers-color-scheme: dark` (jsdom has no media queries). */
function fakeSystemScheme(dark: boolean) {
  const listeners = new Set<() => void>();
  const media = {
    get matches() {
      return dark;
    },
    media: '(prefers-color-scheme: dark)',
    addEventListener: (_: string, fn: () => void) => listeners.add(fn),
    removeEventListener: (_: string, fn: () => void) => listeners.delete(fn),
  };
  const original = window.matchMedia;
  window.matchMedia = (() => media) as unknown as typeof window.matchMedia;
  return {
    set(next: boolean) {
      dark = next;
      for (const fn of listeners) fn();
    },
    restore: () => (window.matchMedia = original),
  };
}

const root = document.documentElement;

describe('theme', () => {
  beforeEach(() => {
    localStorage.clear();
    root.classList.remove('dark');
  });
  afterEach(() => localStorage.clear());

  it('resolves system by the media query; cycles system → light → dark → system', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    expect(resolveTheme('light', true)).toBe('light');
    expect(['system', 'light', 'dark'].map((c) => nextThemeChoice(c as 'system'))).toEqual(['light', 'dark', 'system']);
  });

  it('reads a user’s stored choice, ignores junk, and defaults to system', () => {
    localStorage.setItem(userThemeKey('u1'), 'dark');
    localStorage.setItem(userThemeKey('u2'), 'purple');
    expect(readThemeChoice('u1')).toBe('dark');
    expect(readThemeChoice('u2')).toBe('system');
    expect(readThemeChoice('u3')).toBe('system');
  });

  it('the toggle follows the system, then keeps the user’s choice for them and for the next first paint', async () => {
    const system = fakeSystemScheme(true);
    try {
      render(<ThemeToggle userId="u1" />);
      expect(root.classList.contains('dark')).toBe(true);
      act(() => system.set(false));
      expect(root.classList.contains('dark')).toBe(false);

      const user = userEvent.setup();
      await user.click(screen.getByRole('button', { name: /^Theme: System/ }));
      expect(screen.getByTestId('theme-toggle').getAttribute('data-theme-choice')).toBe('light');
      await user.click(screen.getByRole('button', { name: /^Theme: Light/ }));
      expect(root.classList.contains('dark')).toBe(true);
      expect(root.style.colorScheme).toBe('dark');
      expect(localStorage.getItem(userThemeKey('u1'))).toBe('dark');
      expect(localStorage.getItem(DEVICE_THEME_KEY)).toBe('dark');
      // A chosen theme no longer follows the system.
      act(() => system.set(false));
      expect(root.classList.contains('dark')).toBe(true);
    } finally {
      system.restore();
    }
  });

  it('each user gets their own choice', () => {
    localStorage.setItem(userThemeKey('u1'), 'dark');
    const { rerender } = render(<ThemeToggle userId="u1" />);
    expect(root.classList.contains('dark')).toBe(true);
    rerender(<ThemeToggle userId="u2" />);
    expect(screen.getByTestId('theme-toggle').getAttribute('data-theme-choice')).toBe('system');
    expect(root.classList.contains('dark')).toBe(false);
  });
});
