import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// jsdom does no layout: every element measures 0×0, so react-virtual would render no rows.
// Give elements a viewport-sized box (see STACK-NOTES).
Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 800 });
Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1200 });
Object.defineProperty(HTMLElement.prototype, 'offsetHeight', { configurable: true, get: () => 800 });
Object.defineProperty(HTMLElement.prototype, 'offsetWidth', { configurable: true, get: () => 1200 });

// Radix primitives observe sizes and scroll into view; jsdom has neither.
class NoopResizeObserver {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
}
globalThis.ResizeObserver ??= NoopResizeObserver;
if (!('scrollIntoView' in Element.prototype)) Object.assign(Element.prototype, { scrollIntoView: () => undefined });
if (typeof window.matchMedia !== 'function') {
  const matchMedia = (query: string) =>
    ({ matches: false, media: query, onchange: null, addListener() {}, removeListener() {}, addEventListener() {}, removeEventListener() {}, dispatchEvent: () => false }) as MediaQueryList;
  Object.assign(window, { matchMedia });
}

afterEach(() => {
  cleanup();
});
