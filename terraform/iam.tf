# Identities and what each may do. One service account per function, plus one per push
# subscription, one for the scheduler and one for builds, each granted only the roles it uses,
# on the narrowest resource that takes the grant. No basic roles (owner/editor/viewer).
#
# The project-level grants below, and why they cannot be narrower:
#   roles/datastore.user      Firestore grants server access per project (the project has one
#   roles/datastore.viewer    database, (default)); security rules do not apply to service accounts.
#   roles/bigquery.jobUser    a query is a job, and jobs belong to the project, not to a dataset;
#                             what the query may read is granted on the dataset.
#   roles/logging.logWriter   build logs are written to the project's log buckets.
#   roles/storage.objectAdmin for the build only, and only on buckets whose names the condition
#                             lists: the source bucket and the gcf-v2-* buckets Cloud Functions
#                             creates for itself, which Terraform cannot name before they exist.

resource "google_service_account" "api" {
  account_id   = "reel-api"
  display_name = "Reel api function"
  depends_on   = [google_project_service.enabled]
}

resource "google_service_account" "ingest_rating" {
  account_id   = "reel-ingest-rating"
  display_name = "Reel ingestRating function"
  depends_on   = [google_project_service.enabled]
}

resource "google_service_account" "retrain_model" {
  account_id   = "reel-retrain-model"
  display_name = "Reel retrainModel function"
  depends_on   = [google_project_service.enabled]
}

resource "google_service_account" "ratings_push" {
  account_id   = "reel-ratings-push"
  display_name = "Reel push identity: ratings-ingest -> ingestRating"
  depends_on   = [google_project_service.enabled]
}

resource "google_service_account" "retrain_push" {
  account_id   = "reel-retrain-push"
  display_name = "Reel push identity: retrain-model -> retrainModel"
  depends_on   = [google_project_service.enabled]
}

resource "google_service_account" "scheduler" {
  account_id   = "reel-scheduler"
  display_name = "Reel nightly retrain publisher"
  depends_on   = [google_project_service.enabled]
}

resource "google_service_account" "build" {
  account_id   = "reel-build"
  display_name = "Reel Cloud Functions builds"
  depends_on   = [google_project_service.enabled]
}

# The Pub/Sub service agent exists only once the API has been used; this makes sure it does.
resource "google_project_service_identity" "pubsub" {
  provider   = google-beta
  project    = var.project_id
  service    = "pubsub.googleapis.com"
  depends_on = [google_project_service.enabled]
}

locals {
  pubsub_agent = "serviceAccount:${google_project_service_identity.pubsub.email}"
}

# --- api: publish ratings, read Firestore (ratings, movies) and the models bucket (models,
# catalogue, retrain status); invoked by anyone (the function verifies ID tokens itself).

resource "google_pubsub_topic_iam_member" "ratings_publisher_api" {
  topic  = google_pubsub_topic.ratings.id
  role   = "roles/pubsub.publisher"
  member = google_service_account.api.member
}

# Reads ratings and movies; writes the shared rate-limit counters and deletes a person's
# documents (DELETE /v1/me).
resource "google_project_iam_member" "firestore_user_api" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = google_service_account.api.member
}

resource "google_storage_bucket_iam_member" "models_reader_api" {
  bucket = google_storage_bucket.models.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.api.member
}

resource "google_cloud_run_service_iam_member" "api_public" {
  #checkov:skip=CKV_GCP_102:the public API by design: public reads need no token, and the function verifies the Firebase ID token of every request about "me" and rate-limits writes per user
  location = google_cloudfunctions2_function.function["api"].location
  service  = google_cloudfunctions2_function.function["api"].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# --- ingestRating: append to rating_events (Storage Write API: tables.get and updateData on the
# table), read and write Firestore, read models, and publish rejected events to the dead-letter
# topic.

resource "google_bigquery_table_iam_member" "rating_events_editor_ingest" {
  dataset_id = google_bigquery_table.rating_events.dataset_id
  table_id   = google_bigquery_table.rating_events.table_id
  role       = "roles/bigquery.dataEditor"
  member     = google_service_account.ingest_rating.member
}

resource "google_project_iam_member" "firestore_user_ingest" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = google_service_account.ingest_rating.member
}

resource "google_storage_bucket_iam_member" "models_reader_ingest" {
  bucket = google_storage_bucket.models.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.ingest_rating.member
}

resource "google_pubsub_topic_iam_member" "dead_letter_publisher_ingest" {
  topic  = google_pubsub_topic.ratings_dead_letter.id
  role   = "roles/pubsub.publisher"
  member = google_service_account.ingest_rating.member
}

# --- retrainModel: query the dataset, write model files and the pointer, write Firestore.

resource "google_project_iam_member" "bigquery_job_user_retrain" {
  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = google_service_account.retrain_model.member
}

resource "google_bigquery_dataset_iam_member" "reel_viewer_retrain" {
  dataset_id = google_bigquery_dataset.reel.dataset_id
  role       = "roles/bigquery.dataViewer"
  member     = google_service_account.retrain_model.member
}

# objectUser: create, read, overwrite (the pointer, with ifGenerationMatch) and delete (pruning)
# objects; unlike objectAdmin it cannot change the bucket's IAM.
resource "google_storage_bucket_iam_member" "models_writer_retrain" {
  bucket = google_storage_bucket.models.name
  role   = "roles/storage.objectUser"
  member = google_service_account.retrain_model.member
}

resource "google_project_iam_member" "firestore_user_retrain" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = google_service_account.retrain_model.member
}

# --- Push subscriptions: each identity may invoke its own function only.

resource "google_cloud_run_service_iam_member" "ingest_rating_invoker" {
  location = google_cloudfunctions2_function.function["ingest_rating"].location
  service  = google_cloudfunctions2_function.function["ingest_rating"].name
  role     = "roles/run.invoker"
  member   = google_service_account.ratings_push.member
}

resource "google_cloud_run_service_iam_member" "retrain_model_invoker" {
  location = google_cloudfunctions2_function.function["retrain_model"].location
  service  = google_cloudfunctions2_function.function["retrain_model"].name
  role     = "roles/run.invoker"
  member   = google_service_account.retrain_push.member
}

# Pub/Sub mints the push OIDC tokens as these identities (required for projects created before
# 8 April 2021, harmless after).
resource "google_service_account_iam_member" "ratings_push_token_creator" {
  service_account_id = google_service_account.ratings_push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
}

resource "google_service_account_iam_member" "retrain_push_token_creator" {
  service_account_id = google_service_account.retrain_push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
}

# Dead-lettering: Pub/Sub forwards as its service agent, which must publish to the dead-letter
# topic and acknowledge on the source subscription.
resource "google_pubsub_topic_iam_member" "dead_letter_publisher_pubsub_agent" {
  topic  = google_pubsub_topic.ratings_dead_letter.id
  role   = "roles/pubsub.publisher"
  member = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "ratings_ingest_subscriber_pubsub_agent" {
  subscription = google_pubsub_subscription.ratings_ingest.id
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

# --- Scheduler: publish to retrain, nothing else.

resource "google_pubsub_topic_iam_member" "retrain_publisher_scheduler" {
  topic  = google_pubsub_topic.retrain.id
  role   = "roles/pubsub.publisher"
  member = google_service_account.scheduler.member
}

# --- Builds: read the source, write images to our repository, write build logs.

resource "google_artifact_registry_repository_iam_member" "build_writer" {
  location   = google_artifact_registry_repository.functions.location
  repository = google_artifact_registry_repository.functions.name
  role       = "roles/artifactregistry.writer"
  member     = google_service_account.build.member
}

resource "google_project_iam_member" "build_log_writer" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = google_service_account.build.member
}

resource "google_project_iam_member" "build_source_reader" {
  project = var.project_id
  role    = "roles/storage.objectAdmin"
  member  = google_service_account.build.member
  condition {
    title       = "reel-function-source-buckets"
    description = "The functions' source bucket and the gcf-v2-* buckets Cloud Functions stages sources in."
    expression  = "resource.name.startsWith(\"projects/_/buckets/${google_storage_bucket.function_sources.name}\") || resource.name.startsWith(\"projects/_/buckets/gcf-v2-\")"
  }
}

# --- republishUsers: read the models and the pointer, write Firestore (users, recommendations,
# movies, popularity list, the model records). The retrain (and npm run rollback, as the
# operator) publishes its shards.

resource "google_service_account" "republish_users" {
  account_id   = "reel-republish-users"
  display_name = "Reel republishUsers function"
  depends_on   = [google_project_service.enabled]
}

resource "google_service_account" "republish_push" {
  account_id   = "reel-republish-push"
  display_name = "Reel push identity: republish-users -> republishUsers"
  depends_on   = [google_project_service.enabled]
}

resource "google_project_iam_member" "firestore_user_republish" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = google_service_account.republish_users.member
}

resource "google_storage_bucket_iam_member" "models_reader_republish" {
  bucket = google_storage_bucket.models.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.republish_users.member
}

resource "google_pubsub_topic_iam_member" "republish_publisher_retrain" {
  topic  = google_pubsub_topic.republish.id
  role   = "roles/pubsub.publisher"
  member = google_service_account.retrain_model.member
}

resource "google_cloud_run_service_iam_member" "republish_users_invoker" {
  location = google_cloudfunctions2_function.function["republish_users"].location
  service  = google_cloudfunctions2_function.function["republish_users"].name
  role     = "roles/run.invoker"
  member   = google_service_account.republish_push.member
}

resource "google_service_account_iam_member" "republish_push_token_creator" {
  service_account_id = google_service_account.republish_push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
}

resource "google_pubsub_topic_iam_member" "republish_dead_letter_publisher_pubsub_agent" {
  topic  = google_pubsub_topic.republish_dead_letter.id
  role   = "roles/pubsub.publisher"
  member = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "republish_users_subscriber_pubsub_agent" {
  subscription = google_pubsub_subscription.republish_users.id
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}
