import { describe, expect, it } from 'vitest';
import { pushedMessageOf } from './pushed-message.js';

describe('pushedMessageOf', () => {
  it('decodes the data and keeps string attributes and the message id', () => {
    const result = pushedMessageOf({
      message: {
        data: Buffer.from('{"a":1}').toString('base64'),
        attributes: { eventId: 'e-1', bad: 3 },
        messageId: '42',
      },
      subscription: 'projects/p/subscriptions/s',
    });
    expect(result.ok && new TextDecoder().decode(result.message.data)).toBe('{"a":1}');
    expect(result.ok && result.message.attributes).toEqual({ eventId: 'e-1' });
    expect(result.ok && result.message.messageId).toBe('42');
  });

  it.each([
    [undefined, 'CloudEvent data has no Pub/Sub message'],
    [{ message: 'x' }, 'CloudEvent data has no Pub/Sub message'],
    [{ message: {} }, 'Pub/Sub message has no data'],
    [{ message: { data: 'not base64!' } }, 'Pub/Sub message data is not base64'],
  ])('refuses %j: %s', (data, reason) => {
    expect(pushedMessageOf(data)).toEqual({ ok: false, reason });
  });
});
