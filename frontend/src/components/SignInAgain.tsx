import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { cancelLogin, onLogin, signInAgain, type Account, type SignInAgain as Started } from '../bridge';
import { i18n } from '../i18n';
import { errorMessage } from '../lib/errors';
import { DeviceCodePanel, ExternalLink } from './AddAccount';

type Flow =
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'started'; s: Started }
  | { kind: 'done' }
  | { kind: 'failed'; message: string };

/**
 * "Sign in again" for an account that needs it: the same account (id, name,
 * counters) signs in the way it was added. A sign-in as another person is
 * refused by Go with a message that says so.
 */
export function SignInAgain({ account, onDone }: { account: Account; onDone?: (message: string) => void }) {
  const { t } = useTranslation();
  const [flow, setFlow] = useState<Flow>({ kind: 'idle' });
  const flowId = useRef<string | null>(null);

  useEffect(
    () =>
      onLogin((ev) => {
        if (!flowId.current || ev.flowId !== flowId.current) return;
        flowId.current = null;
        if (ev.ok) finished();
        else if (ev.cancelled) setFlow({ kind: 'idle' });
        else setFlow({ kind: 'failed', message: ev.error || i18n.t('signInAgain.failedUnknown') });
      }),
    [],
  );

  // The account turns ready and its repair may leave the screen: the
  // parent can keep the message.
  function finished() {
    setFlow({ kind: 'done' });
    onDone?.(i18n.t('signInAgain.done', { name: account.label }));
  }

  async function start() {
    setFlow({ kind: 'busy' });
    try {
      const s = await signInAgain(account.id);
      if (s.method === 'done') {
        finished();
        return;
      }
      flowId.current = s.flowId;
      setFlow({ kind: 'started', s });
    } catch (err) {
      setFlow({ kind: 'failed', message: errorMessage(err) });
    }
  }

  async function cancel() {
    const id = flowId.current;
    flowId.current = null;
    setFlow({ kind: 'idle' });
    if (id) await cancelLogin(id).catch(() => undefined);
  }

  const label = account.label;
  return (
    <div className="sign-in-again">
      {flow.kind === 'started' && flow.s.method === 'device' ? (
        <DeviceCodePanel
          login={{
            flowId: flow.s.flowId,
            userCode: flow.s.userCode,
            verificationUri: flow.s.verificationUri,
            verificationUriComplete: flow.s.verificationUriComplete,
            expiresAt: flow.s.expiresAt,
          }}
          onCancel={cancel}
        />
      ) : flow.kind === 'started' ? (
        <div className="flow" aria-live="polite">
          <p>{t('signInAgain.social')}</p>
          <p>
            <ExternalLink href={flow.s.loginUrl}>{t('signInAgain.socialLink')}</ExternalLink>
          </p>
          <button type="button" className="btn" onClick={cancel}>
            {t('common.cancel')}
          </button>
        </div>
      ) : (
        <button
          type="button"
          className="btn btn-small btn-primary"
          aria-label={t('signInAgain.buttonFor', { name: label })}
          disabled={flow.kind === 'busy'}
          onClick={start}
        >
          {flow.kind === 'busy' ? t('common.starting') : t('signInAgain.button')}
        </button>
      )}
      <p role="status" className={flow.kind === 'failed' ? 'error-text' : 'muted'}>
        {flow.kind === 'done' && !onDone && t('signInAgain.done', { name: label })}
        {flow.kind === 'failed' && t('signInAgain.failed', { detail: flow.message })}
      </p>
    </div>
  );
}
