import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { detectKiroIDE, importKiroIDE, type IDESignIn } from '../bridge';
import { errorMessage } from '../lib/errors';

/**
 * Offers the Kiro IDE's sign-in first, when its file is there and not yet
 * imported: the most common way in for someone who already uses Kiro.
 */
export function IDEOffer({ onImported }: { onImported?: () => void }) {
  const { t } = useTranslation();
  const [ide, setIDE] = useState<IDESignIn | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => {
    detectKiroIDE().then(setIDE, () => setIDE(null));
  }, []);

  if (!ide?.found || ide.problem || (ide.account && !result)) return null;

  async function run() {
    setBusy(true);
    try {
      const label = await importKiroIDE('', '');
      setResult({ ok: true, text: t('ideOffer.done', { name: label }) });
      onImported?.();
    } catch (err) {
      setResult({ ok: false, text: t('ideOffer.failed', { detail: errorMessage(err) }) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card ide-offer" aria-labelledby="ide-title">
      <h2 id="ide-title">{t('ideOffer.title')}</h2>
      {!result?.ok && (
        <>
          <p>{t('ideOffer.body', { method: ide.method || 'Kiro' })}</p>
          <button type="button" className="btn btn-primary" disabled={busy} onClick={run}>
            {busy ? t('ideOffer.importing') : t('ideOffer.button')}
          </button>
        </>
      )}
      {result && (
        <p role="status" className={result.ok ? 'muted' : 'error-text'}>
          {result.text}
        </p>
      )}
    </section>
  );
}
