# The three Cloud Functions (2nd gen), built by Cloud Build from the staged package
# (compiled dist/ + production package.json, see pipelines/src/deploy/stage-functions.ts).
#
# rateMovie is an HTTP function behind the Firebase Hosting rewrite /api/** (firebase.json).
# ingestRating and retrainModel are CloudEvent functions in the code but deployed without an
# Eventarc trigger: the push subscriptions in pubsub.tf deliver to them, authenticated with
# OIDC tokens of identities that may invoke only their own function.

locals {
  runtime = "nodejs22"

  ingest_timeout_seconds = 60

  # A shard of var.republish_users_per_shard people takes seconds (docs/capacity.md): the
  # timeout leaves a wide margin for a slow Firestore ramp.
  republish_timeout_seconds = 300

  # Cloud Run's smallest vCPU count for a memory size; 1 vCPU is also the minimum for serving
  # more than one request per instance.
  cpu_for_memory_mib = { for mib in [256, 512, 1024, 2048, 4096, 8192, 16384, 24576, 32768] :
    tostring(mib) => mib <= 4096 ? 1 : mib <= 8192 ? 2 : mib <= 16384 ? 4 : mib <= 24576 ? 6 : 8
  }

  # One configuration for every function (functions/src/config parses it once per instance).
  function_environment = merge(
    {
      GOOGLE_CLOUD_PROJECT             = var.project_id
      REEL_DATASET                     = google_bigquery_dataset.reel.dataset_id
      REEL_MODELS_BUCKET               = google_storage_bucket.models.name
      REEL_RATINGS_TOPIC               = google_pubsub_topic.ratings.name
      REEL_DEAD_LETTER_TOPIC           = google_pubsub_topic.ratings_dead_letter.name
      REEL_REPUBLISH_TOPIC             = google_pubsub_topic.republish.name
      REEL_REPUBLISH_DEAD_LETTER_TOPIC = google_pubsub_topic.republish_dead_letter.name
      REEL_REPUBLISH_USERS_PER_SHARD   = tostring(var.republish_users_per_shard)
      REEL_ROLLBACK_TARGETS            = tostring(var.rollback_targets)
      REEL_ALLOWED_ORIGINS             = join(",", concat(local.site_origins, var.allowed_origins))
      REEL_RATE_LIMIT_PER_MINUTE       = tostring(var.rate_limit_per_minute)
      REEL_TOP_N                       = tostring(var.top_n)
    },
    local.spark_environment,
    length(local.model_config_overrides) > 0 ? { REEL_MODEL_CONFIG = jsonencode(local.model_config_overrides) } : {},
    var.retrain_max_regression != null ? { REEL_RETRAIN_MAX_REGRESSION = tostring(var.retrain_max_regression) } : {},
  )

  function_source = {
    bucket = google_storage_bucket.function_sources.name
    object = google_storage_bucket_object.functions_source.name
  }
}

# Build images go to a repository of our own, so the build identity can be granted writer on
# it alone, and old images are cleaned up instead of billed forever.
resource "google_artifact_registry_repository" "functions" {
  repository_id = "reel-functions"
  location      = var.region
  format        = "DOCKER"
  description   = "Images of Reel's Cloud Functions builds."
  labels        = local.labels

  cleanup_policy_dry_run = false
  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 5
    }
  }
  cleanup_policies {
    id     = "delete-older-than-30-days"
    action = "DELETE"
    condition {
      older_than = "2592000s"
    }
  }

  depends_on = [google_project_service.enabled]
}

resource "google_cloudfunctions2_function" "rate_movie" {
  name        = "rate-movie"
  location    = var.region
  description = "POST /api/ratings: verifies the Firebase ID token, validates, publishes to ratings, answers 202."
  labels      = local.labels

  build_config {
    runtime           = local.runtime
    entry_point       = "rateMovie"
    service_account   = google_service_account.build.id
    docker_repository = google_artifact_registry_repository.functions.id
    source {
      storage_source {
        bucket = local.function_source.bucket
        object = local.function_source.object
      }
    }
  }

  service_config {
    available_memory                 = "${var.function_memory_mib.rate_movie}Mi"
    available_cpu                    = tostring(local.cpu_for_memory_mib[tostring(var.function_memory_mib.rate_movie)])
    timeout_seconds                  = 30
    min_instance_count               = 0
    max_instance_count               = var.max_instances.rate_movie
    max_instance_request_concurrency = 80
    # Public: the browser calls it through the Hosting rewrite; the function checks the token.
    ingress_settings               = "ALLOW_ALL"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.rate_movie.email
    environment_variables          = local.function_environment
  }

  depends_on = [
    google_project_service.enabled,
    google_artifact_registry_repository_iam_member.build_writer,
    google_project_iam_member.build_log_writer,
    google_project_iam_member.build_source_reader,
  ]
}

resource "google_cloudfunctions2_function" "ingest_rating" {
  name        = "ingest-rating"
  location    = var.region
  description = "Push from subscription ratings-ingest: BigQuery append, Firestore ratings, fold-in, recommendations."
  labels      = local.labels

  build_config {
    runtime           = local.runtime
    entry_point       = "ingestRating"
    service_account   = google_service_account.build.id
    docker_repository = google_artifact_registry_repository.functions.id
    source {
      storage_source {
        bucket = local.function_source.bucket
        object = local.function_source.object
      }
    }
  }

  service_config {
    available_memory                 = "${var.function_memory_mib.ingest_rating}Mi"
    available_cpu                    = tostring(local.cpu_for_memory_mib[tostring(var.function_memory_mib.ingest_rating)])
    timeout_seconds                  = local.ingest_timeout_seconds
    min_instance_count               = 0
    max_instance_count               = var.max_instances.ingest_rating
    max_instance_request_concurrency = 20
    # Reachable only with an OIDC token of ratings-push (IAM below); nobody else may invoke it.
    ingress_settings               = "ALLOW_ALL"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.ingest_rating.email
    environment_variables          = local.function_environment
  }

  depends_on = [
    google_project_service.enabled,
    google_artifact_registry_repository_iam_member.build_writer,
    google_project_iam_member.build_log_writer,
    google_project_iam_member.build_source_reader,
  ]
}

resource "google_cloudfunctions2_function" "retrain_model" {
  name        = "retrain-model"
  location    = var.region
  description = "Push from subscription retrain-model: BigQuery -> train -> evaluate -> GCS models/{version}/ -> pointer -> republish."
  labels      = local.labels

  build_config {
    runtime           = local.runtime
    entry_point       = "retrainModel"
    service_account   = google_service_account.build.id
    docker_repository = google_artifact_registry_repository.functions.id
    source {
      storage_source {
        bucket = local.function_source.bucket
        object = local.function_source.object
      }
    }
  }

  service_config {
    available_memory   = "${var.function_memory_mib.retrain_model}Mi"
    available_cpu      = tostring(var.retrain_cpu)
    timeout_seconds    = var.retrain_timeout_seconds
    min_instance_count = 0
    # One training at a time, alone on its instance.
    max_instance_count               = 1
    max_instance_request_concurrency = 1
    ingress_settings                 = "ALLOW_ALL"
    all_traffic_on_latest_revision   = true
    service_account_email            = google_service_account.retrain_model.email
    environment_variables            = local.function_environment
  }

  depends_on = [
    google_project_service.enabled,
    google_artifact_registry_repository_iam_member.build_writer,
    google_project_iam_member.build_log_writer,
    google_project_iam_member.build_source_reader,
  ]
}

resource "google_cloudfunctions2_function" "republish_users" {
  name        = "republish-users"
  location    = var.region
  description = "Push from subscription republish-users: one shard of a republish (people, movies or the popularity list), written conditionally on the model serial."
  labels      = local.labels

  build_config {
    runtime           = local.runtime
    entry_point       = "republishUsers"
    service_account   = google_service_account.build.id
    docker_repository = google_artifact_registry_repository.functions.id
    source {
      storage_source {
        bucket = local.function_source.bucket
        object = local.function_source.object
      }
    }
  }

  service_config {
    available_memory   = "${var.function_memory_mib.republish_users}Mi"
    available_cpu      = tostring(local.cpu_for_memory_mib[tostring(var.function_memory_mib.republish_users)])
    timeout_seconds    = local.republish_timeout_seconds
    min_instance_count = 0
    max_instance_count = var.max_instances.republish_users
    # Folding in is CPU work, the writes wait on Firestore: two shards share a vCPU well.
    max_instance_request_concurrency = 2
    ingress_settings                 = "ALLOW_ALL"
    all_traffic_on_latest_revision   = true
    service_account_email            = google_service_account.republish_users.email
    environment_variables            = local.function_environment
  }

  depends_on = [
    google_project_service.enabled,
    google_artifact_registry_repository_iam_member.build_writer,
    google_project_iam_member.build_log_writer,
    google_project_iam_member.build_source_reader,
  ]
}
