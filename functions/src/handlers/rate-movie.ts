import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { HttpFunction } from '@google-cloud/functions-framework';
import { AuthenticationError } from '../adapters/auth.js';
import { elapsedMs, type Logger } from '../core/logger.js';
import type { RateLimiter } from '../core/rate-limiter.js';
import {
  corsHeaders,
  MAX_BODY_BYTES,
  PREFLIGHT_HEADERS,
  rateEventOf,
} from '../core/rate-request.js';
import type { RatingEvent } from '../events/index.js';

export interface RateMovieDeps {
  allowedOrigins: readonly string[];
  /** The uid of a valid `Authorization: Bearer <ID token>`; throws AuthenticationError. */
  verifyUser(authorization: string | undefined): Promise<string>;
  /** Publishes to topic `ratings`, ordering key = uid. */
  publish(event: RatingEvent): Promise<void>;
  limiter: RateLimiter;
  log: Logger;
  now?: () => Date;
  newEventId?: () => string;
}

/** What rateMovie needs of a request (an Express request has all of it). */
export interface RateRequest {
  method: string;
  headers: IncomingHttpHeaders;
  /** Parsed by the framework: an object for JSON, a string or Buffer for anything else. */
  body: unknown;
  /** The bytes as received (functions-framework keeps them). */
  rawBody?: Buffer;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
}

const error = (status: number, message: string, headers: Record<string, string> = {}) => ({
  status,
  headers,
  body: { error: message },
});

/**
 * POST /api/ratings as a function of the request: CORS, method, size, identity, rate limit,
 * validation, publish; each refusal with its status and a message saying what to do.
 */
export function answerRateRequest(
  deps: RateMovieDeps,
): (request: RateRequest) => Promise<HttpAnswer> {
  const now = deps.now ?? (() => new Date());
  const newEventId = deps.newEventId ?? randomUUID;
  return async (request) => {
    const cors = corsHeaders(request.headers.origin, deps.allowedOrigins);
    const answer = (result: HttpAnswer): HttpAnswer => ({
      ...result,
      headers: { ...cors, ...result.headers },
    });
    if (request.method === 'OPTIONS') {
      if (!('Access-Control-Allow-Origin' in cors)) {
        return answer(
          error(403, `origin ${request.headers.origin ?? '(none)'} may not call this API`),
        );
      }
      return answer({ status: 204, headers: PREFLIGHT_HEADERS });
    }
    if (request.method !== 'POST') {
      return answer(
        error(405, `${request.method} is not allowed: POST a rating`, { Allow: 'POST, OPTIONS' }),
      );
    }
    const size = request.rawBody?.length ?? Number(request.headers['content-length'] ?? 0);
    if (size > MAX_BODY_BYTES) {
      return answer(error(413, `body is ${size} bytes; a rating is at most ${MAX_BODY_BYTES}`));
    }
    let uid: string;
    try {
      uid = await deps.verifyUser(request.headers.authorization);
    } catch (caught) {
      if (!(caught instanceof AuthenticationError)) throw caught;
      return answer(error(401, caught.message, { 'WWW-Authenticate': 'Bearer' }));
    }
    const limit = deps.limiter.take(uid, now().getTime());
    if (!limit.allowed) {
      return answer(
        error(
          429,
          `more than ${deps.limiter.perMinute} ratings a minute; try again in ${limit.retryAfterSeconds} s`,
          { 'Retry-After': String(limit.retryAfterSeconds) },
        ),
      );
    }
    const parsed = rateEventOf(request.body, uid, now(), newEventId);
    if (!parsed.ok) return answer(error(400, parsed.reason));
    try {
      await deps.publish(parsed.event);
    } catch (caught) {
      deps.log.error('could not publish a rating', {
        eventId: parsed.event.eventId,
        uid,
        error: caught,
      });
      return answer(
        error(503, 'the rating could not be queued; retry with the same eventId', {
          'Retry-After': '1',
        }),
      );
    }
    return answer({ status: 202, headers: {}, body: { eventId: parsed.event.eventId } });
  };
}

/** The HTTP function: the answer above, written to the response, with one log line. */
export function createRateMovie(deps: RateMovieDeps): HttpFunction {
  const answerOf = answerRateRequest(deps);
  return async (req, res) => {
    const started = performance.now();
    const answer = await answerOf(req);
    res.status(answer.status).set(answer.headers);
    if (answer.body === undefined) res.end();
    else res.json(answer.body);
    const body = answer.body as { eventId?: string; error?: string } | undefined;
    deps.log.info(`${req.method} ${answer.status}`, {
      eventId: body?.eventId,
      ...(body?.error && { reason: body.error }),
      latencyMs: elapsedMs(started),
    });
  };
}
