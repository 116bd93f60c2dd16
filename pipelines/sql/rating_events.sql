-- Append-only log of every rating event. ${project} and ${dataset} are substituted by the
-- local stack and by Terraform's templatefile(), so both create exactly this table.
-- Partitioned by when Reel received the event, not by ratedAt: BigQuery streams only into
-- partitions of the last five years, and imported history is decades old. Clustered by user
-- and movie, the columns the current_ratings view and the loader's lookups group and filter by.
CREATE TABLE IF NOT EXISTS `${project}.${dataset}.rating_events` (
  eventId STRING NOT NULL,
  userId STRING NOT NULL,
  movieId INT64 NOT NULL,
  rating FLOAT64,
  ratedAt TIMESTAMP NOT NULL,
  source STRING NOT NULL,
  ingestedAt TIMESTAMP NOT NULL
)
PARTITION BY DATE(ingestedAt)
CLUSTER BY userId, movieId;
