import { useCallback, useEffect, useState } from 'react';
import { getAPIKey } from '../bridge';
import { errorMessage } from '../lib/errors';

export interface APIKeyState {
  key: string | null;
  error: string | null;
  retry: () => void;
  /** Shows a key the Go side just issued (after a regeneration). */
  replace: (key: string) => void;
}

/**
 * Loads the local API key from the Go side (which reads the keychain). The key
 * is kept in component memory only; it is never part of an event payload.
 */
export function useAPIKey(): APIKeyState {
  const [state, setState] = useState<{ key: string | null; error: string | null }>({
    key: null,
    error: null,
  });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let active = true;
    getAPIKey().then(
      (key) => {
        if (active) setState({ key, error: null });
      },
      (err: unknown) => {
        if (active) setState({ key: null, error: errorMessage(err) });
      },
    );
    return () => {
      active = false;
    };
  }, [attempt]);

  const retry = useCallback(() => {
    setState({ key: null, error: null });
    setAttempt((n) => n + 1);
  }, []);

  const replace = useCallback((key: string) => setState({ key, error: null }), []);

  return { ...state, retry, replace };
}
