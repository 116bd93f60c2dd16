-- Append-only log of every rating event. ${project} and ${dataset} are substituted by the
-- local stack and by Terraform's templatefile(), so both create exactly this table.
CREATE TABLE IF NOT EXISTS `${project}.${dataset}.rating_events` (
  eventId STRING NOT NULL,
  userId STRING NOT NULL,
  movieId INT64 NOT NULL,
  rating FLOAT64,
  ratedAt TIMESTAMP NOT NULL,
  source STRING NOT NULL,
  ingestedAt TIMESTAMP NOT NULL
)
PARTITION BY DATE(ratedAt)
CLUSTER BY userId;
