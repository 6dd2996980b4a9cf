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

  // The same setups the end-to-end tests run the real agents with.
  it('gives Codex, Cline and opencode their provider setup', () => {
    const s = byId('http://127.0.0.1:8990/');
    expect(snippetText(s.codex!, 'k1')).toBe(
      'export KIRODESK_API_KEY=k1\n# then in ~/.codex/config.toml:\n' +
        'model = "claude-sonnet-4-5"\nmodel_provider = "kirodesk"\n\n' +
        '[model_providers.kirodesk]\nname = "Kirodesk"\nbase_url = "http://127.0.0.1:8990/v1"\n' +
        'env_key = "KIRODESK_API_KEY"\nwire_api = "responses"',
    );
    expect(snippetText(s.cline!, 'k1')).toBe(
      'cline auth --provider openai --apikey k1 --modelid claude-sonnet-4-5 --baseurl http://127.0.0.1:8990/v1',
    );
    const opencode = snippetText(s.opencode!, 'k1');
    const [exportLine, comment, ...json] = opencode.split('\n');
    expect(exportLine).toBe('export KIRODESK_API_KEY=k1');
    expect(comment).toBe('# then in ~/.config/opencode/opencode.json:');
    expect(JSON.parse(json.join('\n'))).toEqual({
      $schema: 'https://opencode.ai/config.json',
      provider: {
        kirodesk: {
          npm: '@ai-sdk/openai-compatible',
          name: 'Kirodesk',
          options: { baseURL: 'http://127.0.0.1:8990/v1', apiKey: '{env:KIRODESK_API_KEY}' },
          models: { 'claude-sonnet-4-5': { name: 'Claude Sonnet 4.5' } },
        },
      },
      model: 'kirodesk/claude-sonnet-4-5',
    });
  });

  it('quotes a key the shell would split, in the agents setups too', () => {
    const s = byId('http://127.0.0.1:8990');
    expect(snippetText(s.cline!, "it's")).toContain(`--apikey 'it'\\''s' --modelid`);
    expect(snippetText(s.codex!, 'a b')).toMatch(/^export KIRODESK_API_KEY='a b'\n/);
    expect(snippetPreview(s.opencode!, 'k1', false)).toContain(`KIRODESK_API_KEY=${KEY_MASK}`);
    expect(snippetPreview(s.opencode!, 'k1', false)).not.toContain('k1');
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
