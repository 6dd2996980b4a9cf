import type { ReactNode } from 'react';
import { SavePartsContext, useSaveScope } from '../lib/saveParts';

/**
 * A card of Settings on its own, with the page's bar reduced to what a
 * card sees of it: Save and Revert over the parts (Settings' own bar is
 * tested in Settings.test and the e2e suite).
 */
export function WithSaveBar({ children }: { children: ReactNode }) {
  const { scope, anyDirty, saveAll, revertAll } = useSaveScope();
  return (
    <SavePartsContext.Provider value={scope}>
      {children}
      <button type="button" disabled={!anyDirty} onClick={() => void saveAll()}>
        Save
      </button>
      <button type="button" disabled={!anyDirty} onClick={revertAll}>
        Revert
      </button>
    </SavePartsContext.Provider>
  );
}
