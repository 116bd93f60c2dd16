import { createRoute, OpenAPIHono, type z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { etag } from 'hono/etag';
import { HTTPException } from 'hono/http-exception';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { getPath } from 'hono/utils/url';
import { APP_CHECK_HEADER, AppCheckError } from '../adapters/app-check.js';
import { AuthenticationError } from '../adapters/auth.js';
import { describeIssues } from '../contracts/rating-event.js';
import { createLogger, elapsedMs, type Logger } from '../logging/logger.js';
import { Refusal, type RefusalKind } from '../usecases/api/errors.js';
import type { ApiPorts } from '../usecases/api/ports.js';
import { rateMovie } from '../usecases/api/rate.js';
import {
  movieDetails,
  myRatings,
  myRecommendations,
  popularMovies,
  prediction,
  similarMovies,
} from '../usecases/api/reads.js';
import { clientAddress } from './client-address.js';
import { ApiProblem, PROBLEM_MEDIA_TYPE, problemResponse } from './problem.js';
import {
  acceptedSchema,
  deletionSchema,
  listQuery,
  movieIdParams,
  movieSchema,
  myRatingsSchema,
  popularSchema,
  predictionSchema,
  problemSchema,
  rateRequest,
  recommendationsSchema,
  similarQuery,
  similarSchema,
  statsSchema,
  withdrawRequest,
  writeHeaders,
} from './schemas.js';

export interface ApiDeps {
  ports: ApiPorts;
  /** The uid of a valid `Authorization: Bearer <ID token>`; throws AuthenticationError. */
  verifyUser(authorization: string | undefined): Promise<string>;
  /** One token per write, per person; false = over the limit. */
  limiter: { tryAcquire(key: string): Promise<boolean> };
  /** What Retry-After says when the limiter refuses (seconds). */
  retryAfterSeconds: number;
  /**
   * One token per write, per client address, whichever account writes: what bounds the
   * fresh anonymous accounts one address can sign up and write with; false = over the limit.
   */
  addressLimiter: { tryAcquire(address: string): Promise<boolean> };
  /** What Retry-After says when the address limiter refuses (seconds). */
  addressRetryAfterSeconds: number;
  /** Proxies that append to X-Forwarded-For in front of the function (api/client-address.ts). */
  trustedProxies: number;
  /**
   * Resolves when a write may go on as far as App Check goes, given the X-Firebase-AppCheck
   * header (always, when enforcement is off); throws AppCheckError.
   */
  verifyAppCheck(token: string | undefined): Promise<void>;
  /** Origins allowed to call the API from a browser (exact match). */
  allowedOrigins: readonly string[];
  log: Logger;
}

/** Largest body the API reads: a rating is under 200 bytes. */
export const MAX_BODY_BYTES = 4096;

/** How long shared caches may keep a public read; the model changes at most nightly. */
const PUBLIC_CACHE = 'public, max-age=60';
const PRIVATE_CACHE = 'private, no-store';

const REFUSAL_STATUS: Record<RefusalKind, number> = {
  invalid: 400,
  'not-found': 404,
  unavailable: 503,
  'not-implemented': 501,
};

type Variables = { uid: string };

const problems = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: problemDescriptions[status] ?? 'A problem',
        content: { [PROBLEM_MEDIA_TYPE]: { schema: problemSchema } },
      },
    ]),
  );

const problemDescriptions: Record<number, string> = {
  400: 'The request is invalid; `detail` names each field and what is wrong with it.',
  401: 'No valid Firebase ID token: send `Authorization: Bearer <ID token>`.',
  403: 'App Check is enforced and the X-Firebase-AppCheck header is missing or its token is not valid.',
  404: 'No such movie (or the model has learnt nothing of it yet).',
  413: `The body is over ${MAX_BODY_BYTES} bytes.`,
  415: 'The body is not sent as application/json.',
  429: 'Over the per-person or the per-address write limit; wait Retry-After seconds.',
  501: 'Not available in this build.',
  503: 'A dependency is unavailable, or no model is published yet; retry after Retry-After seconds.',
};

const cacheHeaders = {
  ETag: { description: 'Validator for If-None-Match.', schema: { type: 'string' as const } },
  'Cache-Control': {
    description: 'How long it may be cached.',
    schema: { type: 'string' as const },
  },
};

const notModified = { 304: { description: 'Unchanged since the ETag sent in If-None-Match.' } };

const json = <T extends z.ZodType>(schema: T, description: string, cached = false) => ({
  description,
  content: { 'application/json': { schema } },
  ...(cached && { headers: cacheHeaders }),
});

const bearer = [{ firebaseIdToken: [] }];

/**
 * The public API under /v1 (also under /api/v1, the path the site's Hosting rewrite and the
 * local proxy forward): routes validate with the zod schemas the OpenAPI document is generated
 * from, call the use cases, and answer JSON; every error is problem details.
 */
export function createApiApp(deps: ApiDeps): OpenAPIHono<{ Variables: Variables }> {
  const { ports, log } = deps;
  const app = new OpenAPIHono<{ Variables: Variables }>({
    // Hosting and the local proxy forward /api/v1/…; the function answers both.
    getPath: (request) => {
      const path = getPath(request);
      return path.startsWith('/api/') ? path.slice(4) : path;
    },
    defaultHook: async (result, c) => {
      if (result.success) return;
      // The input again, so a missing field reads "is required" rather than a type error.
      const input =
        result.target === 'json'
          ? await c.req.json().catch(() => undefined)
          : result.target === 'query'
            ? c.req.query()
            : c.req.param();
      throw new ApiProblem(400, describeIssues(result.error as z.ZodError, input));
    },
  });

  app.openAPIRegistry.registerComponent('securitySchemes', 'firebaseIdToken', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A Firebase Authentication ID token (anonymous sign-in is enough).',
  });

  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    log.info(`${c.req.method} ${c.req.path} ${c.res.status}`, { latencyMs: elapsedMs(started) });
  });
  app.use(cors(deps.allowedOrigins));
  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (_c, methods) =>
        problemResponse(405, `use ${methods.join(' or ')} on this path`, {
          Allow: [...methods, 'OPTIONS'].join(', '),
        }),
    }),
  );

  app.onError((error, c) => {
    if (error instanceof ApiProblem)
      return problemResponse(error.status, error.message, error.headers);
    if (error instanceof Refusal) {
      const status = REFUSAL_STATUS[error.kind];
      if (status >= 500) log.error(error.message, { error: error.cause ?? error });
      return problemResponse(status, error.message, status === 503 ? { 'Retry-After': '1' } : {});
    }
    if (error instanceof HTTPException) return problemResponse(error.status, error.message);
    log.error(`${c.req.method} ${c.req.path} failed`, { error });
    return problemResponse(500, 'Reel had an internal error; it is logged. Retry later.');
  });
  app.notFound((c) =>
    problemResponse(404, `no such resource: ${c.req.path}; see /v1/openapi.json`),
  );

  const requireUser: MiddlewareHandler<{ Variables: Variables }> = async (c, next) => {
    try {
      c.set('uid', await deps.verifyUser(c.req.header('authorization')));
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      throw new ApiProblem(401, error.message, { 'WWW-Authenticate': 'Bearer' });
    }
    await next();
  };
  const requireAppCheck: MiddlewareHandler = async (c, next) => {
    try {
      await deps.verifyAppCheck(c.req.header(APP_CHECK_HEADER));
    } catch (error) {
      if (!(error instanceof AppCheckError)) throw error;
      throw new ApiProblem(403, error.message);
    }
    await next();
  };
  // Both limits are drawn at once (two Firestore transactions side by side): a write refused
  // by one still counts against the other, as every refused write does.
  const limitWrites: MiddlewareHandler<{ Variables: Variables }> = async (c, next) => {
    const address = clientAddress(
      c.req.header('x-forwarded-for'),
      socketAddressOf(c.env),
      deps.trustedProxies,
    );
    const [addressAllowed, userAllowed] = await Promise.all([
      deps.addressLimiter.tryAcquire(address),
      deps.limiter.tryAcquire(c.get('uid')),
    ]);
    if (!addressAllowed) {
      const seconds = deps.addressRetryAfterSeconds;
      throw new ApiProblem(429, `too many writes from your address; try again in ${seconds} s`, {
        'Retry-After': String(seconds),
      });
    }
    if (!userAllowed) {
      throw new ApiProblem(429, `too many writes; try again in ${deps.retryAfterSeconds} s`, {
        'Retry-After': String(deps.retryAfterSeconds),
      });
    }
    await next();
  };
  const privateCache: MiddlewareHandler = async (c, next) => {
    await next();
    c.header('Cache-Control', PRIVATE_CACHE);
  };
  const publicCache: MiddlewareHandler = async (c, next) => {
    await next();
    if (c.res.status === 200) c.header('Cache-Control', PUBLIC_CACHE);
  };

  app.openapi(
    createRoute({
      method: 'post',
      operationId: 'rateMovie',
      path: '/v1/ratings',
      summary: 'Rate a movie',
      description:
        'Queues a rating event for the signed-in person. Send the same eventId again to retry safely.',
      security: bearer,
      middleware: [bodySize(), requireUser, requireAppCheck, limitWrites, jsonBody(true)] as const,
      request: {
        headers: writeHeaders,
        body: { required: true, content: { 'application/json': { schema: rateRequest } } },
      },
      responses: {
        202: json(acceptedSchema, 'Accepted: the rating is queued.'),
        ...problems(400, 401, 403, 413, 415, 429, 503),
      },
    }),
    async (c) => {
      const event = await rateMovie(ports, c.get('uid'), c.req.valid('json'));
      return c.json({ eventId: event.eventId, status: 'accepted' as const }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      operationId: 'withdrawRating',
      path: '/v1/ratings/{movieId}',
      summary: 'Withdraw a rating',
      description:
        'Queues a withdrawal (a rating event with rating null). The optional body gives its eventId, for retries.',
      security: bearer,
      middleware: [bodySize(), requireUser, requireAppCheck, limitWrites, jsonBody(false)] as const,
      request: {
        headers: writeHeaders,
        params: movieIdParams,
        body: { required: false, content: { 'application/json': { schema: withdrawRequest } } },
      },
      responses: {
        202: json(acceptedSchema, 'Accepted: the withdrawal is queued.'),
        ...problems(400, 401, 403, 413, 415, 429, 503),
      },
    }),
    async (c) => {
      const { movieId } = c.req.valid('param');
      const event = await rateMovie(ports, c.get('uid'), {
        ...c.req.valid('json'),
        movieId,
        rating: null,
      });
      return c.json({ eventId: event.eventId, status: 'accepted' as const }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      operationId: 'deleteMyData',
      path: '/v1/me',
      summary: 'Delete my data',
      description:
        'Deletes everything Reel holds about the signed-in person: Firestore documents and the Auth account at once, events excluded from training and queries at once, BigQuery rows as soon as BigQuery allows.',
      security: bearer,
      middleware: [requireUser, requireAppCheck, limitWrites, privateCache] as const,
      request: { headers: writeHeaders },
      responses: {
        200: json(deletionSchema, 'Deleted (BigQuery rows deleted or scheduled).'),
        ...problems(401, 403, 429, 501, 503),
      },
    }),
    async (c) => c.json(await ports.deleteMyData(c.get('uid')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      operationId: 'getMyRecommendations',
      path: '/v1/me/recommendations',
      summary: 'My recommendations',
      description:
        "The signed-in person's recommendations from the serving model and their ratings as they stand, optionally only of one genre or decade.",
      security: bearer,
      middleware: [requireUser, privateCache] as const,
      request: { query: listQuery },
      responses: {
        200: json(recommendationsSchema, 'Recommendations, best first.'),
        ...problems(400, 401, 503),
      },
    }),
    async (c) => c.json(await myRecommendations(ports, c.get('uid'), c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      operationId: 'getMyRatings',
      path: '/v1/me/ratings',
      summary: 'My ratings',
      description:
        "The signed-in person's current ratings (withdrawn ones left out), newest first.",
      security: bearer,
      middleware: [requireUser, privateCache] as const,
      responses: { 200: json(myRatingsSchema, 'Ratings, newest first.'), ...problems(401) },
    }),
    async (c) => c.json(await myRatings(ports, c.get('uid')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      operationId: 'getMovie',
      security: [],
      path: '/v1/movies/{movieId}',
      summary: 'A movie',
      description: 'What the catalogue says of a movie, with the mean and count of its ratings.',
      middleware: [publicCache, etag()] as const,
      request: { params: movieIdParams },
      responses: {
        200: json(movieSchema, 'The movie.', true),
        ...notModified,
        ...problems(400, 404),
      },
    }),
    async (c) => c.json(await movieDetails(ports, c.req.valid('param').movieId), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      operationId: 'getSimilarMovies',
      security: [],
      path: '/v1/movies/{movieId}/similar',
      summary: 'Similar movies',
      description: "The movies nearest to this one in the serving model's item space (cosine).",
      middleware: [publicCache, etag()] as const,
      request: { params: movieIdParams, query: similarQuery },
      responses: {
        200: json(similarSchema, 'Similar movies, most similar first.', true),
        ...notModified,
        ...problems(400, 404, 503),
      },
    }),
    async (c) =>
      c.json(
        await similarMovies(ports, c.req.valid('param').movieId, c.req.valid('query').limit),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      operationId: 'getMyPrediction',
      path: '/v1/movies/{movieId}/prediction',
      summary: 'My predicted stars for a movie',
      description:
        'The stars the serving model predicts the signed-in person would give, from their ratings as they stand.',
      security: bearer,
      middleware: [requireUser, privateCache] as const,
      request: { params: movieIdParams },
      responses: {
        200: json(predictionSchema, 'The prediction.'),
        ...problems(400, 401, 404, 503),
      },
    }),
    async (c) => c.json(await prediction(ports, c.get('uid'), c.req.valid('param').movieId), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      operationId: 'getPopularMovies',
      security: [],
      path: '/v1/popular',
      summary: 'Popular movies',
      description:
        'The popularity list of the serving model (Bayesian average of ratings), optionally of one genre or decade.',
      middleware: [publicCache, etag()] as const,
      request: { query: listQuery },
      responses: {
        200: json(popularSchema, 'Popular movies, best first.', true),
        ...notModified,
        ...problems(400, 503),
      },
    }),
    async (c) => c.json(await popularMovies(ports, c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      operationId: 'getStats',
      security: [],
      path: '/v1/stats',
      summary: 'Statistics',
      description:
        'The serving model (version, held-out metrics, training data), counts of users, movies and ratings, and the last retrain.',
      middleware: [publicCache, etag()] as const,
      responses: { 200: json(statsSchema, 'The statistics.', true), ...notModified },
    }),
    async (c) => c.json(await ports.readStats(), 200),
  );

  let cachedDocument: object | undefined;
  app.get('/v1/openapi.json', publicCache, etag(), (c) => {
    cachedDocument ??= documentOf(app);
    return c.json(cachedDocument);
  });
  return app;
}

/** The OpenAPI 3.1 document of `app`, with the route that serves it. */
function documentOf(app: OpenAPIHono<{ Variables: Variables }>) {
  const document = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Reel API',
      version: '1.0.0',
      description:
        'Rate movies, get recommendations, predictions, similar and popular movies, and statistics. Errors are RFC 9457 problem details (application/problem+json).',
      license: { name: 'Apache 2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    },
    servers: [
      { url: '/api', description: 'The site: Hosting rewrites /api/** to this function.' },
      { url: 'http://127.0.0.1:8090', description: 'npm start: the api function itself.' },
    ],
  });
  return {
    ...document,
    paths: {
      ...document.paths,
      '/v1/openapi.json': {
        get: {
          operationId: 'getOpenApiDocument',
          security: [],
          summary: 'This OpenAPI document',
          description: 'The OpenAPI 3.1 document of this API.',
          responses: {
            200: {
              description: 'The OpenAPI document.',
              headers: cacheHeaders,
              content: { 'application/json': { schema: { type: 'object' } } },
            },
            304: notModified[304],
          },
        },
      },
    },
  };
}

/** The OpenAPI document without serving anything (for the linter and the site's API page). */
export function openApiDocument(): object {
  const unused = () => {
    throw new Error('openApiDocument(): the routes are not served');
  };
  const app = createApiApp({
    ports: new Proxy({}, { get: () => unused }) as ApiPorts,
    verifyUser: unused,
    limiter: { tryAcquire: unused },
    retryAfterSeconds: 1,
    addressLimiter: { tryAcquire: unused },
    addressRetryAfterSeconds: 1,
    trustedProxies: 1,
    verifyAppCheck: unused,
    allowedOrigins: [],
    log: createLogger(() => {}),
  });
  return documentOf(app);
}

/** The peer of the request's socket: functions-framework's request, as createApi passes it. */
function socketAddressOf(env: unknown): string | undefined {
  return (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming
    ?.socket?.remoteAddress;
}

/** 413 before anything else reads the body: a rating is under 200 bytes. */
function bodySize(): MiddlewareHandler {
  return async (c, next) => {
    const declared = Number(c.req.header('content-length') ?? 0);
    const size = Math.max(
      declared,
      declared > MAX_BODY_BYTES ? 0 : (await c.req.arrayBuffer()).byteLength,
    );
    if (size > MAX_BODY_BYTES) {
      throw new ApiProblem(413, `body is ${size} bytes; a rating is at most ${MAX_BODY_BYTES}`);
    }
    await next();
  };
}

/**
 * Parses the body ourselves, so each way it can be wrong gets a precise problem: missing,
 * not sent as JSON, not JSON, not an object. The route's schema then checks its fields.
 */
function jsonBody(required: boolean): MiddlewareHandler {
  return async (c, next) => {
    const text = await c.req.text();
    if (text.trim() === '') {
      if (required) {
        throw new ApiProblem(
          400,
          'body is empty: send a JSON object such as {"movieId":318,"rating":4.5}',
        );
      }
      await next();
      return;
    }
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
      throw new ApiProblem(
        415,
        `body is sent as ${type === '' ? 'no Content-Type' : `"${type}"`}: send JSON with Content-Type: application/json`,
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new ApiProblem(400, `body is not JSON: ${(error as Error).message}`);
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new ApiProblem(400, 'body must be a JSON object such as {"movieId":318,"rating":4.5}');
    }
    await next();
  };
}

const PREFLIGHT = {
  'Access-Control-Allow-Methods': 'GET, POST, DELETE',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, If-None-Match, X-Firebase-AppCheck',
  'Access-Control-Max-Age': '3600',
};

/** CORS for the allowed origins only (exact match); a preflight from any other is refused. */
function cors(allowedOrigins: readonly string[]): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('origin');
    const allowed = origin !== undefined && allowedOrigins.includes(origin);
    if (c.req.method === 'OPTIONS') {
      if (!allowed) {
        return problemResponse(
          403,
          `origin ${origin ?? '(none)'} may not call this API from a browser`,
          {
            Vary: 'Origin',
          },
        );
      }
      return new Response(null, {
        status: 204,
        headers: { 'Access-Control-Allow-Origin': origin, Vary: 'Origin', ...PREFLIGHT },
      });
    }
    await next();
    c.res.headers.append('Vary', 'Origin');
    if (allowed) {
      c.res.headers.set('Access-Control-Allow-Origin', origin);
      c.res.headers.set('Access-Control-Expose-Headers', 'ETag, Retry-After');
    }
    return undefined;
  };
}
