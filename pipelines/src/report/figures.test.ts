import { describe, expect, it } from 'vitest';
import { figureBlock, parseFigureStore, splitJsonOutput, summaryBlock } from './figures.js';

describe('splitJsonOutput', () => {
  it('takes the JSON object off the last line and keeps the rest verbatim', () => {
    const { text, json } = splitJsonOutput('title\n\na  1\nb  2\n{"rmse":0.84}\n', 'npm run eval');
    expect(text).toBe('title\n\na  1\nb  2');
    expect(json).toEqual({ rmse: 0.84 });
    expect(figureBlock('npm run eval -- --protocol R', text)).toBe(
      '```text\n$ npm run eval -- --protocol R\ntitle\n\na  1\nb  2\n```',
    );
  });

  it('names the command when the last line is not a JSON object', () => {
    expect(() => splitJsonOutput('table\nrmse 0.84\n', 'npm run eval')).toThrow(
      /npm run eval --json: the last line of its output is not JSON \(starts "rmse 0.84"\)/,
    );
    expect(() => splitJsonOutput('[1]\n', 'npm run bench')).toThrow(/not a JSON object/);
  });
});

describe('parseFigureStore', () => {
  it('reads a store, treats a missing file as empty and rejects a broken record', () => {
    expect(parseFigureStore(undefined, 'docs/figures.json')).toEqual({});
    const record = { command: 'npm run eval', measuredAt: '2026-11-23T10:00:00Z', json: {} };
    expect(parseFigureStore(JSON.stringify({ r: record }), 'f.json')).toEqual({ r: record });
    expect(() => parseFigureStore('{"r":{"command":"x"}}', 'f.json')).toThrow(
      'f.json: block "r" needs command, measuredAt and json',
    );
    expect(() => parseFigureStore('{', 'f.json')).toThrow(/f.json is not valid JSON/);
  });
});

describe('summaryBlock', () => {
  it('builds the target table from the stored JSON and says when the runs were made', () => {
    const block = summaryBlock({
      'protocol-r': {
        command: 'npm run eval -- --protocol R',
        measuredAt: '2026-11-22T09:00:00Z',
        json: { rmse: 0.84, rmseWithoutTime: 0.87, machine: { loadAverage: 3.5, cores: 2 } },
      },
      'protocol-s-small': {
        command: 'npm run bench --',
        measuredAt: '2026-11-23T09:00:00Z',
        json: { trainSeconds: 1.5, peakRssMiB: 300 },
      },
    });
    const lines = block.split('\n');
    expect(lines[2]).toBe(
      "| R: RMSE ≤ 0.850 (no test-time information) | 0.8700; with the test rating's time, not allowed: 0.8400 | no: RMSE over by 0.0200 |",
    );
    expect(lines).toContain('| S: ml-latest-small retrain ≤ 2 s | 1.5 s, peak RSS 300 MiB | yes |');
    expect(lines).toContain('| S: ml1m retrain ≤ 20 s | – | not measured |');
    expect(lines).toContain(
      'Load average (1 min, 2 cores) at the start of each run: protocol-r 3.5. Timings are wall clock on a shared machine; other work on it slows them, ratios within one run less so.',
    );
    expect(lines[lines.length - 1]).toMatch(/\(runs of 2026-11-22 to 2026-11-23, kept in/);
  });
});
