import { useEffect, useState } from 'react';
import { detectKiroIDE, importKiroIDE, type IDESignIn } from '../bridge';
import { errorMessage } from '../lib/errors';

const TEXT = {
  title: 'The Kiro IDE is signed in on this computer',
  body: 'Signed in with {method}. Import it to use the same account here; nothing else to type.',
  button: 'Import it',
  importing: 'Importing…',
  done: 'Added {label}.',
  failed: 'Could not import it: {reason}',
};

/**
 * Offers the Kiro IDE's sign-in first, when its file is there and not yet
 * imported: the most common way in for someone who already uses Kiro.
 */
export function IDEOffer({ onImported }: { onImported?: () => void }) {
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
      setResult({ ok: true, text: TEXT.done.replace('{label}', label) });
      onImported?.();
    } catch (err) {
      setResult({ ok: false, text: TEXT.failed.replace('{reason}', errorMessage(err)) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card ide-offer" aria-labelledby="ide-title">
      <h2 id="ide-title">{TEXT.title}</h2>
      {!result?.ok && (
        <>
          <p>{TEXT.body.replace('{method}', ide.method || 'Kiro')}</p>
          <button type="button" className="btn btn-primary" disabled={busy} onClick={run}>
            {busy ? TEXT.importing : TEXT.button}
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
