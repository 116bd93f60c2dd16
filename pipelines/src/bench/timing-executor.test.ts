import { describe, expect, it } from 'vitest';
import { iterationSeconds, kernelSeconds } from './timing-executor.js';

describe('iterationSeconds', () => {
  it('splits runs into item+user pairs, counting the work between them', () => {
    const runs = [
      { kernel: 'gram', start: 0, end: 100 },
      { kernel: 'rows', start: 100, end: 1100 },
      { kernel: 'gram', start: 1100, end: 1200 },
      { kernel: 'rows', start: 1200, end: 2000 },
      { kernel: 'rows', start: 2500, end: 3000 },
      { kernel: 'rows', start: 3000, end: 4000 },
    ];
    expect(iterationSeconds(runs, 'rows', 0)).toEqual([2, 2]);
    expect(kernelSeconds(runs)).toEqual({ gram: 0.2, rows: 3.3 });
  });
});
