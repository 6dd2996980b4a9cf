import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { applyLanguage } from '../i18n';
import { WarningsBanner } from './WarningsBanner';

afterEach(async () => {
  await applyLanguage('en');
});

// What Go's store sends for a damaged pool.json (internal/store, uitext).
const damaged = {
  code: 'store.damagedRestored',
  args: { file: 'pool.json', reason: 'not valid JSON', backup: '/c/pool.json.bak', aside: '/c/pool.json.corrupt-1' },
  text: 'pool.json was damaged (not valid JSON); loaded the backup /c/pool.json.bak; the damaged file is kept as /c/pool.json.corrupt-1',
};

describe('WarningsBanner', () => {
  it("shows Go's notices in the window's language, with their values, and follows a switch", async () => {
    await applyLanguage('zh-CN');
    render(<WarningsBanner warnings={[damaged]} />);
    const banner = screen.getByRole('alert');
    expect(banner).toHaveTextContent(
      'pool.json 已损坏（not valid JSON）；已载入备份 /c/pool.json.bak；损坏的文件保存为 /c/pool.json.corrupt-1',
    );
    await act(() => applyLanguage('en'));
    expect(screen.getByRole('alert')).toHaveTextContent(damaged.text);
  });

  it("falls back to Go's English for a code the window does not know, and for a text with no code", async () => {
    await applyLanguage('zh-CN');
    render(
      <WarningsBanner
        warnings={[
          { code: 'store.fromANewerBuild', args: { file: 'x' }, text: 'x was touched by a newer build' },
          { text: 'open /c: permission denied' },
        ]}
      />,
    );
    const items = screen.getAllByRole('listitem').map((li) => li.textContent);
    expect(items).toEqual(['x was touched by a newer build', 'open /c: permission denied']);
  });

  it('keeps a dismissed notice hidden whatever the language', async () => {
    const user = userEvent.setup();
    await applyLanguage('zh-CN');
    const { rerender } = render(<WarningsBanner warnings={[damaged]} />);
    await user.click(screen.getByRole('button', { name: '关闭' }));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    await act(() => applyLanguage('en'));
    rerender(<WarningsBanner warnings={[{ ...damaged }]} />);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
