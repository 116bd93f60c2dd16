import type { managedwriter } from '@google-cloud/bigquery-storage';
import type { Topic } from '@google-cloud/pubsub';
import type { Firestore } from 'firebase-admin/firestore';
import { coalescingBatcher } from '../batching/coalescing-batcher.js';
import type { RatingEvent } from '../contracts/rating-event.js';
import type { Logger } from '../logging/logger.js';
import type { IngestPorts } from '../usecases/ingest-rating.js';
import type { DatasetRef } from './bigquery.js';
import { createEventAppender } from './bigquery-write.js';
import { applyRatingEvent } from './firestore.js';
import type { ModelSource } from './models.js';
import { publishDeadLetter } from './pubsub.js';

export interface IngestClients {
  firestore: Firestore;
  bigqueryWrite: managedwriter.WriterClient;
  dataset: DatasetRef;
  models: ModelSource;
  deadLetterTopic: Topic;
  log: Logger;
}

/**
 * Most rows in one append: an AppendRows request may carry 10 MB, and an instance takes 20
 * requests at once (terraform/functions.tf), so batches stay far below both.
 */
const MAX_EVENTS_PER_APPEND = 500;

/**
 * The ingest's ports over the official clients, created once per instance. The events of the
 * requests in flight share their BigQuery appends (see batching/coalescing-batcher.ts).
 */
export function createIngestPorts(clients: IngestClients): IngestPorts {
  const events = createEventAppender(clients.bigqueryWrite, clients.dataset, clients.log);
  const appendEvent = coalescingBatcher<RatingEvent>(
    (batch) => events.append(batch),
    MAX_EVENTS_PER_APPEND,
  );
  return {
    currentModel: () => clients.models.current(),
    applyRating: (event, derive) => applyRatingEvent(clients.firestore, event, derive),
    appendEvent,
    deadLetter: async (letter) => {
      await publishDeadLetter(clients.deadLetterTopic, letter);
    },
  };
}
