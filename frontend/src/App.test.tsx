import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import * as bridge from './bridge';
import type { Status } from './bridge';
import { deferred, makeStatus } from './test/fixtures';
import { answerWindowStart } from './test/window';

// The UI talks to Go only through the façade, so replacing it is enough.
vi.mock('./bridge');

const api = vi.mocked(bridge);
const KEY = 'kd_live_9f8e7d6c5b4a';

let listeners: Array<(s: Status) => void> = [];

function emitStatus(status: Status) {
  act(() => {
    for (const listener of listeners) listener(status);
  });
}

beforeEach(() => {
  vi.resetAllMocks();
  answerWindowStart();
  listeners = [];
  api.onStatus.mockImplementation((listener) => {
    listeners.push(listener);
    return () => {
      listeners = listeners.filter((l) => l !== listener);
    };
  });
  api.getAPIKey.mockResolvedValue(KEY);
  api.copyToClipboard.mockResolvedValue(undefined);
  api.getRequestStats.mockResolvedValue({
    perMinute: 3,
    requestsToday: 1234,
    errorsToday: 2,
    inputTokensToday: 5000,
    outputTokensToday: 700,
    creditsToday: 1.5,
  });
});

async function renderLoaded() {
  const user = userEvent.setup();
  const view = render(<App />);
  await screen.findByTestId('endpoint');
  // The key arrives in a second call; wait for the field to leave "Loading…".
  await waitFor(() => expect(screen.getByRole('button', { name: 'Show API key' })).toBeEnabled());
  return { user, ...view };
}

describe('loading status', () => {
  it('renders the status returned by the façade', async () => {
    await renderLoaded();

    expect(api.getStatus).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('endpoint')).toHaveTextContent('http://127.0.0.1:8990');
    expect(screen.getByTestId('accounts')).toHaveTextContent('2 accounts');
    const toggle = screen.getByRole('switch', { name: 'Proxy' });
    expect(toggle).toHaveAttribute('aria-checked', 'true');
    expect(screen.getByText('Listening on http://127.0.0.1:8990')).toBeInTheDocument();
    const footer = screen.getByRole('contentinfo');
    expect(footer).toHaveTextContent('Kirodesk 1.2.3');
    expect(footer).toHaveTextContent('Config folder: /home/ada/.config/kirodesk');
  });

  it('shows a hint when there are no accounts', async () => {
    api.getStatus.mockResolvedValue(makeStatus({ accounts: 0, proxyOn: false }));
    await renderLoaded();

    expect(screen.getByTestId('accounts')).toHaveTextContent('0 accounts');
    expect(screen.getByText(/No accounts yet/)).toBeInTheDocument();
    expect(screen.getByRole('switch', { name: 'Proxy' })).toHaveAttribute('aria-checked', 'false');
    expect(screen.getByText('Off: clients cannot connect.')).toBeInTheDocument();
  });

  it('reports a failed Status() call and retries on request', async () => {
    api.getStatus.mockRejectedValueOnce(new Error('store is locked'));
    const user = userEvent.setup();
    render(<App />);

    expect(await screen.findByText('Could not read the proxy status: store is locked')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Retry' }));

    expect(await screen.findByTestId('endpoint')).toHaveTextContent('http://127.0.0.1:8990');
    expect(api.getStatus).toHaveBeenCalledTimes(2);
  });

  it('navigates between the six windows from the keyboard', async () => {
    const { user } = await renderLoaded();

    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByText('Dashboard')).toHaveAttribute('aria-current', 'page');
    expect(within(nav).getAllByRole('button').map((b) => b.textContent)).toEqual(['Accounts', 'Try it', 'Usage', 'Settings', 'Logs']);
    within(nav).getByRole('button', { name: 'Logs' }).focus();
    await user.keyboard('{Enter}');
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Logs');
    expect(within(nav).getByText('Logs')).toHaveAttribute('aria-current', 'page');
    await waitFor(() => expect(screen.getByRole('heading', { level: 1 })).toHaveFocus());
    await user.click(within(nav).getByRole('button', { name: 'Accounts' }));
    expect(await screen.findByText('No accounts yet. Add one below.')).toBeInTheDocument();
  });
});

describe('dashboard additions', () => {
  it('shows the live figures', async () => {
    await renderLoaded();
    const stats = await screen.findByTestId('live-stats');
    expect(stats).toHaveTextContent('Requests / min3');
    expect(stats).toHaveTextContent('Requests today1,234');
    expect(stats).toHaveTextContent('Errors today2');
    expect(stats).toHaveTextContent('5,000 in / 700 out');
    expect(stats).toHaveTextContent('Credits today1.5');
  });

  it('regenerates the key only after confirmation and shows the new one', async () => {
    api.regenerateAPIKey.mockResolvedValue('kd-new-key');
    const { user } = await renderLoaded();

    await user.click(screen.getByRole('button', { name: 'Regenerate API key' }));
    expect(screen.getByText(/Clients using the old one stop working at once/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(api.regenerateAPIKey).not.toHaveBeenCalled();

    await user.click(screen.getByRole('button', { name: 'Regenerate API key' }));
    await user.click(screen.getByRole('button', { name: 'Replace key' }));
    expect(api.regenerateAPIKey).toHaveBeenCalledTimes(1);
    expect(await screen.findByText('New key issued: update your clients.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Show API key' }));
    expect(screen.getByTestId('api-key')).toHaveTextContent('kd-new-key');
    expect(screen.getByTestId('setup-claude-code')).toHaveTextContent('ANTHROPIC_AUTH_TOKEN=kd-new-key');
  });

  it('reports a failed regeneration in place', async () => {
    api.regenerateAPIKey.mockRejectedValue(new Error('keychain locked'));
    const { user } = await renderLoaded();
    await user.click(screen.getByRole('button', { name: 'Regenerate API key' }));
    await user.click(screen.getByRole('button', { name: 'Replace key' }));
    expect(await screen.findByText('Could not replace the key: keychain locked')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Show API key' }));
    expect(screen.getByTestId('api-key')).toHaveTextContent(KEY);
  });
});

describe('proxy switch', () => {
  it('calls SetProxyEnabled with the opposite state and shows the result', async () => {
    api.setProxyEnabled.mockResolvedValue(makeStatus({ proxyOn: false }));
    const { user } = await renderLoaded();

    const toggle = screen.getByRole('switch', { name: 'Proxy' });
    await user.click(toggle);

    expect(api.setProxyEnabled).toHaveBeenCalledExactlyOnceWith(false);
    await waitFor(() => expect(toggle).toHaveAttribute('aria-checked', 'false'));
    expect(screen.getByText('Off: clients cannot connect.')).toBeInTheDocument();
  });

  it('works from the keyboard', async () => {
    api.getStatus.mockResolvedValue(makeStatus({ proxyOn: false }));
    api.setProxyEnabled.mockResolvedValue(makeStatus({ proxyOn: true }));
    const { user } = await renderLoaded();

    const toggle = screen.getByRole('switch', { name: 'Proxy' });
    toggle.focus();
    await user.keyboard(' ');

    expect(api.setProxyEnabled).toHaveBeenCalledExactlyOnceWith(true);
    await waitFor(() => expect(toggle).toHaveAttribute('aria-checked', 'true'));
  });

  it('shows a rejected call in place and keeps the switch off', async () => {
    api.getStatus.mockResolvedValue(makeStatus({ proxyOn: false }));
    api.setProxyEnabled.mockRejectedValue(
      new Error('port 8990 is in use by another program'),
    );
    const { user } = await renderLoaded();

    const toggle = screen.getByRole('switch', { name: 'Proxy' });
    await user.click(toggle);

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('port 8990 is in use by another program');
    expect(toggle).toHaveAttribute('aria-checked', 'false');
    expect(toggle).toHaveAccessibleDescription('Could not switch the proxy: port 8990 is in use by another program');
  });

  it('shows the error carried by the returned Status', async () => {
    api.getStatus.mockResolvedValue(makeStatus({ proxyOn: false }));
    api.setProxyEnabled.mockResolvedValue(
      makeStatus({ proxyOn: false, error: 'port 8990 is in use by another program' }),
    );
    const { user } = await renderLoaded();

    await user.click(screen.getByRole('switch', { name: 'Proxy' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('port 8990 is in use by another program');
  });
});

describe('copy buttons', () => {
  it('copies the endpoint', async () => {
    const { user } = await renderLoaded();

    await user.click(screen.getByRole('button', { name: 'Copy endpoint' }));

    expect(api.copyToClipboard).toHaveBeenCalledExactlyOnceWith('http://127.0.0.1:8990');
    expect(await screen.findByText('Copied')).toBeInTheDocument();
  });

  it('copies the real API key while it is masked', async () => {
    const { user } = await renderLoaded();

    await user.click(screen.getByRole('button', { name: 'Copy API key' }));

    expect(api.copyToClipboard).toHaveBeenCalledExactlyOnceWith(KEY);
  });

  it.each([
    [
      'Copy Claude Code setup',
      `export ANTHROPIC_BASE_URL=http://127.0.0.1:8990\nexport ANTHROPIC_AUTH_TOKEN=${KEY}`,
    ],
    [
      'Copy OpenAI setup',
      `export OPENAI_BASE_URL=http://127.0.0.1:8990/v1\nexport OPENAI_API_KEY=${KEY}`,
    ],
    [
      'Copy Codex setup',
      `export KIRODESK_API_KEY=${KEY}\n# then in ~/.codex/config.toml:\nmodel = "claude-sonnet-4-5"\n` +
        'model_provider = "kirodesk"\n\n[model_providers.kirodesk]\nname = "Kirodesk"\n' +
        'base_url = "http://127.0.0.1:8990/v1"\nenv_key = "KIRODESK_API_KEY"\nwire_api = "responses"',
    ],
    [
      'Copy Cline setup',
      `cline auth --provider openai --apikey ${KEY} --modelid claude-sonnet-4-5 --baseurl http://127.0.0.1:8990/v1`,
    ],
    [
      'Copy opencode setup',
      `export KIRODESK_API_KEY=${KEY}\n# then in ~/.config/opencode/opencode.json:\n{\n` +
        '  "$schema": "https://opencode.ai/config.json",\n  "provider": {\n    "kirodesk": {\n' +
        '      "npm": "@ai-sdk/openai-compatible",\n      "name": "Kirodesk",\n' +
        '      "options": { "baseURL": "http://127.0.0.1:8990/v1", "apiKey": "{env:KIRODESK_API_KEY}" },\n' +
        '      "models": { "claude-sonnet-4-5": { "name": "Claude Sonnet 4.5" } }\n    }\n  },\n' +
        '  "model": "kirodesk/claude-sonnet-4-5"\n}',
    ],
    [
      'Copy curl command',
      `curl http://127.0.0.1:8990/v1/messages \\\n  -H x-api-key:${KEY} -H content-type:application/json \\\n` +
        `  -d '{"model":"claude-sonnet-4-5-20250929","max_tokens":64,"messages":[{"role":"user","content":"Say hello"}]}'`,
    ],
  ])('%s copies the ready-to-paste text', async (name, text) => {
    const { user } = await renderLoaded();

    await user.click(screen.getByRole('button', { name }));

    expect(api.copyToClipboard).toHaveBeenCalledExactlyOnceWith(text);
  });

  it('reports a failed copy next to the button', async () => {
    api.copyToClipboard.mockRejectedValue(new Error('clipboard unavailable'));
    const { user } = await renderLoaded();

    await user.click(screen.getByRole('button', { name: 'Copy endpoint' }));

    expect(await screen.findByText('Copy failed: clipboard unavailable')).toBeInTheDocument();
  });
});

describe('API key', () => {
  it('is masked everywhere until Show is pressed', async () => {
    const { user } = await renderLoaded();

    expect(document.body).not.toHaveTextContent(KEY);
    expect(screen.getByTestId('api-key')).toHaveTextContent('••••');
    expect(screen.getByTestId('setup-claude-code')).toHaveTextContent('export ANTHROPIC_AUTH_TOKEN=••••');

    await user.click(screen.getByRole('button', { name: 'Show API key' }));

    expect(screen.getByTestId('api-key')).toHaveTextContent(KEY);
    expect(screen.getByTestId('setup-claude-code')).toHaveTextContent(`export ANTHROPIC_AUTH_TOKEN=${KEY}`);
    expect(screen.getByTestId('setup-openai')).toHaveTextContent(`export OPENAI_API_KEY=${KEY}`);

    await user.click(screen.getByRole('button', { name: 'Hide API key' }));

    expect(document.body).not.toHaveTextContent(KEY);
  });

  it('says why the key cannot be read and disables what needs it', async () => {
    api.getAPIKey.mockRejectedValue(new Error('keychain is locked'));
    const user = userEvent.setup();
    render(<App />);

    expect(await screen.findByText(/Could not read the API key: keychain is locked/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Show API key' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Copy API key' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Copy Claude Code setup' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Copy curl command' })).toBeDisabled();

    api.getAPIKey.mockResolvedValue(KEY);
    await user.click(screen.getByRole('button', { name: 'Retry' }));

    await waitFor(() => expect(screen.getByRole('button', { name: 'Copy API key' })).toBeEnabled());
  });
});

describe('warnings banner', () => {
  const notice =
    'pool.json was damaged; restored from pool.json.bak; the damaged copy is pool.json.corrupt-20261125T180000Z';

  it('shows warnings and hides them when dismissed', async () => {
    api.getStatus.mockResolvedValue(makeStatus({ warnings: [{ text: notice }] }));
    const { user } = await renderLoaded();

    const banner = screen.getByRole('alert', { name: 'Warnings' });
    expect(banner).toHaveTextContent(notice);

    await user.click(within(banner).getByRole('button', { name: 'Dismiss' }));

    expect(screen.queryByRole('alert', { name: 'Warnings' })).not.toBeInTheDocument();
    expect(screen.queryByText(notice)).not.toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1 })).toHaveFocus();

    // The same warning in a later event stays dismissed; a new one shows.
    emitStatus(makeStatus({ warnings: [{ text: notice }] }));
    expect(screen.queryByText(notice)).not.toBeInTheDocument();
    emitStatus(makeStatus({ warnings: [{ text: notice }, { text: 'config.json was damaged' }] }));
    const again = screen.getByRole('alert', { name: 'Warnings' });
    expect(again).toHaveTextContent('config.json was damaged');
    expect(again).not.toHaveTextContent(notice);
  });

  it('is absent when there are no warnings', async () => {
    await renderLoaded();
    expect(screen.queryByRole('alert', { name: 'Warnings' })).not.toBeInTheDocument();
  });
});

describe('status events', () => {
  it('subscribes and updates the view on a "status" event', async () => {
    await renderLoaded();
    expect(api.onStatus).toHaveBeenCalledTimes(1);

    emitStatus(
      makeStatus({
        proxyOn: false,
        accounts: 1,
        endpoint: 'http://127.0.0.1:9000',
        error: 'port 9000 is in use by another program',
        warnings: [{ text: 'pool.json was damaged' }],
      }),
    );

    expect(screen.getByRole('switch', { name: 'Proxy' })).toHaveAttribute('aria-checked', 'false');
    expect(screen.getByTestId('accounts')).toHaveTextContent('1 account');
    expect(screen.getByTestId('endpoint')).toHaveTextContent('http://127.0.0.1:9000');
    expect(screen.getByText('The proxy is not listening: port 9000 is in use by another program.')).toBeInTheDocument();
    expect(screen.getByRole('alert', { name: 'Warnings' })).toHaveTextContent('pool.json was damaged');
  });

  it('keeps an event that arrives before the initial snapshot', async () => {
    const snapshot = deferred<Status>();
    api.getStatus.mockReturnValue(snapshot.promise);
    render(<App />);

    emitStatus(makeStatus({ accounts: 5 }));
    await act(async () => snapshot.resolve(makeStatus({ accounts: 3 })));

    expect(screen.getByTestId('accounts')).toHaveTextContent('5 accounts');
  });

  it('keeps an event that arrives while SetProxyEnabled is in flight', async () => {
    const reply = deferred<Status>();
    api.setProxyEnabled.mockReturnValue(reply.promise);
    const { user } = await renderLoaded();

    await user.click(screen.getByRole('switch', { name: 'Proxy' }));
    emitStatus(makeStatus({ proxyOn: true, accounts: 7 }));
    await act(async () => reply.resolve(makeStatus({ proxyOn: false, accounts: 2 })));

    expect(screen.getByTestId('accounts')).toHaveTextContent('7 accounts');
    expect(screen.getByRole('switch', { name: 'Proxy' })).toHaveAttribute('aria-checked', 'true');
  });

  it('unsubscribes when the window content unmounts', async () => {
    const { unmount } = await renderLoaded();
    expect(listeners).toHaveLength(1);
    unmount();
    expect(listeners).toHaveLength(0);
  });
});
