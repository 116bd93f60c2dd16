import { describe, expect, it } from 'vitest';
import { coalescingBatcher } from './coalescing-batcher.js';

/** A send whose calls the test answers one at a time. */
function controlledSend() {
  const calls: { items: readonly string[]; settle: (error?: Error) => void }[] = [];
  const send = (items: readonly string[]) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ items, settle: (error) => (error ? reject(error) : resolve()) });
    });
  return { calls, send };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('coalescingBatcher', () => {
  it('sends an item at once when nothing is in flight, with the others of the same tick', async () => {
    const { calls, send } = controlledSend();
    const add = coalescingBatcher(send, 10);
    const outcomes = [add('a'), add('b')];
    await settled();
    expect(calls.map((call) => call.items)).toEqual([['a', 'b']]);
    calls[0]!.settle();
    await expect(Promise.all(outcomes)).resolves.toEqual([undefined, undefined]);
  });

  it('holds items that arrive during a request and sends them together after it', async () => {
    const { calls, send } = controlledSend();
    const add = coalescingBatcher(send, 10);
    const first = add('a');
    await settled();
    const later = [add('b'), add('c'), add('d')];
    await settled();
    expect(calls).toHaveLength(1);
    calls[0]!.settle();
    await first;
    await settled();
    expect(calls.map((call) => call.items)).toEqual([['a'], ['b', 'c', 'd']]);
    calls[1]!.settle();
    await expect(Promise.all(later)).resolves.toHaveLength(3);
  });

  it('never puts more than maxBatch items in one request', async () => {
    const { calls, send } = controlledSend();
    const add = coalescingBatcher(send, 2);
    const outcomes = ['a', 'b', 'c', 'd', 'e'].map((item) => add(item));
    for (let call = 0; call < 3; call++) {
      await settled();
      calls[call]!.settle();
    }
    await Promise.all(outcomes);
    expect(calls.map((call) => call.items)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('sends a failed batch again item by item, so each item gets its own outcome', async () => {
    const sent: string[][] = [];
    const add = coalescingBatcher<string>(async (items) => {
      sent.push([...items]);
      if (items.includes('bad')) throw new Error(`refused: ${items.join(',')}`);
    }, 10);
    const outcomes = await Promise.allSettled([add('a'), add('bad'), add('c')]);
    expect(sent).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((outcomes[1] as PromiseRejectedResult).reason).toEqual(new Error('refused: bad'));
  });

  it('rejects a lone item with the error of its request and goes on with the next', async () => {
    let fail = true;
    const add = coalescingBatcher(async () => {
      if (fail) throw new Error('unavailable');
    }, 10);
    await expect(add('a')).rejects.toThrow('unavailable');
    fail = false;
    await expect(add('b')).resolves.toBeUndefined();
  });

  it('refuses a batch size that is not a positive integer', () => {
    expect(() => coalescingBatcher(async () => {}, 0)).toThrow(
      'maxBatch must be a positive integer, got 0',
    );
  });
});
