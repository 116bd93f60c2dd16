import type { ApplyResult, DerivedUserDocuments } from '../adapters/firestore.js';
import type { ModelState } from '../adapters/models.js';
import type { DeadLetter } from '../adapters/pubsub.js';
import { decodeRatingEvent, type RatingEvent } from '../contracts/rating-event.js';
import { elapsedMs, type Logger } from '../logging/logger.js';
import type { PushedMessage } from '../messages/pushed-message.js';
import { MAX_RATINGS_PER_USER, type UserRatings } from '../ratings/user-ratings.js';
import { personalise } from './personalise.js';

/** What the ingest needs from the world; adapters implement these over the official clients. */
export interface IngestPorts {
  /** The serving model, or before any, the catalogue (see adapters/models.ts). */
  currentModel(): Promise<ModelState>;
  /**
   * Applies the event to `users/{uid}` in one transaction (last write wins, see
   * ratings/last-write-wins.ts) and, when it is applied and `derive` gives them, writes the
   * person's model fields and recommendations in the same transaction.
   */
  applyRating(
    event: RatingEvent,
    derive?: (ratings: UserRatings) => DerivedUserDocuments | undefined,
  ): Promise<ApplyResult>;
  /** Appends the event to BigQuery's rating_events; idempotent (see adapters/bigquery.ts). */
  appendEvent(event: RatingEvent): Promise<void>;
  /** Publishes an unprocessable message to ratings-dead-letter. */
  deadLetter(letter: DeadLetter): Promise<void>;
}

export interface IngestRatingDeps extends IngestPorts {
  topN: number;
  log: Logger;
}

/** Where a message came from, carried onto its dead letter. */
export interface MessageOrigin {
  sourceTopic?: string;
  subscription?: string;
}

export type IngestOutcome =
  | { kind: 'dead-lettered'; reason: string }
  | { kind: 'applied' | 'duplicate' | 'stale'; modelVersion?: string };

/**
 * Publishes a message that can never be processed to the dead-letter topic with the reason;
 * the caller then acknowledges it.
 */
export async function deadLetterMessage(
  deps: Pick<IngestRatingDeps, 'deadLetter' | 'log'>,
  reason: string,
  message: PushedMessage,
  origin: MessageOrigin,
  started = performance.now(),
): Promise<IngestOutcome> {
  await deps.deadLetter({
    reason,
    data: message.data,
    attributes: {
      ...message.attributes,
      ...(origin.sourceTopic && { sourceTopic: origin.sourceTopic }),
      ...(origin.subscription && { subscription: origin.subscription }),
    },
    messageId: message.messageId,
  });
  deps.log.warn('rating dead-lettered', {
    reason,
    eventId: message.attributes.eventId,
    messageId: message.messageId,
    latencyMs: elapsedMs(started),
  });
  return { kind: 'dead-lettered', reason };
}

/**
 * One message of topic `ratings`. A message that can never be processed (not a rating event,
 * a movie not in the catalogue, a person already at MAX_RATINGS_PER_USER) is dead-lettered
 * and reaches neither store. Otherwise, in this order:
 *
 * 1. Firestore: one transaction applies the rating (last write wins) and, with a model
 *    published, writes the person's folded-in factors and recommendations beside it.
 * 2. BigQuery: the event is appended, whatever step 1 decided (a duplicate or stale event
 *    may be the redelivery of one whose append failed).
 *
 * Both steps are idempotent, so any failure throws and the redelivery finishes the work:
 * whichever store fails, for however many deliveries, the event ends in both stores in the
 * same final state (see docs/ingest.md).
 */
export async function ingestRating(
  deps: IngestRatingDeps,
  message: PushedMessage,
  origin: MessageOrigin = {},
): Promise<IngestOutcome> {
  const started = performance.now();
  const refuse = (reason: string) => deadLetterMessage(deps, reason, message, origin, started);
  const decoded = decodeRatingEvent(message.data);
  if (!decoded.ok) return refuse(decoded.reason);
  const event = decoded.value;

  const state = await deps.currentModel();
  const movies = state.kind === 'model' ? state.model.movies : state.catalogue;
  if (movies !== undefined && !movies.has(event.movieId)) {
    return refuse(`movieId: ${event.movieId} is not in the catalogue`);
  }
  const model = state.kind === 'model' ? state.model : undefined;

  const stepStarted = performance.now();
  const applied = await deps.applyRating(
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
  );
  const firestoreMs = elapsedMs(stepStarted);
  if (applied.decision === 'full') {
    return refuse(
      `user ${event.userId} already holds ${MAX_RATINGS_PER_USER} ratings, the most one person can`,
    );
  }
  const appendStarted = performance.now();
  await deps.appendEvent(event);
  const bigqueryMs = elapsedMs(appendStarted);

  const decision = applied.decision;
  deps.log.info(
    model
      ? `rating ${decision}`
      : 'rating stored; no model published yet, recommendations left as they are',
    {
      eventId: event.eventId,
      uid: event.userId,
      modelVersion: model?.version,
      decision,
      firestoreMs,
      bigqueryMs,
      latencyMs: elapsedMs(started),
    },
  );
  return {
    kind: decision,
    ...(model && decision === 'applied' && { modelVersion: model.version }),
  };
}
