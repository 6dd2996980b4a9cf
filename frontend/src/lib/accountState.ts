import type { Account } from '../bridge';
import { formatNumber } from './format';

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
  icon: string;
  tone: Tone;
}

const LOOKS: Record<Kind, Omit<StateLook, 'kind'>> = {
  ready: { words: 'Ready', icon: '✓', tone: 'ok' },
  disabled: { words: 'Disabled', icon: '⏸', tone: 'neutral' },
  login_needed: { words: 'Needs sign-in', icon: '✕', tone: 'bad' },
  suspended: { words: 'Suspended by Kiro', icon: '✕', tone: 'bad' },
  cooling: { words: 'Resting', icon: '⏳', tone: 'warn' },
  exhausted: { words: 'Out of credits', icon: '⚠', tone: 'warn' },
  other: { words: 'Unknown state', icon: '?', tone: 'warn' },
};

export function kindOf(a: Account): Kind {
  if (a.disabled) return 'disabled';
  return a.state in LOOKS && a.state !== 'other' ? (a.state as Kind) : 'other';
}

export function lookOf(a: Account): StateLook {
  const kind = kindOf(a);
  return { kind, ...LOOKS[kind] };
}

/** The summary line of one state, plural-aware: "1 needs sign-in", "2 need sign-in". */
const COUNTS: Record<Kind, { one: string; other: string }> = {
  ready: { one: '1 ready', other: '{n} ready' },
  disabled: { one: '1 disabled', other: '{n} disabled' },
  login_needed: { one: '1 needs sign-in', other: '{n} need sign-in' },
  suspended: { one: '1 suspended by Kiro', other: '{n} suspended by Kiro' },
  cooling: { one: '1 resting', other: '{n} resting' },
  exhausted: { one: '1 out of credits', other: '{n} out of credits' },
  other: { one: '1 in an unknown state', other: '{n} in an unknown state' },
};

export function countText(kind: Kind, n: number): string {
  return n === 1 ? COUNTS[kind].one : COUNTS[kind].other.replace('{n}', formatNumber(n));
}

/** Failures first, then what passes by itself, then the person's choices, then ready. */
export const KIND_ORDER: Kind[] = ['login_needed', 'suspended', 'exhausted', 'cooling', 'other', 'disabled', 'ready'];

export function countByKind(accounts: Account[]): Array<{ kind: Kind; n: number; look: StateLook }> {
  const n = new Map<Kind, number>();
  for (const a of accounts) n.set(kindOf(a), (n.get(kindOf(a)) ?? 0) + 1);
  return KIND_ORDER.filter((k) => n.has(k)).map((k) => ({ kind: k, n: n.get(k)!, look: { kind: k, ...LOOKS[k] } }));
}

/** When a resting account can serve again; null when unknown or already past. */
export function restEnd(a: Account, now: number = Date.now()): string | null {
  return a.until && Date.parse(a.until) > now ? a.until : null;
}
