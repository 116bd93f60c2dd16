# The rating log and the view the nightly training reads.
#
# The table is a google_bigquery_table, not a DDL job: a resource shows schema drift in the
# plan, can be protected from deletion and is updated in place when a column is added, where a
# job only runs once. pipelines/sql/rating_events.sql stays the one source of truth:
# terraform/terraform.test.ts parses it and fails unless the schema, partitioning and
# clustering here are equal to it. The view has no such duplication: its query is the file.

resource "google_bigquery_dataset" "reel" {
  #checkov:skip=CKV_GCP_81:Google-managed encryption at rest; customer keys (Cloud KMS) would add a key ring to run, pay for and never lose, for ratings that are MovieLens data and anonymous visitors' stars
  dataset_id  = "reel"
  location    = var.region
  description = "Reel: append-only rating events and the current rating per user and movie."
  labels      = local.labels

  # Protected by the tables' deletion_protection; destroy drops what is left.
  delete_contents_on_destroy = !var.deletion_protection

  depends_on = [google_project_service.enabled]
}

resource "google_bigquery_table" "rating_events" {
  #checkov:skip=CKV_GCP_80:Google-managed encryption at rest; customer keys (Cloud KMS) would add a key ring to run, pay for and never lose, for ratings that are MovieLens data and anonymous visitors' stars
  dataset_id          = google_bigquery_dataset.reel.dataset_id
  table_id            = "rating_events"
  description         = "Every rating event as published to Pub/Sub, plus ingestedAt (partitioning column). Append-only; live events streamed (insertId = eventId), imports loaded by load jobs."
  deletion_protection = var.deletion_protection
  labels              = local.labels

  # BigQuery's JSON schema format (usable by `bq mk --schema` too). It names INT64 and FLOAT64
  # columns INTEGER and FLOAT, as the API reports them, so the plan has no perpetual diff; the
  # test maps the DDL's names onto these.
  schema = file("${path.module}/rating_events.schema.json")

  # By receipt time (ingestedAt), so imported history is accepted; see the DDL file.
  time_partitioning {
    type  = "DAY"
    field = "ingestedAt"
  }

  clustering = ["userId", "movieId"]
}

resource "google_bigquery_table" "current_ratings" {
  #checkov:skip=CKV_GCP_80:a view stores no data
  #checkov:skip=CKV_GCP_121:a view holds no data and is recreated from pipelines/sql/current_ratings.sql
  dataset_id          = google_bigquery_dataset.reel.dataset_id
  table_id            = "current_ratings"
  description         = "The latest rating per (user, movie) by ratedAt, withdrawals dropped. Read by the nightly retrain."
  deletion_protection = false
  labels              = local.labels

  view {
    query = templatefile("${local.sql_dir}/current_ratings.sql", {
      project = var.project_id
      dataset = google_bigquery_dataset.reel.dataset_id
    })
    use_legacy_sql = false
  }

  # The view's query names the tables; they must exist first.
  depends_on = [google_bigquery_table.rating_events, google_bigquery_table.deletions]
}
