-- One row per "Delete my data" request, written by DML (never streamed, so it can be updated
-- at once). The current_ratings view leaves out every userId listed here from the moment the
-- row exists; the nightly sweep deletes their rating_events rows once BigQuery allows and
-- sets erasedAt. ${project} and ${dataset} are substituted by the local stack and Terraform.
CREATE TABLE IF NOT EXISTS `${project}.${dataset}.deletions` (
  userId STRING NOT NULL,
  requestedAt TIMESTAMP NOT NULL,
  erasedAt TIMESTAMP
)
CLUSTER BY userId;
