import { vi } from 'vitest';
import * as bridge from '../bridge';
import { makeStatus } from './fixtures';

/**
 * Answers what the whole window (App) asks Go for as it starts: English, no
 * update known yet, the proxy on, no accounts, requests or log lines, and no
 * Kiro IDE sign-in to import. For a test file that mocks the bridge
 * (vi.mock('…/bridge')); the test sets whatever else its views need.
 */
export function answerWindowStart() {
  const api = vi.mocked(bridge);
  api.getLanguage.mockResolvedValue({ preference: 'system', effective: 'en' });
  api.getUpdateStatus.mockRejectedValue(new Error('Kirodesk is still starting'));
  api.getStatus.mockResolvedValue(makeStatus());
  api.getLogs.mockResolvedValue([]);
  api.getRequests.mockResolvedValue([]);
  api.getAccounts.mockResolvedValue([]);
  api.detectKiroIDE.mockResolvedValue({ found: false, path: '', method: '', account: '', problem: '' });
}
