import { describe, expect, it } from 'vitest';
import { KEY_MASK, setupSnippets, shellQuote, snippetPreview, snippetText } from './snippets';

const byId = (endpoint: string) => Object.fromEntries(setupSnippets(endpoint).map((s) => [s.id, s]));

describe('setup snippets', () => {
  it('builds the copy text from endpoint and key, ignoring a trailing slash', () => {
    const s = byId('http://127.0.0.1:8990/');
    expect(snippetText(s['claude-code']!, 'k1')).toBe(
      'export ANTHROPIC_BASE_URL=http://127.0.0.1:8990\nexport ANTHROPIC_AUTH_TOKEN=k1',
    );
    expect(snippetText(s.openai!, 'k1')).toBe(
      'export OPENAI_BASE_URL=http://127.0.0.1:8990/v1\nexport OPENAI_API_KEY=k1',
    );
    expect(snippetText(s.curl!, 'k1')).toBe(
      'curl http://127.0.0.1:8990/v1/messages \\\n  -H x-api-key:k1 -H content-type:application/json \\\n' +
        `  -d '{"model":"claude-sonnet-4-5-20250929","max_tokens":64,"messages":[{"role":"user","content":"Say hello"}]}'`,
    );
    expect(snippetPreview(s.curl!, 'k1', false)).toContain(`x-api-key:${KEY_MASK}`);
  });

  it('masks the key in the preview unless revealed', () => {
    const claude = byId('http://127.0.0.1:8990')['claude-code']!;
    expect(snippetPreview(claude, 'k1', false)).toContain(`ANTHROPIC_AUTH_TOKEN=${KEY_MASK}`);
    expect(snippetPreview(claude, 'k1', false)).not.toContain('k1');
    expect(snippetPreview(claude, 'k1', true)).toContain('ANTHROPIC_AUTH_TOKEN=k1');
    expect(snippetPreview(claude, null, true)).toContain('<API key unavailable>');
  });

  it.each([
    ['abc-DEF_123', 'abc-DEF_123'],
    ['has space', "'has space'"],
    ["it's", "'it'\\''s'"],
    ['$HOME', "'$HOME'"],
  ])('shellQuote(%j) is %s', (input, want) => {
    expect(shellQuote(input)).toBe(want);
  });
});
