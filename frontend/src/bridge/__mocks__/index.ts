// What a test file's vi.mock('…/bridge') gets (Vitest reads __mocks__ when the
// call names no factory): every call into Go a vi.fn that answers nothing
// until the test says what, and every on… subscription one that delivers no
// event and hands back an unsubscribe that does nothing. vi.resetAllMocks
// brings those defaults back. The parts that never reach Go (the error type,
// the events' names, the normalisers) are the real ones.
import { vi } from 'vitest';
import type * as bridge from '../index';

type Bridge = typeof bridge;

const real = await vi.importActual<Bridge>('../index');
const pure = new Set<string>(['BridgeError', 'toBridgeError', 'normaliseStatus', 'normaliseUsage', 'Events']);
const fake = Object.fromEntries(
  Object.entries(real).map(([name, value]) => {
    if (pure.has(name)) return [name, value];
    return [name, name.startsWith('on') ? vi.fn(() => () => {}) : vi.fn()];
  }),
) as Bridge;

export const { BridgeError, toBridgeError, normaliseStatus, normaliseUsage, Events } = fake;
export const { getStatus, setProxyEnabled, switchToFreePort, onStatus, getAPIKey, regenerateAPIKey, copyToClipboard, openURL } = fake;
export const { getLanguage, setLanguage, onLanguage, getSettings, updateSettings, checkModelAliases, setOutboundProxy } = fake;
export const { getRequestStats, getLogs, getRequests, exportRequests, getUsage, exportUsageCSV, diagnose, getVersion } = fake;
export const { getAccounts, onAccounts, setAccountEnabled, renameAccount, removeAccount, refreshQuota, retryAccount } = fake;
export const { startDeviceLogin, startSocialLogin, completeSocialLogin, cancelLogin, signInAgain, onLogin, addToken } = fake;
export const { detectKiroIDE, importKiroIDE, importOldProxy, deleteImportedFiles, sendTestRequest } = fake;
export const { getPlaygroundModels, startPlayground, cancelPlayground, onPlaygroundDelta, onPlaygroundDone } = fake;
export const { checkForUpdates, getUpdateStatus, dismissUpdate, onUpdate } = fake;
