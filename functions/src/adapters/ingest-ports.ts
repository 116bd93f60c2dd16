import type { BigQuery } from '@google-cloud/bigquery';
import type { Topic } from '@google-cloud/pubsub';
import type { Firestore } from 'firebase-admin/firestore';
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

/** The ingest's ports over the official clients, created once per instance. */
export function createIngestPorts(clients: IngestClients): IngestPorts {
  const events = eventsTable(clients.bigquery, clients.dataset);
  return {
    currentModel: () => clients.models.current(),
    applyRating: (event, derive) => applyRatingEvent(clients.firestore, event, derive),
    appendEvent: (event) => appendEventsTo(events, [event]),
    deadLetter: async (letter) => {
      await publishDeadLetter(clients.deadLetterTopic, letter);
    },
  };
}
