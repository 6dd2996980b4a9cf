import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as App from '../../wailsjs/go/app/App';
import * as runtime from '../../wailsjs/runtime/runtime';
import { BridgeError, copyToClipboard, diagnose, getAPIKey, getStatus, onStatus, setProxyEnabled } from '.';
import { makeStatus } from '../test/fixtures';

vi.mock('../../wailsjs/go/app/App', () => ({
  Status: vi.fn(),
  SetProxyEnabled: vi.fn(),
  APIKey: vi.fn(),
  CopyToClipboard: vi.fn(),
  Diagnose: vi.fn(),
}));
vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: vi.fn() }));

const go = vi.mocked(App);
const rt = vi.mocked(runtime);

beforeEach(() => {
  vi.resetAllMocks();
});

describe('bridge façade', () => {
  it('turns a nil Go slice (null) into an empty warnings list', async () => {
    go.Status.mockResolvedValue({ ...makeStatus(), warnings: null } as never);

    const status = await getStatus();

    expect(status.warnings).toEqual([]);
    expect(status.endpoint).toBe('http://127.0.0.1:8990');
  });

  it("keeps the coded texts of Diagnose's sections and checks, and empties nil lists", async () => {
    const titleText = { code: 'doctor.section.machine', text: 'This machine' };
    const check = { name: 'config dir', status: 'ok', detail: 'x', nameText: { code: 'doctor.check.configDir', text: 'config dir' } };
    go.Diagnose.mockResolvedValue({
      time: 't',
      version: 'v',
      failed: false,
      text: 'report',
      sections: [
        { title: 'This machine', titleText, checks: [check] },
        { title: 'Accounts', checks: null },
      ],
    } as never);

    const d = await diagnose();

    expect(d.sections[0]).toEqual({ title: 'This machine', titleText, checks: [check] });
    expect(d.sections[1]?.checks).toEqual([]);
  });

  it('passes the wanted state to SetProxyEnabled', async () => {
    go.SetProxyEnabled.mockResolvedValue(makeStatus({ proxyOn: false }) as never);

    await expect(setProxyEnabled(false)).resolves.toMatchObject({ proxyOn: false });
    expect(go.SetProxyEnabled).toHaveBeenCalledExactlyOnceWith(false);
  });

  it('rejects with a BridgeError carrying the Go error text', async () => {
    // Without an ErrorFormatter, Wails rejects with the error string itself.
    go.SetProxyEnabled.mockRejectedValue('port 8990 is in use by another program');

    const err = await setProxyEnabled(true).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(BridgeError);
    expect((err as BridgeError).message).toBe('port 8990 is in use by another program');
  });

  it('keeps the coded texts of an error Go wrote with codes (uitext.ForWindow)', async () => {
    const texts = [{ code: 'config.port', args: { value: '70000' }, text: 'port 70000 is outside 1-65535' }];
    go.SetProxyEnabled.mockRejectedValue({ message: 'config.json: change rejected: port 70000 is outside 1-65535', texts });

    const err = (await setProxyEnabled(true).catch((e: unknown) => e)) as BridgeError;

    expect(err).toBeInstanceOf(BridgeError);
    expect(err.message).toBe('config.json: change rejected: port 70000 is outside 1-65535');
    expect(err.texts).toEqual(texts);
  });

  it('keeps code and hint from a formatted error object', async () => {
    go.APIKey.mockRejectedValue({ code: 'keychain_locked', message: 'keychain is locked', hint: 'unlock it' });

    const err = (await getAPIKey().catch((e: unknown) => e)) as BridgeError;

    expect(err).toBeInstanceOf(BridgeError);
    expect([err.message, err.code, err.hint]).toEqual(['keychain is locked', 'keychain_locked', 'unlock it']);
  });

  it('copies through the bound method', async () => {
    go.CopyToClipboard.mockResolvedValue(undefined);
    await copyToClipboard('hello');
    expect(go.CopyToClipboard).toHaveBeenCalledExactlyOnceWith('hello');
  });

  it('subscribes to the "status" event and hands over normalised payloads', () => {
    const off = vi.fn();
    rt.EventsOn.mockReturnValue(off);
    const handler = vi.fn();

    const unsubscribe = onStatus(handler);

    expect(rt.EventsOn).toHaveBeenCalledExactlyOnceWith('status', expect.any(Function));
    const deliver = rt.EventsOn.mock.calls[0]![1];
    deliver({ ...makeStatus({ accounts: 4 }), warnings: null });
    expect(handler).toHaveBeenCalledExactlyOnceWith(makeStatus({ accounts: 4 }));
    unsubscribe();
    expect(off).toHaveBeenCalledTimes(1);
  });
});
