/** Rows in `rating_events` for integration tests, appended the way the ingest appends them. */

import type { Clients } from '@reel/functions/adapters';
import { createEventAppender, type DatasetRef } from '@reel/functions/adapters';
import type { RatingEvent } from '@reel/functions/contracts/rating-event';
import { createLogger } from '@reel/functions/logging';

export async function appendEvents(
  clients: Pick<Clients, 'bigqueryWrite'>,
  ref: DatasetRef,
  events: readonly RatingEvent[],
  ingestedAt?: Date,
): Promise<void> {
  const appender = createEventAppender(
    clients.bigqueryWrite,
    ref,
    createLogger(() => {}),
  );
  try {
    await appender.append(events, ingestedAt);
  } finally {
    await appender.close();
  }
}
