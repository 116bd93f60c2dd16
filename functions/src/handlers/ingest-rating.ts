import type { CloudEvent, CloudEventFunction } from '@google-cloud/functions-framework';
import { pushedMessageOf } from '../messages/pushed-message.js';
import {
  deadLetterMessage,
  type IngestOutcome,
  type IngestRatingDeps,
  ingestRating,
  type MessageOrigin,
} from '../usecases/ingest-rating.js';

export type { IngestOutcome, IngestRatingDeps } from '../usecases/ingest-rating.js';

function originOf(cloudEvent: CloudEvent<unknown>): MessageOrigin {
  const subscription = (cloudEvent.data as { subscription?: unknown } | undefined)?.subscription;
  return {
    ...(cloudEvent.source && { sourceTopic: cloudEvent.source }),
    ...(typeof subscription === 'string' && { subscription }),
  };
}

/** Takes the Pub/Sub message out of the CloudEvent and hands it to the use case. */
export function ingestRatingEvent(deps: IngestRatingDeps) {
  return async (cloudEvent: CloudEvent<unknown>): Promise<IngestOutcome> => {
    const pushed = pushedMessageOf(cloudEvent.data);
    const origin = originOf(cloudEvent);
    if (!pushed.ok) {
      const empty = { data: new Uint8Array(), attributes: {}, messageId: cloudEvent.id };
      return deadLetterMessage(deps, pushed.reason, empty, origin);
    }
    return ingestRating(deps, pushed.message, origin);
  };
}

/**
 * The CloudEvent function `ingestRating`. A dead-lettered or processed message returns (the
 * framework answers 204 and Pub/Sub forgets it); any failure is logged and thrown, so the
 * framework answers 500 and Pub/Sub delivers the message again.
 */
export function createIngestRating(deps: IngestRatingDeps): CloudEventFunction<unknown> {
  const ingest = ingestRatingEvent(deps);
  return async (cloudEvent) => {
    try {
      await ingest(cloudEvent);
    } catch (error) {
      deps.log.error('ingest failed; Pub/Sub will deliver the message again', {
        messageId: cloudEvent.id,
        error,
      });
      throw error;
    }
  };
}
