import { parseRateRequest, type RatingEvent } from '../events/index.js';

/** Largest body rateMovie accepts: a rating is under 200 bytes. */
export const MAX_BODY_BYTES = 4096;

/** How far ahead of the server's clock a client's ratedAt may be (clock skew). */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * CORS response headers for a request from `origin`: the origin itself if it is allowed
 * (exact match), nothing otherwise, so the browser refuses to hand the answer to that page.
 */
export function corsHeaders(
  origin: string | undefined,
  allowedOrigins: readonly string[],
): Record<string, string> {
  if (origin === undefined || !allowedOrigins.includes(origin)) return { Vary: 'Origin' };
  return { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
}

export const PREFLIGHT_HEADERS = {
  'Access-Control-Allow-Methods': 'POST',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type',
  'Access-Control-Max-Age': '3600',
};

export type RateEventResult = { ok: true; event: RatingEvent } | { ok: false; reason: string };

/**
 * The rating event for a request body of user `uid` (from the ID token, never the body):
 * validated by the shared schema; eventId and ratedAt default to a new UUID and now. A ratedAt
 * in the future would win every later rating (last write wins), so it is refused.
 */
export function rateEventOf(
  body: unknown,
  uid: string,
  now: Date,
  newEventId: () => string,
): RateEventResult {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) {
    return {
      ok: false,
      reason:
        'body must be a JSON object { movieId, rating } sent with Content-Type: application/json',
    };
  }
  const parsed = parseRateRequest(body);
  if (!parsed.ok) return parsed;
  const { movieId, rating, eventId, ratedAt } = parsed.value;
  if (ratedAt !== undefined && Date.parse(ratedAt) > now.getTime() + MAX_CLOCK_SKEW_MS) {
    return {
      ok: false,
      reason: `ratedAt: ${ratedAt} is in the future; omit it to use the server's time`,
    };
  }
  return {
    ok: true,
    event: {
      eventId: eventId ?? newEventId(),
      userId: uid,
      movieId,
      rating,
      ratedAt: ratedAt ?? now.toISOString(),
      source: 'site',
    },
  };
}
