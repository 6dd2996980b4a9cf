import { useCallback, useEffect, useState } from 'react';
import { getAccounts, onAccounts, type Account } from '../bridge';
import { errorMessage } from '../lib/errors';

/** The accounts, kept current by the "accounts" event. */
export function useAccounts(): { accounts: Account[] | null; error: string | null; reload: () => void } {
  const [accounts, setAccounts] = useState<Account[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    getAccounts().then(
      (list) => {
        setAccounts(list);
        setError(null);
      },
      (err: unknown) => setError(errorMessage(err)),
    );
  }, []);
  useEffect(() => {
    const off = onAccounts((list) => setAccounts(list));
    reload();
    return off;
  }, [reload]);
  return { accounts, error, reload };
}
