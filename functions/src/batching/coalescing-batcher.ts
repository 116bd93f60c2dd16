/**
 * Sends items one batch at a time: an item added while no batch is in flight goes at once (with
 * whatever else arrived in the same tick); items added while one is in flight wait for it and
 * then go together, at most `maxBatch` to a request. Under load the requests of an instance
 * share one call (the ingest serves 20 at once, and each BigQuery append costs about the same
 * whatever its size); alone, an item pays nothing but a microtask.
 *
 * Each item's promise settles with its own outcome. A batch that fails is sent again one item
 * at a time, each after the last, so one item the service refuses never fails the others
 * beside it.
 */
export function coalescingBatcher<T>(
  send: (items: readonly T[]) => Promise<void>,
  maxBatch: number,
): (item: T) => Promise<void> {
  if (!Number.isInteger(maxBatch) || maxBatch < 1) {
    throw new RangeError(`maxBatch must be a positive integer, got ${maxBatch}`);
  }
  interface Waiting {
    item: T;
    resolve: () => void;
    reject: (error: unknown) => void;
  }
  const queue: Waiting[] = [];
  let sending = false;

  async function sendBatch(batch: Waiting[]): Promise<void> {
    try {
      await send(batch.map((waiting) => waiting.item));
      for (const waiting of batch) waiting.resolve();
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      // One after another: a stream error fails every append pending on the stream, and an
      // item the service refuses must not take the good ones beside it down again.
      for (const waiting of batch) await sendBatch([waiting]);
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) await sendBatch(queue.splice(0, maxBatch));
    sending = false;
  }

  return (item) =>
    new Promise<void>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (sending) return;
      sending = true;
      // After the current tick, so items added in the same tick share the first request too.
      queueMicrotask(() => void drain());
    });
}
