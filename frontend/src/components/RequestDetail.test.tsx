import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { applyLanguage } from '../i18n';
import { makeRequest } from '../test/fixtures';
import { RequestDetail } from './RequestDetail';

afterEach(async () => {
  await applyLanguage('en');
});

const req = makeRequest;

describe('RequestDetail: pinned', () => {
  it('shows the account a request was pinned to, by name when it served, in the window language', async () => {
    const { rerender } = render(<RequestDetail request={req({ pinned: 'a1' })} onClose={() => {}} />);
    expect(screen.getByText('Pinned to')).toBeInTheDocument();
    expect(screen.getByTestId('request-pinned')).toHaveTextContent('Work');
    await applyLanguage('zh-CN');
    rerender(<RequestDetail request={req({ pinned: 'a9', account: undefined, accountLabel: undefined, status: 503 })} onClose={() => {}} />);
    expect(screen.getByText('指定账号')).toBeInTheDocument();
    expect(screen.getByTestId('request-pinned')).toHaveTextContent('a9');
  });

  it('says nothing of pinning for a request of the pool', () => {
    render(<RequestDetail request={req()} onClose={() => {}} />);
    expect(screen.queryByText('Pinned to')).not.toBeInTheDocument();
    expect(screen.queryByTestId('request-pinned')).not.toBeInTheDocument();
  });
});

describe('RequestDetail: warnings', () => {
  const dropped = `tools[2]: "computer_20250124" tool dropped: computer use is not available through Kiro`;
  const mcp = 'mcp_servers ignored: the MCP connector is not available through Kiro';
  const odd = 'a warning of a shape the window has no code for';
  const r = req({
    warnings: [dropped, mcp, odd],
    warningTexts: [
      { code: 'requestWarning.toolDropped', args: { where: 'tools[2]', type: '"computer_20250124"', why: 'computer use is not available through Kiro' }, text: dropped },
      { code: 'requestWarning.mcpServersIgnored', text: mcp },
      { text: odd },
    ],
  });

  it("says each warning Go coded in the window language, Go's words (the reason, the tool) kept", async () => {
    await applyLanguage('zh-CN');
    render(<RequestDetail request={r} onClose={() => {}} />);
    expect(screen.getByText('tools[2]：已移除工具 "computer_20250124"：computer use is not available through Kiro')).toBeInTheDocument();
    expect(screen.getByText('已忽略 mcp_servers：通过 Kiro 无法使用 MCP 连接器')).toBeInTheDocument();
    expect(screen.getByText(odd)).toBeInTheDocument();
  });

  it('shows the English warnings of a Go that sent no codes', () => {
    render(<RequestDetail request={req({ warnings: [dropped] })} onClose={() => {}} />);
    expect(screen.getByText(dropped)).toBeInTheDocument();
  });
});
