import { render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ImportReport } from '../bridge';
import { applyLanguage } from '../i18n';
import { ImportReportView } from './ImportReportView';

vi.mock('../bridge');

afterEach(async () => {
  await applyLanguage('en');
});

// As internal/login writes it: English, and the same with codes.
const REPORT: ImportReport = {
  id: 'r1',
  dir: '/home/ada/AIClient-2-API/configs',
  accounts: [
    {
      name: 'Copy',
      outcome: 'skipped',
      reason: 'duplicate: the same refresh token is already in account "Work Google"',
      reasonText: {
        code: 'import.duplicate',
        args: { label: 'Work Google' },
        text: 'duplicate: the same refresh token is already in account "Work Google"',
      },
    },
    {
      name: 'Broken',
      outcome: 'failed',
      reason: 'reading a.json: permission denied',
      reasonText: { text: 'reading a.json: permission denied' },
    },
  ],
  plaintextFiles: [],
  notes: ['provider_pools.json itself holds credentials (KIRO_OAUTH_CREDS_BASE64); ...'],
  noteTexts: [
    {
      code: 'import.embeddedCredentials',
      text: 'provider_pools.json itself holds credentials (KIRO_OAUTH_CREDS_BASE64); ...',
    },
  ],
};

describe('ImportReportView in Chinese', () => {
  it("shows Go's reasons and notes translated by code, Go's own errors as they are", async () => {
    await applyLanguage('zh-CN');
    render(<ImportReportView report={REPORT} />);
    const rows = within(screen.getByTestId('import-report')).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('重复：相同的刷新令牌已在账号“Work Google”中');
    expect(rows[2]).toHaveTextContent('reading a.json: permission denied');
    expect(screen.getByTestId('import-report')).toHaveTextContent('provider_pools.json 本身包含凭据');
  });
});
