import { i18n } from '../i18n';

/** Ready-to-paste client setup, built from the endpoint and the API key. */
export interface Snippet {
  id: 'claude-code' | 'openai' | 'codex' | 'cline' | 'opencode' | 'curl';
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

// The agents' setups below are the ones the end-to-end tests run the real
// agents with (internal/cli/{codex,cline,opencode}_e2e_test.go): keep both in step.
const AGENT_MODEL = 'claude-sonnet-4-5';

export function setupSnippets(endpoint: string): Snippet[] {
  const root = endpoint.replace(/\/+$/, '');
  const base = shellQuote(root);
  const v1 = shellQuote(`${root}/v1`);
  // Inside the TOML and JSON files the URL is a quoted string of its own.
  const v1String = JSON.stringify(`${root}/v1`);
  const messages = shellQuote(`${root}/v1/messages`);
  // i18n-ignore: a request body, the same in every language
  const body = shellQuote(
    '{"model":"claude-sonnet-4-5-20250929","max_tokens":64,"messages":[{"role":"user","content":"Say hello"}]}',
  );
  const copy = (name: string) => i18n.t('setup.copy', { name });
  // i18n-ignore: shell lines and config files, the same in every language; titles are product names, labels go through i18n.t
  return [
    {
      id: 'claude-code',
      title: 'Claude Code',
      copyLabel: copy('Claude Code'),
      usesKey: true,
      render: (keyArg) => `export ANTHROPIC_BASE_URL=${base}\nexport ANTHROPIC_AUTH_TOKEN=${keyArg}`,
    },
    {
      id: 'openai',
      title: i18n.t('setup.openai'),
      copyLabel: i18n.t('setup.copyOpenAI'),
      usesKey: true,
      render: (keyArg) => `export OPENAI_BASE_URL=${v1}\nexport OPENAI_API_KEY=${keyArg}`,
    },
    {
      id: 'codex',
      title: 'Codex',
      copyLabel: copy('Codex'),
      usesKey: true,
      render: (keyArg) =>
        `export KIRODESK_API_KEY=${keyArg}\n` +
        '# then in ~/.codex/config.toml:\n' +
        `model = "${AGENT_MODEL}"\n` +
        'model_provider = "kirodesk"\n\n' +
        '[model_providers.kirodesk]\n' +
        'name = "Kirodesk"\n' +
        `base_url = ${v1String}\n` +
        'env_key = "KIRODESK_API_KEY"\n' +
        'wire_api = "responses"',
    },
    {
      id: 'cline',
      title: 'Cline',
      copyLabel: copy('Cline'),
      usesKey: true,
      render: (keyArg) =>
        `cline auth --provider openai --apikey ${keyArg} --modelid ${AGENT_MODEL} --baseurl ${v1}`,
    },
    {
      id: 'opencode',
      title: 'opencode',
      copyLabel: copy('opencode'),
      usesKey: true,
      render: (keyArg) =>
        `export KIRODESK_API_KEY=${keyArg}\n` +
        '# then in ~/.config/opencode/opencode.json:\n' +
        '{\n' +
        '  "$schema": "https://opencode.ai/config.json",\n' +
        '  "provider": {\n' +
        '    "kirodesk": {\n' +
        '      "npm": "@ai-sdk/openai-compatible",\n' +
        '      "name": "Kirodesk",\n' +
        `      "options": { "baseURL": ${v1String}, "apiKey": "{env:KIRODESK_API_KEY}" },\n` +
        `      "models": { "${AGENT_MODEL}": { "name": "Claude Sonnet 4.5" } }\n` +
        '    }\n' +
        '  },\n' +
        `  "model": "kirodesk/${AGENT_MODEL}"\n` +
        '}',
    },
    {
      id: 'curl',
      title: i18n.t('setup.curl'),
      copyLabel: i18n.t('setup.copyCurl'),
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
  if (key === null) return snippet.render(i18n.t('setup.keyUnavailable'));
  return snippet.render(revealed ? shellQuote(key) : KEY_MASK);
}
