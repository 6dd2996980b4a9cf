import { useState } from 'react';
import { switchToFreePort, type Status } from '../bridge';
import { errorMessage } from '../lib/errors';

const TEXT = {
  openSettings: 'Open Settings',
  useFreePort: 'Use a free port',
  working: 'Finding a free port…',
  moved: 'Now listening on {endpoint}. Clients set up with the old address must use this one.',
  failed: 'Could not move the proxy: {reason}',
};

/**
 * The repairs offered under the listener's error (a port in use): change the
 * port in Settings, or let Kirodesk pick a free one, save it and reopen.
 */
export function PortRepair({
  status,
  apply,
  onOpenSettings,
}: {
  status: Status;
  apply: (call: () => Promise<Status>) => Promise<void>;
  onOpenSettings: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  async function move() {
    setBusy(true);
    setResult(null);
    let endpoint = '';
    try {
      await apply(async () => {
        const st = await switchToFreePort();
        endpoint = st.endpoint;
        return st;
      });
      setResult({ ok: true, text: TEXT.moved.replace('{endpoint}', endpoint) });
    } catch (err) {
      setResult({ ok: false, text: TEXT.failed.replace('{reason}', errorMessage(err)) });
    } finally {
      setBusy(false);
    }
  }

  const broken = !status.proxyOn && status.error !== '';
  if (!broken && !result) return null;
  return (
    <div className="port-repair">
      {broken && (
        <div className="field-row">
          <button type="button" className="btn" onClick={onOpenSettings}>
            {TEXT.openSettings}
          </button>
          <button type="button" className="btn btn-primary" disabled={busy} onClick={move}>
            {busy ? TEXT.working : TEXT.useFreePort}
          </button>
        </div>
      )}
      {result && (
        <p role="status" className={result.ok ? 'muted' : 'error-text'}>
          {result.text}
        </p>
      )}
    </div>
  );
}
