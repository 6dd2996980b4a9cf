import { useEffect, useId, useState, type FormEvent } from 'react';
import { getSettings, setOutboundProxy, updateSettings } from '../bridge';
import { errorMessage } from '../lib/errors';
import { proxyMode, proxySetting, type ProxyMode } from '../lib/proxy';
import { ErrorText } from './ErrorText';

const MODES: Array<{ id: ProxyMode; label: string }> = [
  { id: 'system', label: 'Use the system’s proxy settings (HTTPS_PROXY…)' },
  { id: 'none', label: 'No proxy' },
  { id: 'url', label: 'This proxy:' },
];

/**
 * How Kirodesk reaches Kiro: the outbound proxy (its password goes to the
 * keychain through SetOutboundProxy, never into config.json) and a bundle of
 * extra trusted CAs for TLS-inspecting proxies.
 */
export function NetworkSettings() {
  const id = useId();
  const [loaded, setLoaded] = useState<{ proxy: string; caBundle: string } | null>(null);
  const [mode, setMode] = useState<ProxyMode>('system');
  const [url, setUrl] = useState('');
  const [password, setPassword] = useState('');
  const [caBundle, setCABundle] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  function load(proxy: string, ca: string) {
    setLoaded({ proxy, caBundle: ca });
    setMode(proxyMode(proxy));
    setUrl(proxyMode(proxy) === 'url' ? proxy : '');
    setCABundle(ca);
  }

  useEffect(() => {
    getSettings().then(
      (s) => load(s.outboundProxy, s.caBundle),
      (err: unknown) => setError(errorMessage(err)),
    );
  }, []);

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!loaded) return;
    setError(null);
    setNotice(null);
    let setting: string;
    try {
      setting = proxySetting(mode, url, password);
    } catch (err) {
      setError(errorMessage(err));
      return;
    }
    setSaving(true);
    try {
      let s = null;
      if (setting !== loaded.proxy || password) s = await setOutboundProxy(setting);
      if (caBundle.trim() !== loaded.caBundle) s = await updateSettings({ caBundle: caBundle.trim() });
      if (s) load(s.outboundProxy, s.caBundle);
      setPassword(''); // a secret: not kept on screen
      setNotice(s ? 'Saved. New connections to Kiro use it.' : 'Nothing changed.');
    } catch (err) {
      setError(errorMessage(err).replace(/^config\.json: change rejected: /, ''));
    } finally {
      setSaving(false);
    }
  }

  if (!loaded) return <p className={error ? 'error-text' : 'muted'}>{error ?? 'Loading…'}</p>;
  return (
    <form className="card" onSubmit={save} aria-labelledby={`${id}-t`} noValidate>
      <h2 id={`${id}-t`}>Network</h2>
      <fieldset className="methods">
        <legend>Connect to Kiro</legend>
        {MODES.map((m) => (
          <label key={m.id} className="check">
            <input type="radio" name={`${id}-mode`} value={m.id} checked={mode === m.id} onChange={() => setMode(m.id)} />
            {m.label}
          </label>
        ))}
      </fieldset>
      {mode === 'url' && (
        <>
          <label className="form-row">
            Proxy URL
            <input
              className="wide"
              value={url}
              placeholder="http://user@proxy.example:3128"
              onChange={(e) => setUrl(e.target.value)}
            />
          </label>
          <label className="form-row">
            Proxy password
            <input
              type="password"
              autoComplete="off"
              value={password}
              placeholder={url.includes('@') ? 'kept in the keychain; type to replace' : 'none'}
              onChange={(e) => setPassword(e.target.value)}
            />
          </label>
        </>
      )}
      <label className="form-row">
        Extra trusted certificates (PEM file, full path)
        <input className="wide" value={caBundle} placeholder="none" onChange={(e) => setCABundle(e.target.value)} />
      </label>
      <ErrorText error={error} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={saving || (mode === 'url' && !url.trim())}>
          {saving ? 'Saving…' : 'Save network settings'}
        </button>
        <span role="status" className="muted">
          {notice}
        </span>
      </div>
    </form>
  );
}
