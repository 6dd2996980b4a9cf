import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Account } from '../bridge';
import { applyLanguage } from '../i18n';
import { AccountHealth } from './AccountHealth';

vi.mock('../bridge');

afterEach(async () => {
  await applyLanguage('en');
});

const account = (o: Partial<Account>): Account =>
  ({
    id: 'a1',
    label: 'Work',
    authMethod: 'social',
    disabled: false,
    state: 'ready',
    counters: { requests: 0, errors: 0, inputTokens: 0, outputTokens: 0 },
    ...o,
  }) as Account;

describe('AccountHealth: reasons from Go', () => {
  it('shows the reason in the window language by code, and an old reason with no code as Go wrote it', async () => {
    await applyLanguage('zh-CN');
    render(
      <AccountHealth
        accounts={[
          account({
            state: 'suspended',
            reason: 'Kiro suspended the account: abuse detected',
            reasonText: {
              code: 'account.suspended',
              args: { message: 'abuse detected' },
              text: 'Kiro suspended the account: abuse detected',
            },
          }),
          account({ id: 'a2', label: 'Spare', state: 'login_needed', reason: 'token revoked: log in again' }),
        ]}
        servingNow={null}
        onOpenAccounts={() => {}}
      />,
    );
    expect(screen.getByText('Kiro 已暂停此账号：abuse detected')).toBeInTheDocument();
    expect(screen.getByText('token revoked: log in again')).toBeInTheDocument();
  });
});
