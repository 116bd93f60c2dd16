-- The current rating per (user, movie): the latest event by ratedAt, ties broken by the last 8
-- hex digits of eventId and then by the larger rating (the order the ingest applies in
-- Firestore: functions/src/ratings/last-write-wins.ts), duplicate deliveries collapsed,
-- withdrawn ratings dropped. Body of the current_ratings view.
SELECT userId, movieId, rating, ratedAt
FROM (
  SELECT
    userId,
    movieId,
    rating,
    ratedAt,
    ROW_NUMBER() OVER (
      PARTITION BY userId, movieId
      ORDER BY ratedAt DESC, SUBSTR(LOWER(eventId), 29) DESC, rating DESC NULLS LAST
    ) AS recency
  FROM `${project}.${dataset}.rating_events`
)
WHERE recency = 1 AND rating IS NOT NULL
  -- People who deleted their data, from the moment the deletion is recorded (deletions.sql).
  AND userId NOT IN (SELECT userId FROM `${project}.${dataset}.deletions`)
