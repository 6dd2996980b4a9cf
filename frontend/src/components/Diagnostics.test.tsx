import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as bridge from '../bridge';
import type { Diagnostics as Report } from '../bridge';
import { applyLanguage } from '../i18n';
import { Diagnostics } from './Diagnostics';
import { shownText } from '../test/icons';

vi.mock('../bridge');
const api = vi.mocked(bridge);

beforeEach(() => vi.resetAllMocks());
afterEach(async () => {
  await applyLanguage('en');
});

// A report as internal/doctor writes it: English fields, and the same with codes.
const REPORT: Report = {
  time: '2026-12-06T10:00:00Z',
  version: '1.0.0',
  failed: true,
  text: 'Kirodesk doctor, ...',
  sections: [
    {
      title: 'This machine',
      titleText: { code: 'doctor.section.machine', text: 'This machine' },
      checks: [
        {
          name: 'port',
          status: 'fail',
          detail: '127.0.0.1:8317 is taken by another program: address in use; pick another port in the settings',
          nameText: { code: 'doctor.check.port', text: 'port' },
          detailText: {
            code: 'doctor.port.taken',
            args: { addr: '127.0.0.1:8317', error: 'address in use' },
            text: '127.0.0.1:8317 is taken by another program: address in use; pick another port in the settings',
          },
        },
        {
          name: 'credentials',
          status: 'fail',
          detail: 'no credentials in the keychain: log in again',
          nameText: { code: 'doctor.check.credentials', text: 'credentials' },
          detailText: { text: 'no credentials in the keychain: log in again' },
        },
        // A newer Go's check this window has no words for, and an old report with no codes.
        {
          name: 'ipv6',
          status: 'ok',
          detail: 'works',
          nameText: { code: 'doctor.check.ipv6', text: 'ipv6' },
          detailText: { code: 'doctor.ipv6.ok', text: 'works' },
        },
        { name: 'tray host', status: 'skip', detail: 'not asked' },
      ],
    },
    {
      title: 'Account a1 (me, social)',
      titleText: {
        code: 'doctor.section.account',
        args: { id: 'a1', label: 'me', method: 'social' },
        text: 'Account a1 (me, social)',
      },
      checks: [],
    },
  ],
};

describe('Diagnostics in Chinese', () => {
  it("renders Go's section titles, check names and details by code, values kept; unknown codes in English", async () => {
    await applyLanguage('zh-CN');
    api.diagnose.mockResolvedValue(REPORT);
    const user = userEvent.setup();
    render(<Diagnostics />);
    await user.click(screen.getByRole('button', { name: '测试连接' }));
    const out = await screen.findByTestId('diagnostics');
    expect(within(out).getByRole('heading', { name: '这台电脑' })).toBeInTheDocument();
    expect(within(out).getByRole('heading', { name: '账号 a1（me，social）' })).toBeInTheDocument();
    const items = within(out).getAllByRole('listitem').map(shownText);
    expect(items).toEqual([
      '[failed] 失败 端口：127.0.0.1:8317 已被其他程序占用：address in use；请在设置中换一个端口',
      '[failed] 失败 凭据：no credentials in the keychain: log in again',
      '[ok] 通过 ipv6：works',
      '[skipped] 跳过 tray host：not asked',
    ]);
    // The report copied into an issue stays Go's English.
    await user.click(screen.getByRole('button', { name: '复制报告' }));
    expect(api.copyToClipboard).toHaveBeenCalledWith(REPORT.text);
  });
});
