import { useEffect, useRef, type RefObject } from 'react';

// A part of the shown view with unsaved edits says so here; the window asks
// before leaving the view. Settings has several (the main form, model
// aliases, network, the release feed): any one with edits asks.

const guards = new Set<() => boolean>();

/** Registers fn (true: there are unsaved edits); returns the unregister. */
export function setLeaveGuard(fn: () => boolean): () => void {
  guards.add(fn);
  return () => {
    guards.delete(fn);
  };
}

/** Whether any part of the shown view has unsaved edits. */
export function hasUnsavedEdits(): boolean {
  for (const g of guards) if (g()) return true;
  return false;
}

/**
 * A component's guard for as long as it is shown: it sets the returned
 * ref's current to whether it has unsaved edits, at each render.
 */
export function useLeaveGuard(): RefObject<boolean> {
  const dirty = useRef(false);
  useEffect(() => setLeaveGuard(() => dirty.current), []);
  return dirty;
}
