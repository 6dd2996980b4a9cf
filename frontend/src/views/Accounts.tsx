import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
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
import { i18n } from '../i18n';
import { errorMessage } from '../lib/errors';
import { ErrorText } from '../components/ErrorText';
import { StateBadge } from '../components/AccountHealth';
import { IDEOffer } from '../components/IDEOffer';
import { SignInAgain } from '../components/SignInAgain';
import { lookOf, restEnd } from '../lib/accountState';
import { useServingNow } from '../hooks/useServingNow';
import { formatNumber } from '../lib/format';
import { When } from '../components/When';
import { useGoText } from '../i18n/gotext';

/** The view's strings in the window's language (re-read on every render). */
function useText() {
  const { t } = useTranslation();
  return {
    add: t('accounts.add'),
    servingNow: t('accounts.servingNow'),
    title: t('accounts.title'),
    loading: t('common.loading'),
    empty: t('accounts.empty'),
    newName: (label: string) => t('accounts.newName', { name: label }),
    save: t('common.save'),
    cancel: t('common.cancel'),
    lastError: (message: string) => t('accounts.lastError', { detail: message }),
    lastErrorAt: ' · ',
    until: `${t('accounts.until')} `,
    quotaUnknown: t('accounts.quotaUnknown'),
    requests: (n: number) => t('accounts.requests', { count: n }),
    errors: (n: number) => t('accounts.errors', { count: n }),
    tokens: (input: number, output: number) =>
      t('accounts.tokens', { input: formatNumber(input), output: formatNumber(output) }),
    separator: ' · ',
    lastUsed: `${t('accounts.lastUsed')} `,
    enable: t('accounts.enable'),
    disable: t('accounts.disable'),
    enableLabel: (label: string) => t('accounts.enableLabel', { name: label }),
    disableLabel: (label: string) => t('accounts.disableLabel', { name: label }),
    rename: t('accounts.rename'),
    renameLabel: (label: string) => t('accounts.renameLabel', { name: label }),
    refresh: t('accounts.refresh'),
    refreshLabel: (label: string) => t('accounts.refreshLabel', { name: label }),
    checking: t('accounts.checking'),
    retry: t('accounts.retry'),
    retryLabel: (label: string) => t('accounts.retryLabel', { name: label }),
    remove: t('accounts.remove'),
    removeLabel: (label: string) => t('accounts.removeLabel', { name: label }),
    removeQuestion: (label: string) => t('accounts.removeQuestion', { name: label }),
  };
}

export function Accounts() {
  const TEXT = useText();
  const [accounts, setAccounts] = useState<Account[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(() => {
    getAccounts().then(
      (list) => setAccounts(list),
      (err: unknown) => setError(i18n.t('accounts.readFailed', { detail: errorMessage(err) })),
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
      setError(i18n.t('accounts.actionFailed', { detail: errorMessage(err) }));
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
        <h2 id="list-title">{TEXT.title}</h2>
        {accounts === null ? (
          <p className="muted">{TEXT.loading}</p>
        ) : accounts.length === 0 ? (
          <p className="muted">{TEXT.empty}</p>
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
  const TEXT = useText();
  const goText = useGoText();
  const look = lookOf(a);
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(a.label);
  const [checking, setChecking] = useState(false);
  const renameRef = useRef<HTMLButtonElement>(null);
  const titleId = `acct-${a.id}`;
  // Leaving the inline edit (saved or not) puts focus back on the button that opened it.
  const closeRename = () => {
    setRenaming(false);
    renameRef.current?.focus();
  };
  const until = restEnd(a);
  return (
    <li className={`account tone-${look.tone}`} aria-labelledby={titleId}>
      <div className="account-head">
        {renaming ? (
          <form
            className="inline"
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.preventDefault();
                e.stopPropagation();
                closeRename();
              }
            }}
            onSubmit={async (e) => {
              e.preventDefault();
              closeRename();
              await act(() => renameAccount(a.id, name));
            }}
          >
            <label className="sr-only" htmlFor={`${titleId}-name`}>
              {TEXT.newName(a.label)}
            </label>
            <input id={`${titleId}-name`} value={name} autoFocus onChange={(e) => setName(e.target.value)} />
            <button type="submit" className="btn btn-small">
              {TEXT.save}
            </button>
            <button type="button" className="btn btn-small" onClick={closeRename}>
              {TEXT.cancel}
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
      {a.reason && <p className="muted account-reason">{goText(a.reasonText ?? { text: a.reason })}</p>}
      {until && (
        <p className="muted account-reason" data-testid="account-until">
          {TEXT.until}
          <When iso={until} />
        </p>
      )}
      {a.lastError?.message && (
        <p className="error-text account-reason" data-testid="account-last-error">
          {TEXT.lastError(goText({ code: a.lastError.code, args: a.lastError.args, text: a.lastError.message }))}
          {a.lastError.at && (
            <>
              {TEXT.lastErrorAt}
              <When iso={a.lastError.at} />
            </>
          )}
        </p>
      )}
      {a.quota ? <QuotaBar quota={a.quota} /> : <p className="muted">{TEXT.quotaUnknown}</p>}
      <p className="muted account-counters" data-testid="account-counters">
        {[
          TEXT.requests(a.counters.requests),
          TEXT.errors(a.counters.errors),
          TEXT.tokens(a.counters.inputTokens, a.counters.outputTokens),
        ].join(TEXT.separator)}
        {a.counters.lastUsed && (
          <>
            {TEXT.separator}
            {TEXT.lastUsed}
            <When iso={a.counters.lastUsed} />
          </>
        )}
      </p>
      {look.kind === 'login_needed' && <SignInAgain account={a} />}
      <div className="account-actions">
        <button
          type="button"
          className="btn btn-small"
          aria-label={a.disabled ? TEXT.enableLabel(a.label) : TEXT.disableLabel(a.label)}
          onClick={() => act(() => setAccountEnabled(a.id, a.disabled))}
        >
          {a.disabled ? TEXT.enable : TEXT.disable}
        </button>
        <button
          type="button"
          className="btn btn-small"
          ref={renameRef}
          aria-label={TEXT.renameLabel(a.label)}
          onClick={() => {
            setName(a.label);
            setRenaming(true);
          }}
        >
          {TEXT.rename}
        </button>
        <button
          type="button"
          className="btn btn-small"
          aria-label={TEXT.refreshLabel(a.label)}
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
          {checking ? TEXT.checking : TEXT.refresh}
        </button>
        {!a.disabled && RETRYABLE.has(a.state) && (
          <button
            type="button"
            className="btn btn-small"
            aria-label={TEXT.retryLabel(a.label)}
            onClick={() => act(() => retryAccount(a.id))}
          >
            {TEXT.retry}
          </button>
        )}
        <ConfirmButton
          label={TEXT.remove}
          ariaLabel={TEXT.removeLabel(a.label)}
          question={TEXT.removeQuestion(a.label)}
          confirmLabel={TEXT.remove}
          danger
          onConfirm={() => act(() => removeAccount(a.id))}
        />
      </div>
    </li>
  );
}
