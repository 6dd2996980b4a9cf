import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { switchToFreePort, type Status } from '../bridge';
import { errorMessage } from '../lib/errors';

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
  const { t } = useTranslation();
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
      setResult({ ok: true, text: t('portRepair.moved', { endpoint }) });
    } catch (err) {
      setResult({ ok: false, text: t('portRepair.failed', { detail: errorMessage(err) }) });
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
            {t('portRepair.openSettings')}
          </button>
          <button type="button" className="btn btn-primary" disabled={busy} onClick={move}>
            {busy ? t('portRepair.working') : t('portRepair.useFreePort')}
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
