import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as bridge from '../bridge';
import type { Diagnostics as Report } from '../bridge';
import { About } from './About';
import { Diagnostics } from './Diagnostics';
import { NetworkSettings } from './NetworkSettings';
import { deferred, makeSettings } from '../test/fixtures';
import { applyLanguage } from '../i18n';
import { shownText } from '../test/icons';
import { WithSaveBar } from '../test/saveBar';

vi.mock('../bridge');
const api = vi.mocked(bridge);

beforeEach(() => {
  vi.resetAllMocks();
  api.getSettings.mockResolvedValue(makeSettings());
});

describe('Network settings', () => {
  it('sends the proxy with its password to SetOutboundProxy and clears the password field', async () => {
    api.setOutboundProxy.mockResolvedValue(makeSettings({ outboundProxy: 'http://me@proxy.example:3128' }));
    const user = userEvent.setup();
    render(<WithSaveBar><NetworkSettings /></WithSaveBar>);
    expect(await screen.findByLabelText('Use the system’s proxy settings (HTTPS_PROXY…)')).toBeChecked();
    await user.click(screen.getByLabelText('This proxy:'));
    await user.type(screen.getByLabelText('Proxy URL'), 'http://me@proxy.example:3128');
    await user.type(screen.getByLabelText('Proxy password'), 'hunter2');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(api.setOutboundProxy).toHaveBeenCalledWith('http://me:hunter2@proxy.example:3128');
    expect(api.updateSettings).not.toHaveBeenCalled();
    expect(await screen.findByText('Saved. New connections to Kiro use it.')).toBeInTheDocument();
    expect(screen.getByLabelText('Proxy password')).toHaveValue('');
    expect(screen.getByLabelText('Proxy URL')).toHaveValue('http://me@proxy.example:3128');
  });

  it('turns the proxy off and sets the CA bundle, showing the refusal in place', async () => {
    api.setOutboundProxy.mockResolvedValue(makeSettings({ outboundProxy: 'none' }));
    api.updateSettings.mockRejectedValueOnce(
      new Error('config.json: change rejected: outbound.caBundle "ca.pem" must be an absolute path to a PEM file'),
    );
    api.updateSettings.mockResolvedValueOnce(makeSettings({ outboundProxy: 'none', caBundle: '/etc/ssl/corp.pem' }));
    const user = userEvent.setup();
    render(<WithSaveBar><NetworkSettings /></WithSaveBar>);
    await user.click(await screen.findByLabelText('No proxy'));
    const ca = screen.getByLabelText('Extra trusted certificates (PEM file, full path)');
    await user.type(ca, 'ca.pem');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(api.setOutboundProxy).toHaveBeenCalledWith('none');
    expect(await screen.findByRole('alert')).toHaveTextContent('outbound.caBundle "ca.pem" must be an absolute path');

    await user.clear(ca);
    await user.type(ca, '/etc/ssl/corp.pem');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(api.updateSettings).toHaveBeenLastCalledWith({ caBundle: '/etc/ssl/corp.pem' });
    expect(await screen.findByText('Saved. New connections to Kiro use it.')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it("shows Go's coded proxy refusal in the window language", async () => {
    await applyLanguage('zh-CN');
    try {
      api.getSettings.mockResolvedValue(makeSettings({ outboundProxy: 'http://proxy.example:3128' }));
      api.setOutboundProxy.mockRejectedValue(
        Object.assign(new Error('"ftp://proxy.example:21": the scheme must be http, https or socks5'), {
          texts: [{ code: 'config.proxy.scheme', args: { value: '"ftp://proxy.example:21"' }, text: '"ftp://proxy.example:21": the scheme must be http, https or socks5' }],
        }),
      );
      const user = userEvent.setup();
      render(<WithSaveBar><NetworkSettings /></WithSaveBar>);
      const url = await screen.findByLabelText('代理 URL');
      await user.clear(url);
      await user.type(url, 'ftp://proxy.example:21');
      await user.click(screen.getByRole('button', { name: 'Save' })); // the test bar's
      expect(await screen.findByRole('alert')).toHaveTextContent('无法保存："ftp://proxy.example:21"：协议必须是 http、https 或 socks5');
    } finally {
      await applyLanguage('en');
    }
  });

  it('refuses a password without a user name before calling Go', async () => {
    api.getSettings.mockResolvedValue(makeSettings({ outboundProxy: 'http://proxy.example:3128' }));
    const user = userEvent.setup();
    render(<WithSaveBar><NetworkSettings /></WithSaveBar>);
    expect(await screen.findByLabelText('This proxy:')).toBeChecked();
    await user.type(screen.getByLabelText('Proxy password'), 'pw');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Put the user name in the URL');
    expect(api.setOutboundProxy).not.toHaveBeenCalled();
  });
});

const REPORT: Report = {
  time: '2026-11-25T22:00:00Z',
  version: '1.2.3',
  failed: true,
  text: 'Kirodesk 1.2.3\n[ok] DNS q.us-east-1.amazonaws.com\n[fail] refresh: 401',
  sections: [
    {
      title: 'Account Work',
      checks: [
        { name: 'DNS', status: 'ok', detail: 'q.us-east-1.amazonaws.com', ms: 3 },
        { name: 'Token refresh', status: 'fail', detail: '401: sign in again' },
      ],
    },
    { title: 'This computer', checks: [{ name: 'Tray', status: 'skip', detail: 'no tray host' }, { name: 'Port', status: 'warn', detail: 'x' }] },
  ],
};

describe('Diagnostics', () => {
  it('runs the connection test, shows each check and copies the report', async () => {
    const pending = deferred<Report>();
    api.diagnose.mockReturnValue(pending.promise);
    api.copyToClipboard.mockResolvedValue(undefined);
    const user = userEvent.setup();
    render(<Diagnostics />);
    expect(screen.queryByRole('button', { name: 'Copy report' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(screen.getByRole('button', { name: 'Testing…' })).toBeDisabled();
    pending.resolve(REPORT);
    const out = await screen.findByTestId('diagnostics');
    expect(out).toHaveTextContent('Some checks failed');
    const items = within(out).getAllByRole('listitem');
    expect(items.map((li) => li.className)).toEqual(['diag diag-ok', 'diag diag-fail', 'diag diag-skip', 'diag diag-warn']);
    expect(shownText(items[1]!)).toContain('[failed] fail Token refresh: 401: sign in again');
    expect(within(out).getByRole('heading', { name: 'This computer' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Copy report' }));
    expect(api.copyToClipboard).toHaveBeenCalledWith(REPORT.text);
  });

  it('says why the test could not run', async () => {
    api.diagnose.mockRejectedValue(new Error('Kirodesk is still starting'));
    const user = userEvent.setup();
    render(<Diagnostics />);
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Kirodesk is still starting');
    expect(screen.getByRole('button', { name: 'Test connection' })).toBeEnabled();
  });
});

describe('About', () => {
  it('shows the version', async () => {
    api.getVersion.mockResolvedValue('0.2.0');
    render(<About />);
    expect(await screen.findByTestId('version')).toHaveTextContent('0.2.0');
    expect(screen.getByRole('heading', { name: 'About Kirodesk' })).toBeInTheDocument();
  });
});
