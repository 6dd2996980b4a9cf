// A view with unsaved edits says so here; the window asks before leaving
// it. One view at a time can hold the guard (only one view is shown).

let guard: (() => boolean) | null = null;

/** Registers fn (true: there are unsaved edits); returns the unregister. */
export function setLeaveGuard(fn: () => boolean): () => void {
  guard = fn;
  return () => {
    if (guard === fn) guard = null;
  };
}

/** Whether the shown view has unsaved edits. */
export function hasUnsavedEdits(): boolean {
  return guard?.() ?? false;
}
