import { useEffect, useRef } from 'react';

/**
 * Calls fn now and then every ms while the component is mounted, never
 * overlapping: the next call is scheduled when the previous one settled.
 */
export function usePoll(fn: () => Promise<void>, ms: number): void {
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => {
    let active = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        await latest.current();
      } finally {
        if (active) timer = setTimeout(tick, ms);
      }
    };
    void tick();
    return () => {
      active = false;
      if (timer) clearTimeout(timer);
    };
  }, [ms]);
}
