import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
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
import { errorMessage } from '../lib/errors';

type Method = 'builder' | 'idc' | 'google' | 'github' | 'ide' | 'oldproxy' | 'token';

/** Most common first; each says in one line who picks it. */
const METHODS: Array<{ id: Method; label: string; hint: string }> = [
  { id: 'google', label: 'Google', hint: 'You sign in to Kiro with a Google account.' },
  { id: 'github', label: 'GitHub', hint: 'You sign in to Kiro with GitHub.' },
  { id: 'builder', label: 'AWS Builder ID', hint: 'You sign in to Kiro with a personal AWS Builder ID.' },
  { id: 'idc', label: 'IAM Identity Center', hint: 'Your company gives you Kiro through AWS; it told you a start URL.' },
  { id: 'ide', label: 'Import from Kiro IDE', hint: 'The Kiro IDE on this computer is signed in: reuse its sign-in.' },
  { id: 'oldproxy', label: 'Import from the old proxy', hint: 'You used the old Node.js proxy: bring its accounts over.' },
  { id: 'token', label: 'Paste a token', hint: 'You have a refresh token or credential JSON from elsewhere.' },
];

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
        if (ev.ok) setFlow({ kind: 'done', message: `Added ${ev.label || 'the account'}.` });
        else if (ev.cancelled) setFlow({ kind: 'idle' });
        else setFlow({ kind: 'failed', message: ev.error || 'Sign-in failed.' });
      }),
    [],
  );

  async function run(start: () => Promise<Flow>) {
    setFlow({ kind: 'busy' });
    try {
      setFlow(await start());
    } catch (err) {
      setFlow({ kind: 'failed', message: errorMessage(err) });
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
        return run(async () => ({ kind: 'done', message: `Added ${await importKiroIDE(path.trim(), name)}.` }));
      case 'oldproxy':
        return run(async () => {
          const r = await importOldProxy(path.trim());
          return { kind: 'done', message: 'Import finished.', report: r };
        });
      case 'token':
        return run(async () => {
          const added = await addToken(token, name);
          setToken(''); // a credential: do not keep it on screen
          return { kind: 'done', message: `Added ${added}.` };
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
      <h2 id="add-title">Add an account</h2>
      {flow.kind === 'device' ? (
        <DeviceCodePanel login={flow.login} onCancel={cancel} />
      ) : flow.kind === 'social' ? (
        <div className="flow" aria-live="polite">
          <p>
            Your browser opened the {flow.provider} sign-in page. Finish there; this window updates by itself.
          </p>
          <p className="muted">
            If the browser did not open, go to{' '}
            <ExternalLink href={flow.login.loginUrl}>the sign-in page</ExternalLink>
            . If it could not come back here, paste the address it ended on:
          </p>
          <form
            className="inline"
            onSubmit={async (e) => {
              e.preventDefault();
              try {
                await completeSocialLogin(flow.login.flowId, redirect.trim());
              } catch (err) {
                setFlow({ kind: 'failed', message: errorMessage(err) });
              }
            }}
          >
            <label>
              Address <input className="wide" value={redirect} onChange={(e) => setRedirect(e.target.value)} />
            </label>
            <button type="submit" className="btn" disabled={!redirect.trim()}>
              Finish
            </button>
          </form>
          <button type="button" className="btn" onClick={cancel}>
            Cancel
          </button>
        </div>
      ) : (
        <form onSubmit={submit} className="add-form">
          <fieldset className="methods" disabled={inFlow}>
            <legend>How</legend>
            {METHODS.map((m) => (
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
              Name (optional)
              <input value={label} onChange={(e) => setLabel(e.target.value)} placeholder="Work, Personal…" />
            </label>
          )}
          {method === 'idc' && (
            <>
              <label className="form-row">
                Start URL
                <input
                  className="wide"
                  value={startUrl}
                  required
                  onChange={(e) => setStartUrl(e.target.value)}
                  placeholder="https://example.awsapps.com/start"
                />
              </label>
              <label className="form-row">
                Region
                <input value={region} onChange={(e) => setRegion(e.target.value)} />
              </label>
            </>
          )}
          {(method === 'ide' || method === 'oldproxy') && (
            <label className="form-row">
              {method === 'ide' ? 'Token file (empty: the IDE’s usual place)' : 'Folder of the old proxy'}
              <input className="wide" value={path} required={method === 'oldproxy'} onChange={(e) => setPath(e.target.value)} />
            </label>
          )}
          {method === 'token' && (
            <label className="form-row">
              Refresh token or credential JSON
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
              {flow.kind === 'busy' ? 'Starting…' : method === 'ide' || method === 'oldproxy' ? 'Import' : method === 'token' ? 'Add' : 'Sign in'}
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
  const left = useCountdown(login.expiresAt);
  const link = login.verificationUriComplete || login.verificationUri;
  return (
    <div className="flow device" aria-live="polite">
      <p>Open the page below and enter this code to approve Kirodesk:</p>
      <p className="device-code" data-testid="device-code" aria-label={`Code ${login.userCode.split('').join(' ')}`}>
        {login.userCode}
      </p>
      <p>
        <ExternalLink href={link}>{login.verificationUri}</ExternalLink>
      </p>
      <p className={left > 0 ? 'muted' : 'error-text'} data-testid="countdown">
        {left > 0 ? `Expires in ${mmss(left)}` : 'The code has expired: cancel and start again.'}
      </p>
      <button type="button" className="btn" onClick={onCancel}>
        Cancel
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
