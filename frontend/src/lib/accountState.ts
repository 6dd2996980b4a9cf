import type { Account } from '../bridge';
import type { IconName } from '../components/StatusIcon';
import { i18n } from '../i18n';

/**
 * How an account's state reads: words, an icon and a tone, never colour
 * alone. A state the person chose (disabled) is neutral; one that stops the
 * account is bad; one that passes by itself is warn.
 */
export type Tone = 'ok' | 'neutral' | 'warn' | 'bad';
export type Kind = 'ready' | 'disabled' | 'login_needed' | 'suspended' | 'cooling' | 'exhausted' | 'other';

export interface StateLook {
  kind: Kind;
  words: string;
  icon: IconName;
  tone: Tone;
}

const LOOKS: Record<Kind, Omit<StateLook, 'kind' | 'words'>> = {
  ready: { icon: 'ok', tone: 'ok' },
  disabled: { icon: 'paused', tone: 'neutral' },
  login_needed: { icon: 'failed', tone: 'bad' },
  suspended: { icon: 'failed', tone: 'bad' },
  cooling: { icon: 'waiting', tone: 'warn' },
  exhausted: { icon: 'warning', tone: 'warn' },
  other: { icon: 'unknown', tone: 'warn' },
};

/** The state in words, in the window's language at the time of the call (a render). */
function look(kind: Kind): StateLook {
  return { kind, words: i18n.t(`states.${kind}`), ...LOOKS[kind] };
}

export function kindOf(a: Account): Kind {
  if (a.disabled) return 'disabled';
  return a.state in LOOKS && a.state !== 'other' ? (a.state as Kind) : 'other';
}

export function lookOf(a: Account): StateLook {
  return look(kindOf(a));
}

/** The summary line of one state, plural-aware: "1 needs sign-in", "2 need sign-in". */
export function countText(kind: Kind, n: number): string {
  return i18n.t(`stateCounts.${kind}`, { count: n });
}

/** Failures first, then what passes by itself, then the person's choices, then ready. */
export const KIND_ORDER: Kind[] = ['login_needed', 'suspended', 'exhausted', 'cooling', 'other', 'disabled', 'ready'];

export function countByKind(accounts: Account[]): Array<{ kind: Kind; n: number; look: StateLook }> {
  const n = new Map<Kind, number>();
  for (const a of accounts) n.set(kindOf(a), (n.get(kindOf(a)) ?? 0) + 1);
  return KIND_ORDER.filter((k) => n.has(k)).map((k) => ({ kind: k, n: n.get(k)!, look: look(k) }));
}

/** When a resting account can serve again; null when unknown or already past. */
export function restEnd(a: Account, now: number = Date.now()): string | null {
  return a.until && Date.parse(a.until) > now ? a.until : null;
}
