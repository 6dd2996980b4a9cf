import { useRef, useState } from 'react';
import { getRequests } from '../bridge';
import { usePoll } from './usePoll';

/**
 * The account that served the latest request: with sticky selection it is
 * the one new requests go to. Reads only the requests logged since the
 * last look.
 */
export function useServingNow(intervalMs = 3000): string | null {
  const [id, setId] = useState<string | null>(null);
  const seq = useRef(0);
  usePoll(async () => {
    try {
      const lines = await getRequests(seq.current);
      const last = lines.at(-1);
      if (!last) return;
      seq.current = last.seq;
      const served = [...lines].reverse().find((l) => l.account);
      if (served?.account) setId(served.account);
    } catch {
      // A figure, not a function: the next look tries again.
    }
  }, intervalMs);
  return id;
}
