# The Spark trainer (docs/spark.md): when a retrain's data outgrows one function, retrainModel
# exports the current ratings (BigQuery EXPORT DATA → Parquet under exports/{version}/ in the
# models bucket), submits a Dataproc Serverless batch running pipelines/spark/train_job.py as
# reel-spark-batch, records the batch and returns. The job writes staging/{version}/, manifest
# last (or staging/{version}/failed.json); Cloud Storage notifies topic model-staged of each
# finalized object there, and its push subscription calls retrainModel again, which runs the
# publish step for a manifest (or records the failure). retrainModel allows one instance and one
# request at a time, so a publish never runs beside a retrain, and the pointer moves only if it
# is still where the gate read it.

locals {
  spark_environment = {
    REEL_SPARK_REGION          = var.region
    REEL_SPARK_JOB_URI         = "gs://${google_storage_bucket.models.name}/${google_storage_bucket_object.spark_job.name}"
    REEL_SPARK_SERVICE_ACCOUNT = google_service_account.spark_batch.email
    REEL_SPARK_RUNTIME_VERSION = var.spark_runtime_version
    REEL_SPARK_EXECUTORS       = tostring(var.spark_executors)
  }
}

resource "google_service_account" "spark_batch" {
  account_id   = "reel-spark-batch"
  display_name = "Reel Spark training batches (Dataproc Serverless)"
  depends_on   = [google_project_service.enabled]
}

# The job script, uploaded from the repository; named by content so a changed script is a new
# object and a running batch keeps reading the one it was submitted with.
resource "google_storage_bucket_object" "spark_job" {
  name   = "jobs/train_job-${filemd5("${path.module}/../pipelines/spark/train_job.py")}.py"
  bucket = google_storage_bucket.models.name
  source = "${path.module}/../pipelines/spark/train_job.py"
}

resource "google_pubsub_topic" "model_staged" {
  #checkov:skip=CKV_GCP_83:object notifications carry names of model files only; Google-managed encryption at rest
  name       = "model-staged"
  labels     = local.labels
  depends_on = [google_project_service.enabled]
}

# Cloud Storage publishes as its own service agent.
data "google_storage_project_service_account" "gcs" {
  project    = var.project_id
  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_topic_iam_member" "model_staged_publisher_gcs" {
  topic  = google_pubsub_topic.model_staged.id
  role   = "roles/pubsub.publisher"
  member = data.google_storage_project_service_account.gcs.member
}

resource "google_storage_notification" "model_staged" {
  bucket             = google_storage_bucket.models.name
  topic              = google_pubsub_topic.model_staged.id
  payload_format     = "JSON_API_V1"
  event_types        = ["OBJECT_FINALIZE"]
  object_name_prefix = "staging/"
  depends_on         = [google_pubsub_topic_iam_member.model_staged_publisher_gcs]
}

resource "google_pubsub_subscription" "model_staged_publish" {
  name  = "model-staged-publish"
  topic = google_pubsub_topic.model_staged.id

  # Pub/Sub's maximum; the publish step runs in retrainModel, whose timeout stays below it.
  ack_deadline_seconds       = 600
  message_retention_duration = "86400s"

  push_config {
    push_endpoint = "${google_cloudfunctions2_function.function["retrain_model"].service_config[0].uri}/${google_pubsub_topic.model_staged.id}"
    oidc_token {
      service_account_email = google_service_account.retrain_push.email
      audience              = google_cloudfunctions2_function.function["retrain_model"].service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = "30s"
    maximum_backoff = "600s"
  }

  expiration_policy {
    ttl = ""
  }

  labels     = local.labels
  depends_on = [google_cloud_run_service_iam_member.retrain_model_invoker]
}

# --- The batch's identity: run as a Dataproc workload, read the export and the script, write
# staged models. Nothing else: it cannot move the pointer or touch published versions.

resource "google_project_iam_member" "dataproc_worker_spark_batch" {
  project = var.project_id
  role    = "roles/dataproc.worker"
  member  = google_service_account.spark_batch.member
}

resource "google_storage_bucket_iam_member" "models_reader_spark_batch" {
  bucket = google_storage_bucket.models.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.spark_batch.member
}

resource "google_storage_bucket_iam_member" "staging_writer_spark_batch" {
  bucket = google_storage_bucket.models.name
  role   = "roles/storage.objectCreator"
  member = google_service_account.spark_batch.member
  condition {
    title       = "reel-staging-only"
    description = "Creates objects under staging/ only; published models and the pointer stay out of reach."
    expression  = "resource.name.startsWith(\"projects/_/buckets/${google_storage_bucket.models.name}/objects/staging/\")"
  }
}

# --- retrainModel may submit, read and cancel batches, and run them as the batch identity only.

resource "google_project_iam_custom_role" "spark_batch_submitter" {
  role_id     = "reelSparkBatchSubmitter"
  title       = "Reel Spark batch submitter"
  description = "Create, read and cancel Dataproc Serverless batches; nothing else of Dataproc."
  permissions = ["dataproc.batches.create", "dataproc.batches.get", "dataproc.batches.cancel"]
}

resource "google_project_iam_member" "spark_batch_submitter_retrain" {
  project = var.project_id
  role    = google_project_iam_custom_role.spark_batch_submitter.name
  member  = google_service_account.retrain_model.member
}

resource "google_service_account_iam_member" "spark_batch_user_retrain" {
  service_account_id = google_service_account.spark_batch.name
  role               = "roles/iam.serviceAccountUser"
  member             = google_service_account.retrain_model.member
}

# A batch that dies without writing failed.json (killed, cancelled, past its TTL, lost by
# Dataproc) causes no notification. Every 30 minutes retrainModel is asked to read the state of
# the batch the retrain record names (dataproc.batches.get) and to record it as failed if it
# ended; a retrain does the same before it starts. Published as scheduler.tf's nightly job is.
resource "google_cloud_scheduler_job" "spark_batch_check" {
  name             = "reel-spark-batch-check"
  region           = var.region
  description      = "Asks retrainModel whether the Spark batch in progress ended without a model."
  schedule         = "*/30 * * * *"
  time_zone        = "Etc/UTC"
  attempt_deadline = "60s"

  http_target {
    http_method = "POST"
    uri         = "https://pubsub.googleapis.com/v1/${google_pubsub_topic.retrain.id}:publish"
    headers = {
      "Content-Type" = "application/json"
    }
    body = base64encode(jsonencode({
      messages = [{
        data       = base64encode(jsonencode({ check = "spark" }))
        attributes = { trigger = "check" }
      }]
    }))
    oauth_token {
      service_account_email = google_service_account.scheduler.email
      scope                 = "https://www.googleapis.com/auth/pubsub"
    }
  }

  depends_on = [
    google_project_service.enabled,
    google_pubsub_topic_iam_member.retrain_publisher_scheduler,
  ]
}
