import { useState } from 'react';
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

interface Props {
  status: Status;
  /** Shows the Status a call returns (see useStatus). */
  apply: (call: () => Promise<Status>) => Promise<void>;
}

export function Dashboard({ status, apply }: Props) {
  const apiKey = useAPIKey();
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
        <h2 id="proxy-title">Status</h2>
        <ProxySwitch
          on={status.proxyOn}
          statusError={status.error}
          onChange={(on) => apply(() => setProxyEnabled(on))}
        />
        <p className="muted">
          {status.proxyOn ? `Listening on ${status.endpoint}` : 'Off: clients cannot connect.'}
        </p>
        <p data-testid="accounts">
          <strong>{status.accounts}</strong> {status.accounts === 1 ? 'account' : 'accounts'}
        </p>
        {status.accounts === 0 && (
          <p className="muted">
            No accounts yet: API requests fail until a Kiro account is added.
          </p>
        )}
      </section>

      <section className="card" aria-labelledby="connection-title">
        <h2 id="connection-title">Connection</h2>
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
            label="Regenerate"
            ariaLabel="Regenerate API key"
            question="Replace the key? Clients using the old one stop working at once."
            confirmLabel="Replace key"
            danger
            disabled={apiKey.key === null}
            onConfirm={regenerate}
          />
          <span role="status" className={regen.kind === 'failed' ? 'error-text' : 'muted'}>
            {regen.kind === 'done' && 'New key issued: update your clients.'}
            {regen.kind === 'failed' && `Could not replace the key: ${regen.message}`}
          </span>
        </div>
      </section>

      <section className="card card-wide" aria-labelledby="activity-title">
        <h2 id="activity-title">Activity</h2>
        <LiveStats />
        <Sparkline />
      </section>

      <section className="card card-wide" aria-labelledby="setup-title">
        <h2 id="setup-title">Set up a client</h2>
        <SetupBlocks endpoint={status.endpoint} apiKey={apiKey.key} revealed={revealed} />
      </section>
    </div>
  );
}
