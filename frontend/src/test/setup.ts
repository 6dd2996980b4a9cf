import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';
import { applyLanguage } from '../i18n';

// Vitest globals are off, so Testing Library cannot register this itself.
// Tests render in English unless they switch; a test that switches leaves
// English behind it.
afterEach(async () => {
  cleanup();
  await applyLanguage('en');
});

// jsdom has no matchMedia, which uPlot calls when it is imported (to follow
// the screen's pixel ratio): answer "no match" as a plain screen would.
if (typeof window.matchMedia !== 'function') {
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    }) as MediaQueryList;
}
