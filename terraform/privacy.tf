# Privacy and abuse limits: the record of "Delete my data" requests, the key of the uid
# pseudonym in logs, the TTL of the rate-limit counters, and App Check (the site's reCAPTCHA
# Enterprise provider, enforcement on Firestore and, through the api function, on writes).

# pipelines/sql/deletions.sql is the source of truth; terraform/terraform.test.ts fails unless
# this schema and clustering are equal to it. The current_ratings view reads it.
resource "google_bigquery_table" "deletions" {
  #checkov:skip=CKV_GCP_80:Google-managed encryption at rest, as for rating_events (bigquery.tf); the table holds uids and times only
  dataset_id          = google_bigquery_dataset.reel.dataset_id
  table_id            = "deletions"
  description         = "One row per Delete my data request; current_ratings leaves these users out. Written by DML only."
  deletion_protection = var.deletion_protection
  labels              = local.labels

  schema     = file("${path.module}/deletions.schema.json")
  clustering = ["userId"]
}

# The HMAC key of the uid pseudonym the functions write to logs instead of the uid
# (REEL_LOG_KEY). Generated once and kept in the state; whoever can read the functions'
# configuration can read it, which is who may already read the logs.
resource "random_password" "log_key" {
  length  = 48
  special = false
}

# Rate-limit counters (functions/src/adapters/firestore-limiter.ts) carry expiresAt; Firestore
# deletes a document within about a day after that time, so counters do not pile up.
resource "google_firestore_field" "rate_limits_ttl" {
  database   = google_firestore_database.default.name
  collection = "rateLimits"
  field      = "expiresAt"

  ttl_config {}

  # TTL fields need no index; leaving them unindexed avoids hot-spotting on timestamps.
  index_config {}
}

resource "google_project_service" "app_check" {
  project            = var.project_id
  service            = "firebaseappcheck.googleapis.com"
  disable_on_destroy = false
}

# The Firebase services whose App Check enforcement follows var.app_check_enforced. The write
# path (the HTTP function) checks the X-Firebase-AppCheck header itself when
# REEL_APP_CHECK_ENFORCED is true; Firestore reads from the site are enforced here.
resource "google_firebase_app_check_service_config" "firestore" {
  provider         = google-beta
  project          = var.project_id
  service_id       = "firestore.googleapis.com"
  enforcement_mode = var.app_check_enforced ? "ENFORCED" : "UNENFORCED"

  depends_on = [google_project_service.app_check]
}

# The site's App Check provider: a score-based reCAPTCHA Enterprise key for the Hosting domains
# (and the extra origins), registered with App Check for the web app. Created whether or not
# enforcement is on, so the site sends tokens from its first deploy: App Check's metrics then
# show what share of requests would pass before app_check_enforced refuses the rest, and
# turning enforcement on needs no new site build. The deploy builds the site with this key
# (output app_check_site_key -> PUBLIC_APP_CHECK_SITE_KEY).
resource "google_project_service" "recaptcha_enterprise" {
  project            = var.project_id
  service            = "recaptchaenterprise.googleapis.com"
  disable_on_destroy = false
}

resource "google_recaptcha_enterprise_key" "site" {
  project      = var.project_id
  display_name = "Reel site (App Check)"
  labels       = local.labels

  web_settings {
    integration_type  = "SCORE"
    allow_all_domains = false
    allowed_domains = distinct([
      for origin in concat(local.site_origins, var.allowed_origins) : regex("^https://([^:/]+)", origin)[0]
    ])
  }

  depends_on = [google_project_service.recaptcha_enterprise]
}

resource "google_firebase_app_check_recaptcha_enterprise_config" "site" {
  provider = google-beta
  project  = var.project_id
  app_id   = google_firebase_web_app.site.app_id
  site_key = google_recaptcha_enterprise_key.site.name

  depends_on = [google_project_service.app_check]
}

# --- The nightly sweep (run by retrainModel before it reads ratings) finishes deletions:
# it deletes the rows of rating_events the streaming buffer kept, marks deletions erased, and
# deletes any Auth account a failed request left.

resource "google_bigquery_table_iam_member" "rating_events_editor_retrain" {
  dataset_id = google_bigquery_table.rating_events.dataset_id
  table_id   = google_bigquery_table.rating_events.table_id
  role       = "roles/bigquery.dataEditor"
  member     = google_service_account.retrain_model.member
}

resource "google_bigquery_table_iam_member" "deletions_editor_retrain" {
  dataset_id = google_bigquery_table.deletions.dataset_id
  table_id   = google_bigquery_table.deletions.table_id
  role       = "roles/bigquery.dataEditor"
  member     = google_service_account.retrain_model.member
}

resource "google_project_iam_member" "firebase_auth_admin_retrain" {
  project = var.project_id
  role    = "roles/firebaseauth.admin"
  member  = google_service_account.retrain_model.member
}

# --- DELETE /v1/me (the api function): records the deletion, deletes the person's rows as soon
# as the streaming buffer allows, and deletes their Auth account.

resource "google_bigquery_table_iam_member" "rating_events_editor_api" {
  dataset_id = google_bigquery_table.rating_events.dataset_id
  table_id   = google_bigquery_table.rating_events.table_id
  role       = "roles/bigquery.dataEditor"
  member     = google_service_account.api.member
}

resource "google_bigquery_table_iam_member" "deletions_editor_api" {
  dataset_id = google_bigquery_table.deletions.dataset_id
  table_id   = google_bigquery_table.deletions.table_id
  role       = "roles/bigquery.dataEditor"
  member     = google_service_account.api.member
}

resource "google_project_iam_member" "bigquery_job_user_api" {
  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = google_service_account.api.member
}

resource "google_project_iam_member" "firebase_auth_admin_api" {
  project = var.project_id
  role    = "roles/firebaseauth.admin"
  member  = google_service_account.api.member
}
