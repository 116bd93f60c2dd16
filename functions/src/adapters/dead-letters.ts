import type { Message, PubSub, Topic } from '@google-cloud/pubsub';
import type { HeldLetter, RedrivePorts } from '../usecases/redrive-dead-letters.js';

export interface DeadLetterRedrive extends RedrivePorts {
  close(): Promise<void>;
}

/**
 * The redrive's ports over Pub/Sub: dead letters from `subscription` (a pull subscription on
 * the dead-letter topic), published again to `ratings` (an ordered topic). A pull waits up to
 * `idleMs` for the first message and returns what has arrived by then.
 */
export function createDeadLetterRedrive(
  pubsub: PubSub,
  options: { subscription: string; ratings: Topic; idleMs?: number },
): DeadLetterRedrive {
  const idleMs = options.idleMs ?? 2_000;
  const arrived: Message[] = [];
  let wake: (() => void) | undefined;
  // Kept messages stay leased until the end of the run, so the flow control must not stop at them.
  const subscription = pubsub.subscription(options.subscription, {
    flowControl: { maxMessages: 100_000, allowExcessMessages: true },
  });
  subscription.on('message', (message: Message) => {
    arrived.push(message);
    wake?.();
  });
  let failure: Error | undefined;
  subscription.on('error', (error: Error) => {
    failure = error;
    wake?.();
  });
  const letterOf = (message: Message): HeldLetter => ({
    id: message.id,
    data: new Uint8Array(message.data),
    attributes: { ...message.attributes },
    ack: () => message.ack(),
    keep: () => message.nack(),
  });
  return {
    async pull(max) {
      if (arrived.length === 0 && !failure) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, idleMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
      if (failure) throw failure;
      return arrived.splice(0, max).map(letterOf);
    },
    async publish(data, attributes, orderingKey) {
      try {
        await options.ratings.publishMessage({ data: Buffer.from(data), attributes, orderingKey });
      } catch (error) {
        options.ratings.resumePublishing(orderingKey);
        throw error;
      }
    },
    close: () => subscription.close(),
  };
}
