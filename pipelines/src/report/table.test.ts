import { describe, expect, it } from 'vitest';
import { fixed, formatTable } from './table.js';

describe('formatTable', () => {
  it('right-aligns numeric columns (with "–" for missing) and left-aligns text', () => {
    const table = formatTable(
      ['system', 'RMSE'],
      [
        ['ours', '0.8377'],
        ['implicit', '–'],
        ['a longer name', '12.5'],
      ],
    );
    expect(table.split('\n')).toEqual([
      'system           RMSE',
      '-------------  ------',
      'ours           0.8377',
      'implicit            –',
      'a longer name    12.5',
    ]);
  });
});

describe('fixed', () => {
  it('shows missing or non-finite values as "–"', () => {
    expect(fixed(0.123456)).toBe('0.1235');
    expect(fixed(undefined)).toBe('–');
    expect(fixed(Number.NaN, 2)).toBe('–');
  });
});
