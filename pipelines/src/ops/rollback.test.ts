import { describe, expect, it } from 'vitest';
import { chooseRollbackVersion } from './rollback.js';

const versions = ['2026-11-20T03-00-00Z-a1', '2026-11-21T03-00-00Z-b2', '2026-11-22T03-00-00Z-c3'];

describe('chooseRollbackVersion', () => {
  it('takes the newest version older than the serving one', () => {
    expect(chooseRollbackVersion(versions, versions[2]!)).toBe(versions[1]);
    // After a rollback to b2, the next one goes further back, not forward to c3.
    expect(chooseRollbackVersion(versions, versions[1]!)).toBe(versions[0]);
  });

  it('refuses when nothing older exists', () => {
    expect(() => chooseRollbackVersion(versions, versions[0]!)).toThrow(
      'is the oldest model version there is',
    );
  });

  it('takes an explicit version only if it exists and is not serving', () => {
    expect(chooseRollbackVersion(versions, versions[0]!, versions[2])).toBe(versions[2]);
    expect(() => chooseRollbackVersion(versions, versions[0]!, 'nope')).toThrow(
      '--to nope: no such model version',
    );
    expect(() => chooseRollbackVersion(versions, versions[0]!, versions[0])).toThrow(
      'is already serving',
    );
  });
});
