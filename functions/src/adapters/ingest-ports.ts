import type { BigQuery } from '@google-cloud/bigquery';
import type { Topic } from '@google-cloud/pubsub';
import type { Firestore } from 'firebase-admin/firestore';
import { coalescingBatcher } from '../batching/coalescing-batcher.js';
import type { RatingEvent } from '../contracts/rating-event.js';
import type { IngestPorts } from '../usecases/ingest-rating.js';
import { appendEventsTo, type DatasetRef, eventsTable } from './bigquery.js';
import { applyRatingEvent } from './firestore.js';
import type { ModelSource } from './models.js';
import { publishDeadLetter } from './pubsub.js';

export interface IngestClients {
  firestore: Firestore;
  bigquery: BigQuery;
  dataset: DatasetRef;
  models: ModelSource;
  deadLetterTopic: Topic;
}

/**
 * Most rows in one streaming insert: BigQuery recommends at most 500 per request; an instance
 * takes 20 requests at once (terraform/functions.tf), so batches stay well below it.
 */
const MAX_EVENTS_PER_INSERT = 500;

/**
 * The ingest's ports over the official clients, created once per instance. The events of the
 * requests in flight share their BigQuery inserts (see batching/coalescing-batcher.ts).
 */
export function createIngestPorts(clients: IngestClients): IngestPorts {
  const events = eventsTable(clients.bigquery, clients.dataset);
  const appendEvent = coalescingBatcher<RatingEvent>(
    (batch) => appendEventsTo(events, batch),
    MAX_EVENTS_PER_INSERT,
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
