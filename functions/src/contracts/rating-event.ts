import { z } from 'zod';
import { MAX_RATING, MIN_RATING, RATING_STEP } from './limits.js';

/** Value of the `schema` attribute on every message of the `ratings` topic. */
export const RATING_EVENT_SCHEMA = 'reel.rating-event.v1';

const rating = z
  .number({ error: 'must be a number' })
  .min(MIN_RATING, `must be at least ${MIN_RATING}`)
  .max(MAX_RATING, `must be at most ${MAX_RATING}`)
  .refine((value) => Number.isInteger(value / RATING_STEP), `must be in steps of ${RATING_STEP}`);

const movieId = z
  .number({ error: 'must be a number' })
  .int('must be an integer')
  .positive('must be positive');

const eventId = z.uuid({ error: 'must be a UUID' });

// Firebase uids are at most 128 characters; imported users are prefixed (e.g. "ml-42").
const userId = z
  .string({ error: 'must be a string' })
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, "_" and "-"');

/** How far ahead of the receiving clock a ratedAt may be (clients' clock skew). */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/** The earliest ratedAt: BigQuery's TIMESTAMP starts at year 1, but nothing rated before 1970. */
export const EARLIEST_RATED_AT = '1970-01-01T00:00:00Z';

// Bounded so every event is storable in both stores (BigQuery refuses a TIMESTAMP outside
// years 1-9999 on every delivery) and none can win every later rating by being far in the
// future (last write wins): the door and the ingest refuse the same events.
const ratedAt = z.iso
  .datetime({ offset: true, error: 'must be an RFC 3339 timestamp' })
  // A value that is no timestamp at all is reported by the format check alone.
  .refine(
    (value) => !(Date.parse(value) < Date.parse(EARLIEST_RATED_AT)),
    `must be at or after ${EARLIEST_RATED_AT}`,
  )
  .refine(
    (value) => !(Date.parse(value) > Date.now() + MAX_CLOCK_SKEW_MS),
    'must not be more than five minutes in the future',
  );

const source = z
  .string({ error: 'must be a string' })
  .regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a short lowercase word such as "site" or "import"');

/** The rating event, as published on Pub/Sub and appended to BigQuery. `rating: null` withdraws. */
export const ratingEventSchema = z.strictObject({
  eventId,
  userId,
  movieId,
  rating: rating.nullable(),
  ratedAt,
  source,
});

export type RatingEvent = z.infer<typeof ratingEventSchema>;

/** What a client POSTs to /v1/ratings. The user comes from the ID token, never the body. */
export const rateRequestSchema = z.strictObject({
  eventId: eventId.optional(),
  movieId,
  rating: rating.nullable(),
  ratedAt: ratedAt.optional(),
});

export type RateRequest = z.infer<typeof rateRequestSchema>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    value = value !== null && typeof value === 'object' ? Reflect.get(value, key) : undefined;
  }
  return value;
}

/** One line naming each problem of `input` by its path, in the words the schemas give. */
export function describeIssues(error: z.ZodError, input: unknown): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.join('.');
      if (issue.code === 'unrecognized_keys') {
        return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      }
      if (issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined) {
        return `${path}: is required`;
      }
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

function parseWith<T>(schema: z.ZodType<T>, input: unknown): ParseResult<T> {
  const result = schema.safeParse(input);
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, reason: describeIssues(result.error, input) };
}

export function parseRatingEvent(input: unknown): ParseResult<RatingEvent> {
  return parseWith(ratingEventSchema, input);
}

export function parseRateRequest(input: unknown): ParseResult<RateRequest> {
  return parseWith(rateRequestSchema, input);
}

/** Parses the bytes of a Pub/Sub message: JSON first, then the schema. */
export function decodeRatingEvent(data: Uint8Array | string): ParseResult<RatingEvent> {
  const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `message is not JSON: ${(error as Error).message}` };
  }
  return parseRatingEvent(json);
}
