# The Cloud Functions (2nd gen), built by Cloud Build from the staged package
# (compiled dist/ + production package.json, see pipelines/src/deploy/stage-functions.ts).
#
# api is an HTTP function behind the Firebase Hosting rewrite /api/** (firebase.json): the
# public API under /v1 (ratings, recommendations, movies, stats; functions/src/api).
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
      REEL_LOG_KEY                     = random_password.log_key.result
      REEL_APP_CHECK_ENFORCED          = tostring(var.app_check_enforced)
    },
    # The write path's limit per client address (functions/src/privacy-config.ts).
    { REEL_RATE_LIMIT_PER_ADDRESS_PER_MINUTE = tostring(var.rate_limit_per_address_per_minute) },
    local.spark_environment,
    length(local.model_config_overrides) > 0 ? { REEL_MODEL_CONFIG = jsonencode(local.model_config_overrides) } : {},
    var.retrain_max_regression != null ? { REEL_RETRAIN_MAX_REGRESSION = tostring(var.retrain_max_regression) } : {},
  )

  function_source = {
    bucket = google_storage_bucket.function_sources.name
    object = google_storage_bucket_object.functions_source.name
  }

  # One entry per function: what differs between them. Adding a function is adding an entry
  # (and its identity in iam.tf); the resource below is the same for all.
  functions = {
    # Public: the browser calls it through the Hosting rewrite; the function checks the token.
    api = {
      name            = "api"
      entry_point     = "api"
      description     = "The public API under /v1 (and /api/v1 through Hosting): ratings in, recommendations, movies and stats out."
      memory          = "${var.function_memory_mib.api}Mi"
      cpu             = tostring(local.cpu_for_memory_mib[tostring(var.function_memory_mib.api)])
      timeout         = 30
      max_instances   = var.max_instances.api
      concurrency     = 80
      service_account = google_service_account.api.email
    }
    # Reachable only with an OIDC token of ratings-push (iam.tf); nobody else may invoke it.
    ingest_rating = {
      name            = "ingest-rating"
      entry_point     = "ingestRating"
      description     = "Push from subscription ratings-ingest: BigQuery append, Firestore ratings, fold-in, recommendations."
      memory          = "${var.function_memory_mib.ingest_rating}Mi"
      cpu             = tostring(local.cpu_for_memory_mib[tostring(var.function_memory_mib.ingest_rating)])
      timeout         = local.ingest_timeout_seconds
      max_instances   = var.max_instances.ingest_rating
      concurrency     = 20
      service_account = google_service_account.ingest_rating.email
    }
    # One training at a time, alone on its instance.
    retrain_model = {
      name            = "retrain-model"
      entry_point     = "retrainModel"
      description     = "Push from subscription retrain-model: BigQuery -> train -> evaluate -> GCS models/{version}/ -> pointer -> republish."
      memory          = "${var.function_memory_mib.retrain_model}Mi"
      cpu             = tostring(var.retrain_cpu)
      timeout         = var.retrain_timeout_seconds
      max_instances   = 1
      concurrency     = 1
      service_account = google_service_account.retrain_model.email
    }
    # One shard of a republish per request; reachable only with republish-push's OIDC token.
    # Folding in is CPU work, the writes wait on Firestore: two shards share a vCPU well.
    republish_users = {
      name            = "republish-users"
      entry_point     = "republishUsers"
      description     = "Push from subscription republish-users: one shard of a republish (people, movies or the popularity list), written conditionally on the model serial."
      memory          = "${var.function_memory_mib.republish_users}Mi"
      cpu             = tostring(local.cpu_for_memory_mib[tostring(var.function_memory_mib.republish_users)])
      timeout         = local.republish_timeout_seconds
      max_instances   = var.max_instances.republish_users
      concurrency     = 2
      service_account = google_service_account.republish_users.email
    }
  }
}

# Build images go to a repository of our own, so the build identity can be granted writer on
# it alone, and old images are cleaned up instead of billed forever.
resource "google_artifact_registry_repository" "functions" {
  #checkov:skip=CKV_GCP_84:build images of this repository's public code; Google-managed encryption at rest
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

# Every function is public at the network level (ALLOW_ALL) and guarded by IAM: api is
# invocable by allUsers and checks the ID token itself; the others only by their push identity.
resource "google_cloudfunctions2_function" "function" {
  #checkov:skip=CKV_GCP_124:IAM guards every function (run.invoker for its push identity only, iam.tf); api must take browser requests through the Hosting rewrite, and the push deliveries come over Google's front end
  for_each = local.functions

  name        = each.value.name
  location    = var.region
  description = each.value.description
  labels      = local.labels

  build_config {
    runtime           = local.runtime
    entry_point       = each.value.entry_point
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
    available_memory                 = each.value.memory
    available_cpu                    = each.value.cpu
    timeout_seconds                  = each.value.timeout
    min_instance_count               = 0
    max_instance_count               = each.value.max_instances
    max_instance_request_concurrency = each.value.concurrency
    ingress_settings                 = "ALLOW_ALL"
    all_traffic_on_latest_revision   = true
    service_account_email            = each.value.service_account
    environment_variables            = local.function_environment
  }

  depends_on = [
    google_project_service.enabled,
    google_artifact_registry_repository_iam_member.build_writer,
    google_project_iam_member.build_log_writer,
    google_project_iam_member.build_source_reader,
  ]
}

# Deployments made before the for_each keep their functions.
moved {
  from = google_cloudfunctions2_function.ingest_rating
  to   = google_cloudfunctions2_function.function["ingest_rating"]
}

moved {
  from = google_cloudfunctions2_function.retrain_model
  to   = google_cloudfunctions2_function.function["retrain_model"]
}
