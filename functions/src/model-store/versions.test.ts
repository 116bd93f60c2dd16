import { describe, expect, it } from 'vitest';
import { rollbackCandidates, versionName } from './versions.js';

describe('versionName', () => {
  it('starts with the UTC millisecond and sorts by time, also within one second', () => {
    const early = versionName(new Date('2026-11-23T13:45:00.123Z'), ['a']);
    const sameSecond = versionName(new Date('2026-11-23T13:45:00.124Z'), ['0']);
    const late = versionName(new Date('2026-11-23T13:45:01Z'), ['a']);
    expect(early).toMatch(/^2026-11-23T13-45-00\.123Z-[0-9a-f]{8}$/);
    expect(early < sameSecond && sameSecond < late).toBe(true);
    expect(versionName(new Date('2026-11-23T13:45:00.123Z'), ['b'])).not.toBe(early);
  });
});

describe('rollbackCandidates', () => {
  const versions = ['v1', 'v2', 'v3', 'v4'];
  it('offers the older versions, newest first', () => {
    expect(rollbackCandidates(versions, 'v3')).toEqual(['v2', 'v1']);
  });
  it('takes an explicit target that exists and is not current', () => {
    expect(rollbackCandidates(versions, 'v3', 'v4')).toEqual(['v4']);
    expect(() => rollbackCandidates(versions, 'v3', 'v9')).toThrow(/v9 has no files/);
    expect(() => rollbackCandidates(versions, 'v3', 'v3')).toThrow(/already the current/);
  });
  it('says why there is nothing to roll back to', () => {
    expect(() => rollbackCandidates(versions, 'v1')).toThrow(/no version older than v1/);
    expect(() => rollbackCandidates([], undefined)).toThrow(/no model is published yet/);
  });
});
