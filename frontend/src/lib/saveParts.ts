import { createContext, useContext, useEffect, useMemo, useRef, useState } from 'react';

/**
 * Settings has one save model: one bar that stays in view saves and
 * reverts every card's edits (the main form's fields, the model aliases,
 * the network settings, the release feed). A card outside the main form
 * registers its edits here as a part; it keeps showing its own problems
 * and outcome in place.
 */
export interface SavePart {
  dirty: boolean;
  /** Saves the part's edits; false when they were refused (the card says why). */
  save: () => Promise<boolean>;
  revert: () => void;
}

interface Scope {
  parts: Map<string, SavePart>;
  setDirty: (id: string, dirty: boolean) => void;
  remove: (id: string) => void;
}

export const SavePartsContext = createContext<Scope | null>(null);

function toggled(s: ReadonlySet<string>, id: string, on: boolean): ReadonlySet<string> {
  const next = new Set(s);
  if (on) next.add(id);
  else next.delete(id);
  return next;
}

/** The page's side: the scope to provide, whether any part has edits, and the bar's two actions. */
export function useSaveScope() {
  const parts = useRef(new Map<string, SavePart>());
  const [dirtyIds, setDirtyIds] = useState<ReadonlySet<string>>(new Set());
  const scope = useMemo<Scope>(
    () => ({
      parts: parts.current,
      setDirty: (id, dirty) => setDirtyIds((s) => (s.has(id) === dirty ? s : toggled(s, id, dirty))),
      remove: (id) => {
        parts.current.delete(id);
        setDirtyIds((s) => (s.has(id) ? toggled(s, id, false) : s));
      },
    }),
    [],
  );
  /** Saves every part with edits, in the page's order; true when all were saved. */
  const saveAll = async () => {
    let ok = true;
    for (const p of [...parts.current.values()]) if (p.dirty) ok = (await p.save()) && ok;
    return ok;
  };
  const revertAll = () => {
    for (const p of parts.current.values()) if (p.dirty) p.revert();
  };
  return { scope, anyDirty: dirtyIds.size > 0, saveAll, revertAll };
}

/** A card's side: its edits, saved and reverted from the page's bar. */
export function useSavePart(id: string, part: SavePart): void {
  const scope = useContext(SavePartsContext);
  // The latest closures after each render, so the bar saves what is on screen now.
  useEffect(() => {
    scope?.parts.set(id, part);
  });
  useEffect(() => scope?.setDirty(id, part.dirty), [scope, id, part.dirty]);
  useEffect(() => () => scope?.remove(id), [scope, id]);
}
