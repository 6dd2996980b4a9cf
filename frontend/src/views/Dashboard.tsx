import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { regenerateAPIKey, setProxyEnabled, type Status } from '../bridge';
import { APIKeyField } from '../components/APIKeyField';
import { ConfirmButton } from '../components/ConfirmButton';
import { LiveStats } from '../components/LiveStats';
import { Sparkline } from '../components/Sparkline';
import { errorMessage } from '../lib/errors';
import { EndpointField } from '../components/EndpointField';
import { ProxySwitch } from '../components/ProxySwitch';
import { SetupBlocks } from '../components/SetupBlocks';
import { useAPIKey } from '../hooks/useAPIKey';
import { useAccounts } from '../hooks/useAccounts';
import { useServingNow } from '../hooks/useServingNow';
import { AccountHealth } from '../components/AccountHealth';
import { FirstRun } from '../components/FirstRun';
import { PortRepair } from '../components/PortRepair';
import { TestRequest } from '../components/TestRequest';

/** The view's strings in the window's language (re-read on every render). */
function useText() {
  const { t } = useTranslation();
  return {
    status: t('dashboard.status'),
    listening: (endpoint: string) => t('dashboard.listening', { endpoint }),
    off: t('dashboard.off'),
    accounts: (n: number) => t('dashboard.accounts', { count: n }),
    noAccounts: t('dashboard.noAccounts'),
    connection: t('dashboard.connection'),
    regenerate: t('dashboard.regenerate'),
    regenerateLabel: t('dashboard.regenerateLabel'),
    regenerateQuestion: t('dashboard.regenerateQuestion'),
    regenerateConfirm: t('dashboard.regenerateConfirm'),
    regenerated: t('dashboard.regenerated'),
    regenerateFailed: (message: string) => t('dashboard.regenerateFailed', { detail: message }),
    test: t('dashboard.test'),
    activity: t('dashboard.activity'),
    setup: t('dashboard.setup'),
  };
}

interface Props {
  status: Status;
  /** Shows the Status a call returns (see useStatus). */
  apply: (call: () => Promise<Status>) => Promise<void>;
  /** Opens another view (the repairs lead there). */
  onNavigate?: (view: 'accounts' | 'settings') => void;
}

export function Dashboard({ status, apply, onNavigate }: Props) {
  const TEXT = useText();
  const apiKey = useAPIKey();
  const { accounts } = useAccounts();
  const servingNow = useServingNow();
  const setupRef = useRef<HTMLElement>(null);
  const testRef = useRef<HTMLElement>(null);
  const go = (view: 'accounts' | 'settings') => onNavigate?.(view);
  const scrollTo = (el: HTMLElement | null) => {
    el?.scrollIntoView?.({ behavior: 'smooth', block: 'start' });
    el?.querySelector<HTMLElement>('button, a, h2')?.focus();
  };
  const [revealed, setRevealed] = useState(false);
  const [regen, setRegen] = useState<{ kind: 'idle' | 'done' } | { kind: 'failed'; message: string }>({
    kind: 'idle',
  });

  async function regenerate() {
    try {
      apiKey.replace(await regenerateAPIKey());
      setRegen({ kind: 'done' });
    } catch (err) {
      setRegen({ kind: 'failed', message: errorMessage(err) });
    }
  }

  return (
    <div className="dashboard">
      <section className="card" aria-labelledby="proxy-title">
        <h2 id="proxy-title">{TEXT.status}</h2>
        <ProxySwitch
          on={status.proxyOn}
          statusError={status.error}
          statusErrorText={status.errorText}
          onChange={(on) => apply(() => setProxyEnabled(on))}
        />
        <PortRepair status={status} apply={apply} onOpenSettings={() => go('settings')} />
        <p className="muted">
          {status.proxyOn ? TEXT.listening(status.endpoint) : TEXT.off}
        </p>
        <p data-testid="accounts">
          <strong>{TEXT.accounts(status.accounts)}</strong>
        </p>
        {status.accounts === 0 && (
          <p className="muted">{TEXT.noAccounts}</p>
        )}
      </section>

      {accounts !== null && accounts.length === 0 && (
        <FirstRun
          hasAccount={false}
          onAddAccount={() => go('accounts')}
          onSetup={() => scrollTo(setupRef.current)}
          onTest={() => scrollTo(testRef.current)}
        />
      )}
      {accounts !== null && accounts.length > 0 && (
        <AccountHealth accounts={accounts} servingNow={servingNow} onOpenAccounts={() => go('accounts')} />
      )}

      <section className="card" aria-labelledby="connection-title">
        <h2 id="connection-title">{TEXT.connection}</h2>
        <EndpointField endpoint={status.endpoint} />
        <APIKeyField
          apiKey={apiKey.key}
          error={apiKey.error}
          revealed={revealed}
          onToggleReveal={() => setRevealed((r) => !r)}
          onRetry={apiKey.retry}
        />
        <div className="field-row">
          <ConfirmButton
            label={TEXT.regenerate}
            ariaLabel={TEXT.regenerateLabel}
            question={TEXT.regenerateQuestion}
            confirmLabel={TEXT.regenerateConfirm}
            danger
            disabled={apiKey.key === null}
            onConfirm={regenerate}
          />
          <span role="status" className={regen.kind === 'failed' ? 'error-text' : 'muted'}>
            {regen.kind === 'done' && TEXT.regenerated}
            {regen.kind === 'failed' && TEXT.regenerateFailed(regen.message)}
          </span>
        </div>
      </section>

      <section className="card" aria-labelledby="test-title" ref={testRef}>
        <h2 id="test-title">{TEXT.test}</h2>
        <TestRequest disabled={!status.proxyOn || status.accounts === 0} />
      </section>

      <section className="card card-wide" aria-labelledby="activity-title">
        <h2 id="activity-title">{TEXT.activity}</h2>
        <LiveStats />
        <Sparkline />
      </section>

      <section className="card card-wide" aria-labelledby="setup-title" ref={setupRef}>
        <h2 id="setup-title">{TEXT.setup}</h2>
        <SetupBlocks endpoint={status.endpoint} apiKey={apiKey.key} revealed={revealed} />
      </section>
    </div>
  );
}
