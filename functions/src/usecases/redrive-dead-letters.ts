/**
 * The repair step of the ingest: a rating message whose deliveries Pub/Sub gave up on (a store
 * down for longer than the subscription's retries) sits on the dead-letter topic; the ingest
 * may have done half of it (Firestore, not BigQuery). Published again to `ratings`, it is
 * ingested again, and both steps being idempotent, the stores end in the one state they would
 * have reached had nothing failed. Messages the ingest refused itself (`deadLetterReason`) can
 * never succeed: they stay where they are, for a person to read.
 */

/** A message held on the dead-letter topic. */
export interface HeldLetter {
  /** The dead letter's own message id. */
  id: string;
  data: Uint8Array;
  attributes: Record<string, string>;
  /** Done with it: it leaves the dead-letter subscription. */
  ack(): void;
  /** Not for us: it goes back to the dead-letter subscription, to stay there. */
  keep(): void;
}

export interface RedrivePorts {
  /** Dead letters held now (at most `max`), or none when the subscription is empty. */
  pull(max: number): Promise<HeldLetter[]>;
  /** Publishes to `ratings` with this ordering key (the user), as the HTTP function does. */
  publish(data: Uint8Array, attributes: Record<string, string>, orderingKey: string): Promise<void>;
}

export interface RedriveReport {
  /** Given up on by Pub/Sub, published again. */
  redriven: number;
  /** Refused by the ingest (with a reason), left held. */
  kept: number;
}

/** Attributes Pub/Sub adds when it dead-letters a message; not part of the message. */
const PUBSUB_DEAD_LETTER_PREFIX = 'CloudPubSubDeadLetter';

/** Whose message it is: the ordering key it had (the event's userId), if it names one. */
function userOf(data: Uint8Array): string | undefined {
  try {
    const userId = (JSON.parse(new TextDecoder().decode(data)) as { userId?: unknown }).userId;
    return typeof userId === 'string' && userId !== '' ? userId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Publishes every message Pub/Sub gave up on back to `ratings`, until none is left. The ones
 * kept are held until the end (so later pulls reach the others), then handed back.
 */
export async function redriveDeadLetters(
  ports: RedrivePorts,
  options: { batch?: number } = {},
): Promise<RedriveReport> {
  const report: RedriveReport = { redriven: 0, kept: 0 };
  const kept = new Map<string, HeldLetter>();
  try {
    await redriveUntilEmpty(ports, options.batch ?? 100, report, kept);
  } finally {
    for (const letter of kept.values()) letter.keep();
  }
  report.kept = kept.size;
  return report;
}

async function redriveUntilEmpty(
  ports: RedrivePorts,
  batch: number,
  report: RedriveReport,
  kept: Map<string, HeldLetter>,
): Promise<void> {
  for (;;) {
    const letters = await ports.pull(batch);
    let fresh = 0;
    for (const letter of letters) {
      const user = letter.attributes.deadLetterReason === undefined && userOf(letter.data);
      if (!user) {
        if (!kept.has(letter.id)) fresh += 1;
        kept.set(letter.id, letter);
        continue;
      }
      const attributes = Object.fromEntries(
        Object.entries(letter.attributes).filter(
          ([name]) => !name.startsWith(PUBSUB_DEAD_LETTER_PREFIX),
        ),
      );
      await ports.publish(letter.data, attributes, user);
      letter.ack();
      report.redriven += 1;
      fresh += 1;
    }
    if (fresh === 0) return;
  }
}
