import { describe, expect, it } from 'vitest';
import { createLogger, elapsedMs } from './logger.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger((line) => lines.push(JSON.parse(line)));
  return { lines, logger };
}

describe('createLogger', () => {
  it('writes one JSON object per entry with severity, message and the fields', () => {
    const { lines, logger } = capture();
    logger.info('rating applied', { eventId: 'e-1', uid: 'u-1', latencyMs: 12.5 });
    logger.warn('slow');
    expect(lines).toEqual([
      { severity: 'INFO', message: 'rating applied', eventId: 'e-1', uid: 'u-1', latencyMs: 12.5 },
      { severity: 'WARNING', message: 'slow' },
    ]);
  });

  it('adds bound fields to every entry, the entry’s own fields winning', () => {
    const { lines, logger } = capture();
    const scoped = logger.with({ modelVersion: 'v1', uid: 'a' });
    scoped.debug('x', { uid: 'b' });
    expect(lines).toEqual([{ severity: 'DEBUG', message: 'x', modelVersion: 'v1', uid: 'b' }]);
  });

  it('records an error’s message and stack, and typed arrays as arrays', () => {
    const { lines, logger } = capture();
    logger.error('failed', { error: new Error('boom'), factors: new Float32Array([0.5, 1]) });
    expect(lines[0]).toMatchObject({
      severity: 'ERROR',
      message: 'failed',
      error: 'boom',
      factors: [0.5, 1],
    });
    expect(lines[0]!.stack_trace).toMatch(/^Error: boom\n\s+at /);
  });
});

describe('elapsedMs', () => {
  it('rounds to a tenth of a millisecond', () => {
    expect(elapsedMs(100, 112.345)).toBe(12.3);
  });
});
