import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import {
  addToken,
  cancelLogin,
  completeSocialLogin,
  importKiroIDE,
  importOldProxy,
  onLogin,
  openURL,
  startDeviceLogin,
  startSocialLogin,
  type DeviceLogin,
  type ImportReport,
  type SocialLogin,
} from '../bridge';
import { ImportReportView } from './ImportReportView';
import { i18n } from '../i18n';
import { errorMessage } from '../lib/errors';

type Method = 'builder' | 'idc' | 'google' | 'github' | 'ide' | 'oldproxy' | 'token';

/** Most common first; each says in one line who picks it (addAccount.methods.<id>Hint). */
const METHODS: readonly Method[] = ['google', 'github', 'builder', 'idc', 'ide', 'oldproxy', 'token'];

type Flow =
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'device'; login: DeviceLogin }
  | { kind: 'social'; login: SocialLogin; provider: string }
  | { kind: 'done'; message: string; report?: ImportReport }
  | { kind: 'failed'; message: string };

/** Seconds left until iso, never below zero; updates every second. */
function useCountdown(iso: string | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!iso) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [iso]);
  if (!iso) return 0;
  return Math.max(0, Math.round((new Date(iso).getTime() - now) / 1000));
}

function mmss(s: number): string {
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function AddAccount() {
  const { t } = useTranslation();
  const [method, setMethod] = useState<Method>('google');
  const [label, setLabel] = useState('');
  const [startUrl, setStartUrl] = useState('');
  const [region, setRegion] = useState('us-east-1');
  const [path, setPath] = useState('');
  const [token, setToken] = useState('');
  const [redirect, setRedirect] = useState('');
  const [flow, setFlow] = useState<Flow>({ kind: 'idle' });
  const flowId = useRef<string | null>(null);

  useEffect(
    () =>
      onLogin((ev) => {
        if (ev.flowId !== flowId.current) return;
        flowId.current = null;
        if (ev.ok) setFlow({ kind: 'done', message: i18n.t('addAccount.added', { name: ev.label || i18n.t('addAccount.theAccount') }) });
        else if (ev.cancelled) setFlow({ kind: 'idle' });
        else setFlow({ kind: 'failed', message: ev.error ? i18n.t('addAccount.failed', { detail: ev.error }) : i18n.t('addAccount.signInFailed') });
      }),
    [],
  );

  async function run(start: () => Promise<Flow>) {
    setFlow({ kind: 'busy' });
    try {
      setFlow(await start());
    } catch (err) {
      setFlow({ kind: 'failed', message: t('addAccount.failed', { detail: errorMessage(err) }) });
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    const name = label.trim();
    switch (method) {
      case 'builder':
      case 'idc':
        return run(async () => {
          const login = await startDeviceLogin({ startUrl: method === 'idc' ? startUrl.trim() : '', region, label: name });
          flowId.current = login.flowId;
          return { kind: 'device', login };
        });
      case 'google':
      case 'github':
        return run(async () => {
          const login = await startSocialLogin(method === 'google' ? 'Google' : 'Github', name);
          flowId.current = login.flowId;
          return { kind: 'social', login, provider: method === 'google' ? 'Google' : 'GitHub' };
        });
      case 'ide':
        return run(async () => ({ kind: 'done', message: t('addAccount.added', { name: await importKiroIDE(path.trim(), name) }) }));
      case 'oldproxy':
        return run(async () => {
          const r = await importOldProxy(path.trim());
          return { kind: 'done', message: t('addAccount.importFinished'), report: r };
        });
      case 'token':
        return run(async () => {
          const added = await addToken(token, name);
          setToken(''); // a credential: do not keep it on screen
          return { kind: 'done', message: t('addAccount.added', { name: added }) };
        });
    }
  }

  async function cancel() {
    const id = flowId.current;
    flowId.current = null;
    setFlow({ kind: 'idle' });
    if (id) {
      try {
        await cancelLogin(id);
      } catch {
        // The flow may have ended on its own; nothing left to stop.
      }
    }
  }

  const inFlow = flow.kind === 'device' || flow.kind === 'social' || flow.kind === 'busy';

  return (
    <section className="card" aria-labelledby="add-title">
      <h2 id="add-title">{t('addAccount.title')}</h2>
      {flow.kind === 'device' ? (
        <DeviceCodePanel login={flow.login} onCancel={cancel} />
      ) : flow.kind === 'social' ? (
        <div className="flow" aria-live="polite">
          <p>{t('addAccount.socialOpened', { provider: flow.provider })}</p>
          <p className="muted">
            <Trans
              i18nKey="addAccount.socialFallback"
              components={{ link: <ExternalLink href={flow.login.loginUrl}>{''}</ExternalLink> }}
            />
          </p>
          <form
            className="inline"
            onSubmit={async (e) => {
              e.preventDefault();
              try {
                await completeSocialLogin(flow.login.flowId, redirect.trim());
              } catch (err) {
                setFlow({ kind: 'failed', message: t('addAccount.failed', { detail: errorMessage(err) }) });
              }
            }}
          >
            <label>
              {t('addAccount.address')} <input className="wide" value={redirect} onChange={(e) => setRedirect(e.target.value)} />
            </label>
            <button type="submit" className="btn" disabled={!redirect.trim()}>
              {t('addAccount.finish')}
            </button>
          </form>
          <button type="button" className="btn" onClick={cancel}>
            {t('common.cancel')}
          </button>
        </div>
      ) : (
        <form onSubmit={submit} className="add-form">
          <fieldset className="methods" disabled={inFlow}>
            <legend>{t('addAccount.how')}</legend>
            {METHODS.map((id) => ({ id, label: t(`addAccount.methods.${id}`), hint: t(`addAccount.methods.${id}Hint`) })).map((m) => (
              <div key={m.id} className="method">
                <label className="check">
                  <input
                    type="radio"
                    name="method"
                    value={m.id}
                    checked={method === m.id}
                    aria-describedby={`method-${m.id}-hint`}
                    onChange={() => setMethod(m.id)}
                  />
                  {m.label}
                </label>
                <span id={`method-${m.id}-hint`} className="muted method-hint">
                  {m.hint}
                </span>
              </div>
            ))}
          </fieldset>
          {method !== 'oldproxy' && (
            <label className="form-row">
              {t('addAccount.name')}
              <input value={label} onChange={(e) => setLabel(e.target.value)} placeholder={t('addAccount.namePlaceholder')} />
            </label>
          )}
          {method === 'idc' && (
            <>
              <label className="form-row">
                {t('addAccount.startUrl')}
                <input
                  className="wide"
                  value={startUrl}
                  required
                  onChange={(e) => setStartUrl(e.target.value)}
                  placeholder="https://example.awsapps.com/start" // i18n-ignore: an example address
                />
              </label>
              <label className="form-row">
                {t('addAccount.region')}
                <input value={region} onChange={(e) => setRegion(e.target.value)} />
              </label>
            </>
          )}
          {(method === 'ide' || method === 'oldproxy') && (
            <label className="form-row">
              {method === 'ide' ? t('addAccount.tokenFile') : t('addAccount.oldProxyFolder')}
              <input className="wide" value={path} required={method === 'oldproxy'} onChange={(e) => setPath(e.target.value)} />
            </label>
          )}
          {method === 'token' && (
            <label className="form-row">
              {t('addAccount.tokenInput')}
              <textarea
                className="wide"
                rows={3}
                value={token}
                required
                autoComplete="off"
                spellCheck={false}
                onChange={(e) => setToken(e.target.value)}
              />
            </label>
          )}
          <div className="form-actions">
            <button type="submit" className="btn btn-primary" disabled={inFlow || (method === 'idc' && !startUrl.trim())}>
              {flow.kind === 'busy'
                ? t('common.starting')
                : method === 'ide' || method === 'oldproxy'
                  ? t('addAccount.import')
                  : method === 'token'
                    ? t('addAccount.add')
                    : t('addAccount.signIn')}
            </button>
          </div>
        </form>
      )}
      <p
        role="status"
        className={flow.kind === 'failed' ? 'error-text' : 'muted'}
        data-testid="add-result"
      >
        {flow.kind === 'done' && flow.message}
        {flow.kind === 'failed' && flow.message}
      </p>
      {flow.kind === 'done' && flow.report && <ImportReportView report={flow.report} />}
    </section>
  );
}

export function DeviceCodePanel({ login, onCancel }: { login: DeviceLogin; onCancel: () => void }) {
  const { t } = useTranslation();
  const left = useCountdown(login.expiresAt);
  const link = login.verificationUriComplete || login.verificationUri;
  return (
    <div className="flow device" aria-live="polite">
      <p>{t('addAccount.deviceIntro')}</p>
      <p className="device-code" data-testid="device-code" aria-label={t('addAccount.code', { code: login.userCode.split('').join(' ') })}>
        {login.userCode}
      </p>
      <p>
        <ExternalLink href={link}>{login.verificationUri}</ExternalLink>
      </p>
      <p className={left > 0 ? 'muted' : 'error-text'} data-testid="countdown">
        {left > 0 ? t('addAccount.expiresIn', { time: mmss(left) }) : t('addAccount.expired')}
      </p>
      <button type="button" className="btn" onClick={onCancel}>
        {t('common.cancel')}
      </button>
    </div>
  );
}

/** A link that opens in the person's browser, not inside the app's window. */
export function ExternalLink({ href, children }: { href: string; children: ReactNode }) {
  return (
    <a
      href={href}
      rel="noreferrer"
      onClick={(e) => {
        e.preventDefault();
        openURL(href);
      }}
    >
      {children}
    </a>
  );
}
