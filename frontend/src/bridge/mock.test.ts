import { describe, expect, it } from 'vitest';
import * as mock from './__mocks__/index';
import * as real from './index';

// The test files' vi.mock('…/bridge') gets __mocks__/index.ts, whose exports
// are listed by hand (an ES module's names are static): a bridge function
// missing there would be undefined in every view that calls it under test.
describe('the bridge mock', () => {
  it('exports every name the bridge exports, calls as mocks and the rest as they are', () => {
    expect(Object.keys(mock).sort()).toEqual(Object.keys(real).sort());
    for (const [name, value] of Object.entries(mock)) {
      if (typeof value === 'function' && name.charAt(0) === name.charAt(0).toLowerCase() && !name.startsWith('normalise') && name !== 'toBridgeError') {
        expect((value as { mock?: unknown }).mock, name).toBeDefined();
      }
    }
  });
});
