import postcss from 'postcss';
import { describe, expect, it } from 'vitest';
import css from './styles.css?raw';

// A rule left open (a merge that dropped a closing brace) swallows every
// rule after it: the browser then ignores them, and nothing else fails.
describe('styles.css', () => {
  it('parses, every block closed', () => {
    const root = postcss.parse(css);
    root.walkRules((rule) => {
      expect(rule.parent?.type === 'root' || rule.parent?.type === 'atrule', `rule "${rule.selector}" is nested in another rule`).toBe(true);
    });
  });
});
