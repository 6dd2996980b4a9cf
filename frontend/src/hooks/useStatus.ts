import { useCallback, useEffect, useRef, useState } from 'react';
import { getStatus, onStatus, type Status } from '../bridge';
import { errorMessage } from '../lib/errors';

export interface StatusState {
  status: Status | null;
  /** Why the first Status() call failed, while no status is known yet. */
  loadError: string | null;
  retry: () => void;
  /**
   * Runs a call that returns a fresh Status (such as setProxyEnabled) and shows
   * its result, unless a "status" event arrived meanwhile: the Go side emits
   * one on every change, so the latest event is never older than the reply.
   */
  apply: (call: () => Promise<Status>) => Promise<void>;
}

// Status carries no sequence number yet, so ordering is decided here: subscribe
// first, then load the snapshot, and let any event that arrives before the
// snapshot (or before a call's reply) win over it.
export function useStatus(): StatusState {
  const [status, setStatus] = useState<Status | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const eventCount = useRef(0);

  useEffect(() => {
    let active = true;
    const off = onStatus((next) => {
      eventCount.current += 1;
      if (!active) return;
      setStatus(next);
      setLoadError(null);
    });
    const seen = eventCount.current;
    getStatus().then(
      (snapshot) => {
        if (active && eventCount.current === seen) {
          setStatus(snapshot);
          setLoadError(null);
        }
      },
      (err: unknown) => {
        if (active && eventCount.current === seen) setLoadError(errorMessage(err));
      },
    );
    return () => {
      active = false;
      off();
    };
  }, [attempt]);

  const retry = useCallback(() => {
    setLoadError(null);
    setAttempt((n) => n + 1);
  }, []);

  const apply = useCallback(async (run: () => Promise<Status>) => {
    const seen = eventCount.current;
    const next = await run();
    if (eventCount.current === seen) setStatus(next);
  }, []);

  return { status, loadError, retry, apply };
}
