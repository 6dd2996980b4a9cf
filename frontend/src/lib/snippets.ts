/** Ready-to-paste client setup, built from the endpoint and the API key. */
export interface Snippet {
  id: 'claude-code' | 'openai' | 'curl';
  title: string;
  /** Accessible name of its Copy button. */
  copyLabel: string;
  /** Whether the text contains the API key (masked on screen, needed to copy). */
  usesKey: boolean;
  /** keyArg is inserted verbatim: already shell-quoted, or a mask for display. */
  render: (keyArg: string) => string;
}

/** What the screen shows instead of a hidden key. Fixed length: it tells nothing. */
export const KEY_MASK = '••••••••••••••••••••••••';

// Values are pasted into a POSIX shell; quote them unless they are plainly safe.
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function setupSnippets(endpoint: string): Snippet[] {
  const root = endpoint.replace(/\/+$/, '');
  const base = shellQuote(root);
  const v1 = shellQuote(`${root}/v1`);
  const messages = shellQuote(`${root}/v1/messages`);
  const body = shellQuote(
    '{"model":"claude-sonnet-4-5-20250929","max_tokens":64,"messages":[{"role":"user","content":"Say hello"}]}',
  );
  return [
    {
      id: 'claude-code',
      title: 'Claude Code',
      copyLabel: 'Copy Claude Code setup',
      usesKey: true,
      render: (keyArg) => `export ANTHROPIC_BASE_URL=${base}\nexport ANTHROPIC_AUTH_TOKEN=${keyArg}`,
    },
    {
      id: 'openai',
      title: 'OpenAI clients',
      copyLabel: 'Copy OpenAI setup',
      usesKey: true,
      render: (keyArg) => `export OPENAI_BASE_URL=${v1}\nexport OPENAI_API_KEY=${keyArg}`,
    },
    {
      id: 'curl',
      title: 'Check with curl',
      copyLabel: 'Copy curl command',
      usesKey: true,
      // x-api-key:VALUE with no space keeps the quoted key one shell word.
      render: (keyArg) =>
        `curl ${messages} \\\n  -H x-api-key:${keyArg} -H content-type:application/json \\\n  -d ${body}`,
    },
  ];
}

/** The exact text the Copy button puts on the clipboard. */
export function snippetText(snippet: Snippet, key: string): string {
  return snippet.render(shellQuote(key));
}

/** The text shown on screen: the key only when revealed. */
export function snippetPreview(snippet: Snippet, key: string | null, revealed: boolean): string {
  if (!snippet.usesKey) return snippet.render('');
  if (key === null) return snippet.render('<API key unavailable>');
  return snippet.render(revealed ? shellQuote(key) : KEY_MASK);
}
