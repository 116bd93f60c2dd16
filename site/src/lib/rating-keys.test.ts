import { describe, expect, it } from 'vitest';
import { ratingAtFraction, ratingForKey } from './rating-keys.js';

describe('ratingForKey', () => {
  it.each([
    ['ArrowRight', 0, { kind: 'set', value: 0.5 }],
    ['ArrowUp', 3, { kind: 'set', value: 3.5 }],
    ['ArrowRight', 5, { kind: 'set', value: 5 }],
    ['ArrowLeft', 3, { kind: 'set', value: 2.5 }],
    ['ArrowDown', 0.5, { kind: 'set', value: 0.5 }],
    ['ArrowLeft', 0, { kind: 'none' }],
    ['PageUp', 4.5, { kind: 'set', value: 5 }],
    ['PageDown', 1, { kind: 'set', value: 0.5 }],
    ['Home', 4, { kind: 'set', value: 0.5 }],
    ['End', 0, { kind: 'set', value: 5 }],
    ['Delete', 3, { kind: 'withdraw' }],
    ['Backspace', 0, { kind: 'none' }],
    ['a', 3, { kind: 'none' }],
  ])('%s from %d', (key, current, intent) => {
    expect(ratingForKey(key, current)).toEqual(intent);
  });
});

describe('ratingAtFraction', () => {
  it('maps pointer positions to half stars', () => {
    expect(ratingAtFraction(0)).toBe(0.5);
    expect(ratingAtFraction(0.05)).toBe(0.5);
    expect(ratingAtFraction(0.11)).toBe(1);
    expect(ratingAtFraction(0.5)).toBe(2.5);
    expect(ratingAtFraction(0.51)).toBe(3);
    expect(ratingAtFraction(1.2)).toBe(5);
  });
});
