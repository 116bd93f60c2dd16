import { z } from '@hono/zod-openapi';
import { MAX_RATING, MIN_RATING } from '../contracts/limits.js';
import { rateRequestSchema } from '../contracts/rating-event.js';

/**
 * The API's schemas: requests are validated with these (and the rating event's own schema),
 * and the OpenAPI document is generated from the same objects, so the two cannot disagree.
 */

export const problemSchema = z
  .object({
    type: z.literal('about:blank'),
    title: z.string().openapi({ example: 'Bad Request' }),
    status: z.number().int().openapi({ example: 400 }),
    detail: z.string().openapi({ example: 'rating: must be in steps of 0.5' }),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details.' });

/** The headers a write may carry besides its ID token. */
export const writeHeaders = z.object({
  'x-firebase-appcheck': z
    .string()
    .optional()
    .openapi({
      param: { name: 'x-firebase-appcheck', in: 'header' },
      description:
        'A Firebase App Check token of the calling app. Required when the deployment enforces App Check (Terraform app_check_enforced); otherwise ignored.',
    }),
});

const positiveInteger = (what: string) =>
  z.coerce
    .number({ error: 'must be a positive integer' })
    .int('must be a positive integer')
    .positive('must be a positive integer')
    .max(2_147_483_647, 'must be at most 2147483647')
    .openapi({ description: what });

export const movieIdParams = z.object({
  movieId: positiveInteger('A MovieLens movie id.').openapi({
    param: { name: 'movieId', in: 'path' },
    example: 318,
  }),
});

const limit = (fallback: number, max: number) =>
  z.coerce
    .number({ error: `must be an integer from 1 to ${max}` })
    .int(`must be an integer from 1 to ${max}`)
    .min(1, `must be an integer from 1 to ${max}`)
    .max(max, `must be an integer from 1 to ${max}`)
    .default(fallback)
    .openapi({ param: { name: 'limit', in: 'query' }, example: fallback });

const genre = z
  .string()
  .min(1, 'must not be empty')
  .max(40, 'must be at most 40 characters')
  .optional()
  .openapi({
    param: { name: 'genre', in: 'query' },
    description: 'Only movies of this genre (a MovieLens genre name).',
    example: 'Comedy',
  });

const decade = z.coerce
  .number({ error: 'must be a year ending in 0, e.g. 1990' })
  .int('must be a year ending in 0, e.g. 1990')
  .min(1870, 'must be 1870 or later')
  .max(2100, 'must be 2100 or earlier')
  .refine((year) => year % 10 === 0, 'must be a year ending in 0, e.g. 1990')
  .optional()
  .openapi({
    param: { name: 'decade', in: 'query' },
    description: 'Only movies released in this decade (its first year).',
    example: 1990,
  });

export const listQuery = z.object({ limit: limit(20, 100), genre, decade });
export const similarQuery = z.object({ limit: limit(10, 100) });

// The events module's schemas are made before @hono/zod-openapi extends zod, so they are named
// through zod's own metadata, which the generator reads as well.
export const rateRequest = rateRequestSchema.meta({
  id: 'RateRequest',
  description: `A rating of ${MIN_RATING} to ${MAX_RATING} stars in half steps, or null to withdraw. eventId (a UUID) makes a retry safe: send the same one again. ratedAt defaults to the server's time; it must lie between 1970-01-01T00:00:00Z and five minutes from now.`,
  example: { movieId: 318, rating: 4.5 },
});

export const withdrawRequest = rateRequestSchema.pick({ eventId: true, ratedAt: true }).meta({
  id: 'WithdrawRequest',
  description: 'Optional: the eventId (for retries) and time of the withdrawal.',
});

export const acceptedSchema = z
  .object({
    eventId: z.uuid(),
    status: z.literal('accepted'),
  })
  .openapi('Accepted', {
    description:
      'The event was queued; the recommendations follow within seconds (the ingest applies it).',
  });

const recommendedItem = z.object({
  movieId: z.number().int(),
  score: z.number(),
  predictedRating: z.number(),
  because: z
    .object({ movieId: z.number().int(), rating: z.number() })
    .optional()
    .openapi({ description: 'The rating of yours that contributed most.' }),
});

export const recommendationsSchema = z
  .object({
    basis: z.enum(['popular', 'personal']),
    modelVersion: z.string(),
    ratingsCount: z.number().int(),
    items: z.array(recommendedItem),
  })
  .openapi('Recommendations');

export const myRatingsSchema = z
  .object({
    ratings: z.array(
      z.object({
        movieId: z.number().int(),
        rating: z.number(),
        ratedAt: z.string(),
      }),
    ),
  })
  .openapi('MyRatings');

export const movieSchema = z
  .object({
    movieId: z.number().int(),
    title: z.string().nullable(),
    year: z.number().int().nullable(),
    genres: z.array(z.string()),
    meanRating: z.number().nullable(),
    ratingsCount: z.number().int(),
    modelVersion: z.string().nullable(),
  })
  .openapi('Movie');

export const similarSchema = z
  .object({
    movieId: z.number().int(),
    modelVersion: z.string(),
    items: z.array(z.object({ movieId: z.number().int(), score: z.number() })),
  })
  .openapi('SimilarMovies');

export const predictionSchema = z
  .object({
    movieId: z.number().int(),
    predictedRating: z.number(),
    rating: z.number().nullable().openapi({ description: 'Your own rating, if you gave one.' }),
    ratingsUsed: z.number().int(),
    modelVersion: z.string(),
  })
  .openapi('Prediction');

export const popularSchema = z
  .object({
    modelVersion: z.string(),
    items: z.array(
      z.object({
        movieId: z.number().int(),
        score: z.number(),
        meanRating: z.number(),
        ratingsCount: z.number().int(),
      }),
    ),
  })
  .openapi('Popular');

export const statsSchema = z
  .object({
    model: z
      .object({
        version: z.string(),
        publishedAt: z.string(),
        createdAt: z.string(),
        trainedThrough: z.string(),
        training: z.object({ users: z.number().int(), ratings: z.number().int() }),
        metrics: z.record(z.string(), z.number()),
      })
      .nullable(),
    counts: z.object({
      users: z.number().int(),
      movies: z.number().int(),
      ratings: z.number().int(),
    }),
    lastRetrain: z
      .object({
        outcome: z.string(),
        startedAt: z.string().nullable(),
        finishedAt: z.string().nullable(),
      })
      .nullable(),
  })
  .openapi('Stats');

export const deletionSchema = z
  .object({
    firestoreDocuments: z.number().int(),
    bigQuery: z.enum(['deleted', 'scheduled']),
  })
  .openapi('Deletion', {
    description:
      'Your Firestore documents and Auth account are gone and your events are excluded; BigQuery rows are deleted, or scheduled for when the streaming buffer allows.',
  });
