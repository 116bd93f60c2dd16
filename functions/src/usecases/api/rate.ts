import { parseRatingEvent, type RatingEvent } from '../../contracts/rating-event.js';
import { Refusal } from './errors.js';
import type { ApiPorts } from './ports.js';

/** A rating as a client sends it; the person comes from their ID token, never the body. */
export interface RateInput {
  eventId?: string;
  movieId: number;
  rating: number | null;
  ratedAt?: string;
}

/**
 * Refuses a movie the published catalogue does not hold: the serving model's movies.json, or
 * before any model the catalogue itself. With neither published, nothing can be checked.
 */
export async function requireKnownMovie(
  ports: Pick<ApiPorts, 'knownMovies'>,
  movieId: number,
): Promise<void> {
  const movies = await ports.knownMovies();
  if (movies !== undefined && !movies.has(movieId)) {
    throw new Refusal('invalid', `movieId: ${movieId} is not in the catalogue`);
  }
}

/**
 * Rates (or, with `rating: null`, withdraws) a movie for `uid`: the event gets a new eventId
 * and the server's time unless the client gave them (a retry keeps its eventId), is checked
 * by the one rating-event schema the ingest uses, its movie against the catalogue, and is
 * published. A publish failure is `unavailable`: the client retries with the same eventId.
 */
export async function rateMovie(
  ports: Pick<ApiPorts, 'knownMovies' | 'publish' | 'now' | 'newEventId'>,
  uid: string,
  input: RateInput,
): Promise<RatingEvent> {
  const parsed = parseRatingEvent({
    eventId: input.eventId ?? ports.newEventId(),
    userId: uid,
    movieId: input.movieId,
    rating: input.rating,
    ratedAt: input.ratedAt ?? ports.now().toISOString(),
    source: 'site',
  });
  if (!parsed.ok) throw new Refusal('invalid', parsed.reason);
  const event = parsed.value;
  await requireKnownMovie(ports, event.movieId);
  try {
    await ports.publish(event);
  } catch (error) {
    throw new Refusal(
      'unavailable',
      'the rating could not be queued; retry with the same eventId',
      {
        cause: error,
      },
    );
  }
  return event;
}
