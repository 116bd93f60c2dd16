import type { CloudEvent, CloudEventFunction } from '@google-cloud/functions-framework';
import type { Firestore } from 'firebase-admin/firestore';
import { applyRatingEvent } from '../adapters/firestore.js';
import type { ModelSource } from '../adapters/models.js';
import type { DeadLetter } from '../adapters/pubsub.js';
import { elapsedMs, type Logger } from '../core/logger.js';
import { pushedMessageOf } from '../core/pubsub-message.js';
import { personalise } from '../core/recommendations.js';
import { decodeRatingEvent, type RatingEvent } from '../events/index.js';

export interface IngestRatingDeps {
  /** Appends to BigQuery rating_events with insertId = eventId. */
  appendEvent(event: RatingEvent): Promise<void>;
  firestore: Firestore;
  models: ModelSource;
  /** Publishes to ratings-dead-letter. */
  deadLetter(letter: DeadLetter): Promise<void>;
  topN: number;
  log: Logger;
}

export type IngestOutcome =
  | { kind: 'dead-lettered'; reason: string }
  | { kind: 'applied' | 'duplicate' | 'stale'; modelVersion?: string };

/**
 * One rating event from topic `ratings`. A message that can never be processed (not JSON, not
 * a rating event, a movie not in the catalogue) is published to the dead-letter topic with the
 * reason and acknowledged; anything else that fails throws, so Pub/Sub delivers it again.
 * Steps, side by side: BigQuery append (insertId = eventId), and one Firestore transaction that
 * applies the rating (last write wins) and, when a model is published, writes the person's
 * folded-in factors and recommendations with it. Duplicates and older events change nothing.
 */
export function ingestRating(deps: IngestRatingDeps) {
  return async (cloudEvent: CloudEvent<unknown>): Promise<IngestOutcome> => {
    const started = performance.now();
    const deadLetter = async (
      reason: string,
      data: Uint8Array,
      attributes: Record<string, string>,
      messageId?: string,
    ): Promise<IngestOutcome> => {
      await deps.deadLetter({
        reason,
        data,
        attributes: {
          ...attributes,
          ...(cloudEvent.source && { sourceTopic: cloudEvent.source }),
          ...(typeof (cloudEvent.data as { subscription?: unknown })?.subscription === 'string' && {
            subscription: (cloudEvent.data as { subscription: string }).subscription,
          }),
        },
        messageId,
      });
      deps.log.warn('rating dead-lettered', {
        reason,
        eventId: attributes.eventId,
        messageId,
        latencyMs: elapsedMs(started),
      });
      return { kind: 'dead-lettered', reason };
    };

    const pushed = pushedMessageOf(cloudEvent.data);
    if (!pushed.ok) return deadLetter(pushed.reason, new Uint8Array(), {}, cloudEvent.id);
    const { data, attributes, messageId } = pushed.message;
    const decoded = decodeRatingEvent(data);
    if (!decoded.ok) return deadLetter(decoded.reason, data, attributes, messageId);
    const event = decoded.value;

    const state = await deps.models.current();
    const movies = state.kind === 'model' ? state.model.movies : state.catalogue;
    if (movies !== undefined && !movies.has(event.movieId)) {
      return deadLetter(
        `movieId: ${event.movieId} is not in the catalogue`,
        data,
        attributes,
        messageId,
      );
    }

    const model = state.kind === 'model' ? state.model : undefined;
    // Both steps are idempotent (insertId; last write wins), so they run side by side: the
    // event's latency is the slower of the two, not their sum. If either fails the message is
    // delivered again and the other step, already done, changes nothing the second time.
    const stepStarted = performance.now();
    const [bigqueryMs, { result, firestoreMs }] = await Promise.all([
      deps.appendEvent(event).then(() => elapsedMs(stepStarted)),
      applyRatingEvent(
        deps.firestore,
        event,
        model &&
          ((ratings) => {
            const personal = personalise(model.recommender, model.version, ratings, deps.topN);
            return {
              factors: personal.factors,
              bias: personal.bias,
              modelVersion: model.version,
              recommendations: personal.document,
            };
          }),
      ).then((applied) => ({ result: applied, firestoreMs: elapsedMs(stepStarted) })),
    ]);
    const outcome: IngestOutcome = {
      kind: result.decision,
      ...(model && result.decision === 'applied' && { modelVersion: model.version }),
    };
    const fields = {
      eventId: event.eventId,
      uid: event.userId,
      modelVersion: model?.version,
      decision: result.decision,
      bigqueryMs,
      firestoreMs,
      latencyMs: elapsedMs(started),
    };
    if (!model) {
      deps.log.info(
        'rating stored; no model published yet, recommendations left as they are',
        fields,
      );
    } else {
      deps.log.info(`rating ${result.decision}`, fields);
    }
    return outcome;
  };
}

/**
 * The CloudEvent function: the outcome is logged, not returned; a transient failure is logged
 * and thrown, so the framework answers 500 and Pub/Sub delivers the message again.
 */
export function createIngestRating(deps: IngestRatingDeps): CloudEventFunction<unknown> {
  const ingest = ingestRating(deps);
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
