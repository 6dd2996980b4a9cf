import { useCallback, useEffect, useRef, useState } from 'react';
import {
  getAccounts,
  onAccounts,
  refreshQuota,
  removeAccount,
  retryAccount,
  renameAccount,
  setAccountEnabled,
  type Account,
} from '../bridge';
import { ConfirmButton } from '../components/ConfirmButton';
import { QuotaBar } from '../components/QuotaBar';
import { AddAccount } from '../components/AddAccount';
import { errorMessage } from '../lib/errors';
import { ErrorText } from '../components/ErrorText';
import { StateBadge } from '../components/AccountHealth';
import { IDEOffer } from '../components/IDEOffer';
import { SignInAgain } from '../components/SignInAgain';
import { lookOf } from '../lib/accountState';
import { useServingNow } from '../hooks/useServingNow';

const TEXT = {
  add: 'Add account',
  servingNow: 'Serving now',
};

const fmt = new Intl.NumberFormat('en');

export function Accounts() {
  const [accounts, setAccounts] = useState<Account[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(() => {
    getAccounts().then(
      (list) => setAccounts(list),
      (err: unknown) => setError(errorMessage(err)),
    );
  }, []);

  useEffect(() => {
    const off = onAccounts((list) => setAccounts(list));
    reload();
    return off;
  }, [reload]);

  async function act(run: () => Promise<void>) {
    try {
      await run();
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
    reload();
  }

  const addRef = useRef<HTMLDivElement>(null);
  const servingNow = useServingNow();
  const toAdd = () => {
    addRef.current?.scrollIntoView?.({ behavior: 'smooth', block: 'start' });
    addRef.current?.querySelector<HTMLElement>('input, button')?.focus();
  };

  return (
    <div className="accounts">
      <div className="toolbar">
        <button type="button" className="btn btn-primary" onClick={toAdd}>
          {TEXT.add}
        </button>
      </div>
      <ErrorText error={error} />
      <IDEOffer onImported={reload} />
      <section className="card" aria-labelledby="list-title">
        <h2 id="list-title">Accounts</h2>
        {accounts === null ? (
          <p className="muted">Loading…</p>
        ) : accounts.length === 0 ? (
          <p className="muted">No accounts yet. Add one below.</p>
        ) : (
          <ul className="account-list">
            {accounts.map((a) => (
              <AccountRow key={a.id} account={a} act={act} serving={a.id === servingNow && lookOf(a).tone === 'ok'} />
            ))}
          </ul>
        )}
      </section>
      <div ref={addRef}>
        <AddAccount />
      </div>
    </div>
  );
}

/** States a person can end at once with "Try again now" (the next request tells). */
const RETRYABLE = new Set(['suspended', 'cooling', 'exhausted']);

function AccountRow({
  account: a,
  act,
  serving,
}: {
  account: Account;
  act: (run: () => Promise<void>) => Promise<void>;
  serving: boolean;
}) {
  const look = lookOf(a);
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(a.label);
  const [checking, setChecking] = useState(false);
  const titleId = `acct-${a.id}`;
  return (
    <li className={`account tone-${look.tone}`} aria-labelledby={titleId}>
      <div className="account-head">
        {renaming ? (
          <form
            className="inline"
            onSubmit={async (e) => {
              e.preventDefault();
              setRenaming(false);
              await act(() => renameAccount(a.id, name));
            }}
          >
            <label className="sr-only" htmlFor={`${titleId}-name`}>
              New name for {a.label}
            </label>
            <input id={`${titleId}-name`} value={name} autoFocus onChange={(e) => setName(e.target.value)} />
            <button type="submit" className="btn btn-small">
              Save
            </button>
            <button type="button" className="btn btn-small" onClick={() => setRenaming(false)}>
              Cancel
            </button>
          </form>
        ) : (
          <h3 id={titleId}>{a.label}</h3>
        )}
        {a.email && a.email !== a.label && <span className="muted">{a.email}</span>}
        <StateBadge look={look} />
        {serving && (
          <span className="badge tone-serving" data-testid="serving-now">
            <span aria-hidden="true">▶</span> {TEXT.servingNow}
          </span>
        )}
        <span className="muted">
          {[a.provider || a.authMethod, a.region].filter(Boolean).join(' · ')}
        </span>
      </div>
      {a.reason && <p className="muted account-reason">{a.reason}</p>}
      {a.lastError?.message && <p className="error-text account-reason">Last error: {a.lastError.message}</p>}
      {a.quota ? <QuotaBar quota={a.quota} /> : <p className="muted">Quota not checked yet.</p>}
      <p className="muted account-counters">
        {fmt.format(a.counters.requests)} requests · {fmt.format(a.counters.errors)} errors ·{' '}
        {fmt.format(a.counters.inputTokens)} / {fmt.format(a.counters.outputTokens)} tokens
        {a.counters.lastUsed ? ` · last used ${new Date(a.counters.lastUsed).toLocaleString()}` : ''}
      </p>
      {look.kind === 'login_needed' && <SignInAgain account={a} />}
      <div className="account-actions">
        <button
          type="button"
          className="btn btn-small"
          aria-label={`${a.disabled ? 'Enable' : 'Disable'} ${a.label}`}
          onClick={() => act(() => setAccountEnabled(a.id, a.disabled))}
        >
          {a.disabled ? 'Enable' : 'Disable'}
        </button>
        <button
          type="button"
          className="btn btn-small"
          aria-label={`Rename ${a.label}`}
          onClick={() => {
            setName(a.label);
            setRenaming(true);
          }}
        >
          Rename
        </button>
        <button
          type="button"
          className="btn btn-small"
          aria-label={`Refresh quota of ${a.label}`}
          disabled={checking}
          onClick={async () => {
            setChecking(true);
            try {
              await act(async () => {
                await refreshQuota(a.id);
              });
            } finally {
              setChecking(false);
            }
          }}
        >
          {checking ? 'Checking…' : 'Refresh quota'}
        </button>
        {!a.disabled && RETRYABLE.has(a.state) && (
          <button
            type="button"
            className="btn btn-small"
            aria-label={`Try ${a.label} again now`}
            onClick={() => act(() => retryAccount(a.id))}
          >
            Try again now
          </button>
        )}
        <ConfirmButton
          label="Remove"
          ariaLabel={`Remove ${a.label}`}
          question={`Remove ${a.label} and its sign-in from this computer?`}
          confirmLabel="Remove"
          danger
          onConfirm={() => act(() => removeAccount(a.id))}
        />
      </div>
    </li>
  );
}
