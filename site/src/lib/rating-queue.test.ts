import { describe, expect, it } from 'vitest';
import type { RatingRequest, SendOutcome } from './api.js';
import { type QueueDeps, RatingQueue, type RatingStatus } from './rating-queue.js';

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

/** A clock, timers and a server whose answers the test scripts, one per request. */
function harness(answers: SendOutcome[], storage = new MemoryStorage()) {
  let now = Date.parse('2026-11-23T10:00:00.000Z');
  let ids = 0;
  const timers: { at: number; callback: () => void; handle: number }[] = [];
  const sent: { request: RatingRequest; freshToken: boolean; at: number }[] = [];
  const statuses: [number, RatingStatus][] = [];
  const deps: QueueDeps = {
    storage,
    send: async (request, freshToken) => {
      sent.push({ request, freshToken, at: now });
      const answer = answers.shift();
      if (!answer) throw new Error('the test gave no answer for this request');
      return answer;
    },
    now: () => now,
    newEventId: () => `event-${++ids}`,
    random: () => 1, // no jitter: delays are exactly the backoff
    setTimer: (callback, ms) => {
      const handle = timers.length + 1;
      timers.push({ at: now + ms, callback, handle });
      return handle;
    },
    clearTimer: (handle) => {
      const index = timers.findIndex((timer) => timer.handle === handle);
      if (index >= 0) timers.splice(index, 1);
    },
  };
  const queue = new RatingQueue(deps, { settleMs: 400, baseDelayMs: 1000, maxDelayMs: 8000 });
  queue.subscribe((movieId, status) => statuses.push([movieId, status]));
  const advance = async (ms: number) => {
    const end = now + ms;
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const next = timers[0];
      if (!next || next.at > end) break;
      timers.shift();
      now = next.at;
      next.callback();
      // Let the send promise and its continuation settle.
      for (let i = 0; i < 10; i++) await Promise.resolve();
    }
    now = end;
  };
  return { queue, sent, statuses, advance, storage };
}

describe('RatingQueue', () => {
  it('coalesces a burst into one event sent after the settle time', async () => {
    const h = harness([{ kind: 'accepted' }]);
    h.queue.rate(2571, 3);
    h.queue.rate(2571, 3.5);
    h.queue.rate(2571, 4);
    await h.advance(399);
    expect(h.sent).toHaveLength(0);
    await h.advance(1);
    expect(h.sent.map((s) => s.request)).toEqual([
      { eventId: 'event-3', movieId: 2571, rating: 4, ratedAt: '2026-11-23T10:00:00.000Z' },
    ]);
    expect(h.statuses.at(-1)).toEqual([2571, { state: 'saved' }]);
    expect(h.queue.pending().size).toBe(0);
    expect(JSON.parse(h.storage.getItem('reel.pendingRatings.v1')!)).toEqual([]);
  });

  it('retries with exponential backoff under the same event id', async () => {
    const h = harness([
      { kind: 'retry', message: 'Reel is unreachable (Failed to fetch)' },
      { kind: 'retry', message: 'Reel had a problem (503)' },
      { kind: 'retry', message: 'Too many ratings at once', retryAfterMs: 5000 },
      { kind: 'accepted' },
    ]);
    h.queue.rate(1, 5);
    await h.advance(400 + 1000 + 2000 + 5000);
    expect(h.sent.map((s) => s.request.eventId)).toEqual([
      'event-1',
      'event-1',
      'event-1',
      'event-1',
    ]);
    const start = Date.parse('2026-11-23T10:00:00.000Z');
    expect(h.sent.map((s) => s.at - start)).toEqual([400, 1400, 3400, 8400]);
    expect(h.statuses).toContainEqual([
      1,
      { state: 'retrying', message: 'Reel is unreachable (Failed to fetch)', inMs: 1000 },
    ]);
    expect(h.statuses.at(-1)).toEqual([1, { state: 'saved' }]);
  });

  it('drops a refused rating and reports the server message', async () => {
    const h = harness([{ kind: 'rejected', status: 400, message: 'movieId: must be positive' }]);
    h.queue.rate(7, 2);
    await h.advance(400);
    expect(h.queue.pending().size).toBe(0);
    expect(h.statuses.at(-1)).toEqual([
      7,
      { state: 'rejected', message: 'movieId: must be positive' },
    ]);
    expect(h.sent).toHaveLength(1);
  });

  it('refreshes the token once after a 401', async () => {
    const h = harness([{ kind: 'unauthorized', message: 'expired' }, { kind: 'accepted' }]);
    h.queue.rate(7, null);
    await h.advance(400);
    expect(h.sent.map((s) => [s.request.eventId, s.freshToken])).toEqual([
      ['event-1', false],
      ['event-1', true],
    ]);
    expect(h.sent[0].request.rating).toBeNull();
  });

  it('keeps unsent ratings across a reload and resends them with their event ids', async () => {
    const first = harness([{ kind: 'retry', message: 'offline' }]);
    first.queue.rate(318, 4.5);
    first.queue.rate(296, 3);
    await first.advance(400);
    expect(first.queue.pending().size).toBe(2);
    // A new page (new queue) on the same storage.
    const second = harness([{ kind: 'accepted' }, { kind: 'accepted' }], first.storage);
    second.queue.restore();
    expect([...second.queue.pending().keys()].sort()).toEqual([296, 318]);
    await second.advance(0);
    expect(second.sent.map((s) => s.request.eventId).sort()).toEqual(['event-1', 'event-2']);
    expect(second.queue.pending().size).toBe(0);
  });

  it('does not let an older in-flight answer clear a newer rating', async () => {
    let release: (outcome: SendOutcome) => void = () => {};
    const deferred = new Promise<SendOutcome>((resolve) => {
      release = resolve;
    });
    const calls: RatingRequest[] = [];
    // Swap in a server that holds the first answer until the test releases it.
    const queue = new RatingQueue(
      {
        storage: null,
        send: (request) => {
          calls.push(request);
          return calls.length === 1 ? deferred : Promise.resolve({ kind: 'accepted' } as const);
        },
        now: () => 0,
        newEventId: () => `e${calls.length}-${Math.random()}`,
        random: () => 1,
        setTimer: (callback) => {
          queueMicrotask(callback);
          return 1;
        },
        clearTimer: () => {},
      },
      { settleMs: 0 },
    );
    queue.rate(5, 2);
    await Promise.resolve();
    queue.rate(5, 4);
    release({ kind: 'accepted' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(calls.map((c) => c.rating)).toEqual([2, 4]);
    expect(queue.pending().size).toBe(0);
  });
});
