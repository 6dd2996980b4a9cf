import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getSettings, setOutboundProxy, updateSettings } from '../bridge';
import { errorMessage } from '../lib/errors';
import { proxyMode, proxySetting, type ProxyMode } from '../lib/proxy';
import { useLeaveGuard } from '../lib/leaveGuard';
import { useSavePart } from '../lib/saveParts';
import { ErrorText } from './ErrorText';

const MODES: readonly ProxyMode[] = ['system', 'none', 'url'];

/**
 * How Kirodesk reaches Kiro: the outbound proxy (its password goes to the
 * keychain through SetOutboundProxy, never into config.json) and a bundle of
 * extra trusted CAs for TLS-inspecting proxies.
 */
export function NetworkSettings() {
  const { t } = useTranslation();
  const id = useId();
  const [loaded, setLoaded] = useState<{ proxy: string; caBundle: string } | null>(null);
  const [mode, setMode] = useState<ProxyMode>('system');
  const [url, setUrl] = useState('');
  const [password, setPassword] = useState('');
  const [caBundle, setCABundle] = useState('');
  const [error, setError] = useState<string | null>(null);
  // A catalog key, rendered at each render: a language switch re-words it.
  const [notice, setNotice] = useState<'network.saved' | 'network.unchanged' | null>(null);
  // Leaving Settings with an unsaved proxy or CA bundle asks first.
  const dirtyNow = useLeaveGuard();
  dirtyNow.current =
    !!loaded &&
    (mode !== proxyMode(loaded.proxy) ||
      (mode === 'url' && url.trim() !== loaded.proxy) ||
      password !== '' ||
      caBundle.trim() !== loaded.caBundle);
  // Saved and reverted from Settings' one bar.
  useSavePart('network', { dirty: dirtyNow.current, save: () => saveNow(), revert: () => revert() });

  function load(proxy: string, ca: string) {
    setLoaded({ proxy, caBundle: ca });
    setMode(proxyMode(proxy));
    setUrl(proxyMode(proxy) === 'url' ? proxy : '');
    setCABundle(ca);
  }

  useEffect(() => {
    getSettings().then(
      (s) => load(s.outboundProxy, s.caBundle),
      (err: unknown) => setError(t('network.readFailed', { detail: errorMessage(err) })),
    );
  }, []);

  /** Saves the proxy and the CA bundle; false when refused (said in the card). */
  async function saveNow(): Promise<boolean> {
    if (!loaded) return false;
    setError(null);
    setNotice(null);
    let setting: string;
    try {
      setting = proxySetting(mode, url, password);
    } catch (err) {
      setError(errorMessage(err));
      return false;
    }
    try {
      let s = null;
      if (setting !== loaded.proxy || password) s = await setOutboundProxy(setting);
      if (caBundle.trim() !== loaded.caBundle) s = await updateSettings({ caBundle: caBundle.trim() });
      if (s) load(s.outboundProxy, s.caBundle);
      setPassword(''); // a secret: not kept on screen
      setNotice(s ? 'network.saved' : 'network.unchanged');
      return true;
    } catch (err) {
      setError(t('network.saveFailed', { detail: errorMessage(err).replace(/^config\.json: change rejected: /, '') }));
      return false;
    }
  }

  function revert() {
    if (loaded) load(loaded.proxy, loaded.caBundle);
    setPassword('');
    setError(null);
    setNotice(null);
  }

  if (!loaded) return <p className={error ? 'error-text' : 'muted'}>{error ?? t('common.loading')}</p>;
  return (
    <form
      className="card"
      onSubmit={(e) => {
        e.preventDefault(); // the page's bar saves, not Enter in a field
      }}
      aria-labelledby={`${id}-t`}
      noValidate
    >
      <h2 id={`${id}-t`}>{t('network.title')}</h2>
      <fieldset className="methods">
        <legend>{t('network.connect')}</legend>
        {MODES.map((m) => (
          <label key={m} className="check">
            <input type="radio" name={`${id}-mode`} value={m} checked={mode === m} onChange={() => setMode(m)} />
            {t(`network.modes.${m}`)}
          </label>
        ))}
      </fieldset>
      {mode === 'url' && (
        <>
          <label className="form-row">
            {t('network.url')}
            <input
              className="wide"
              value={url}
              placeholder="http://user@proxy.example:3128" // i18n-ignore: an example address
              onChange={(e) => setUrl(e.target.value)}
            />
          </label>
          <label className="form-row">
            {t('network.password')}
            <input
              type="password"
              autoComplete="off"
              value={password}
              placeholder={url.includes('@') ? t('network.passwordKept') : t('network.none')}
              onChange={(e) => setPassword(e.target.value)}
            />
          </label>
        </>
      )}
      <label className="form-row">
        {t('network.caBundle')}
        <input className="wide" value={caBundle} placeholder={t('network.none')} onChange={(e) => setCABundle(e.target.value)} />
      </label>
      <ErrorText error={error} />
      <p role="status" className="muted">
        {notice && t(notice)}
      </p>
    </form>
  );
}
