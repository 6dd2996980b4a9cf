// Names of the events the Go side (package app) emits with runtime.EventsEmit.
// This is the only place in the frontend that spells them; keep it in step with
// the Go file that declares the same names.
export const Events = {
  /** Payload: Status. Emitted whenever anything in Status changes. */
  Status: 'status',
  /** Payload: Account[]. Emitted after an account was added, changed or removed. */
  Accounts: 'accounts',
  /** Payload: LoginEvent. Emitted when a sign-in flow ends. */
  Login: 'login',
} as const;

export type EventName = (typeof Events)[keyof typeof Events];
