import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLogger, elapsedMs, uidHash } from './logger.js';

const KEY = 'test-log-key';

function capture(options: { uidKey?: string } = { uidKey: KEY }) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger((line) => lines.push(JSON.parse(line)), {}, options);
  return { lines, logger };
}

describe('createLogger', () => {
  it('writes one JSON object per entry with severity, message and the fields', () => {
    const { lines, logger } = capture();
    logger.info('rating applied', { eventId: 'e-1', uid: 'u-1', latencyMs: 12.5 });
    logger.warn('slow');
    expect(lines).toEqual([
      {
        severity: 'INFO',
        message: 'rating applied',
        eventId: 'e-1',
        latencyMs: 12.5,
        uidHash: uidHash(KEY, 'u-1'),
      },
      { severity: 'WARNING', message: 'slow' },
    ]);
  });

  it('adds bound fields to every entry, the entry’s own fields winning', () => {
    const { lines, logger } = capture();
    const scoped = logger.with({ modelVersion: 'v1', uid: 'a' });
    scoped.debug('x', { uid: 'b' });
    expect(lines).toEqual([
      { severity: 'DEBUG', message: 'x', modelVersion: 'v1', uidHash: uidHash(KEY, 'b') },
    ]);
  });

  it('never writes a uid: it writes its keyed hash, or nothing without a key', () => {
    const keyed = capture();
    keyed.logger.with({ uid: 'firebase-uid-123' }).info('a');
    keyed.logger.error('b', { uid: 'firebase-uid-123', error: new Error('boom') });
    const unkeyed = capture({});
    unkeyed.logger.info('c', { uid: 'firebase-uid-123', eventId: 'e' });
    const written = JSON.stringify([...keyed.lines, ...unkeyed.lines]);
    expect(written).not.toContain('firebase-uid-123');
    expect(keyed.lines.map((line) => line.uidHash)).toEqual([
      uidHash(KEY, 'firebase-uid-123'),
      uidHash(KEY, 'firebase-uid-123'),
    ]);
    expect(unkeyed.lines).toEqual([{ severity: 'INFO', message: 'c', eventId: 'e' }]);
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

describe('uidHash', () => {
  it('is HMAC-SHA256 of the uid under the key, 128 bits in hex', () => {
    expect(uidHash('k', 'u')).toBe(
      createHmac('sha256', 'k').update('u').digest('hex').slice(0, 32),
    );
    expect(uidHash('k', 'u')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('differs by key and by uid, and is stable', () => {
    expect(uidHash('k1', 'u')).not.toBe(uidHash('k2', 'u'));
    expect(uidHash('k', 'u1')).not.toBe(uidHash('k', 'u2'));
    expect(uidHash('k', 'u1')).toBe(uidHash('k', 'u1'));
  });
});

describe('elapsedMs', () => {
  it('rounds to a tenth of a millisecond', () => {
    expect(elapsedMs(100, 112.345)).toBe(12.3);
  });
});
