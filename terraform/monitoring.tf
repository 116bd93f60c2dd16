# Production's eyes: metrics drawn from the functions' structured logs (functions/src/logging/
# logger.ts writes one JSON object per line; Cloud Logging keeps its fields as jsonPayload), a
# dashboard (dashboard.json) and alert policies. Alerts go to var.notification_channels.

locals {
  # Cloud Run functions log as their Cloud Run service.
  function_logs = { for key, fn in local.functions : key =>
    "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${fn.name}\""
  }

  log_metric_prefix = "logging.googleapis.com/user/"
}

# --- Log-based metrics

# Every event ingestRating handled, by what happened to it (applied, or kept an earlier or newer
# rating: jsonPayload.decision).
resource "google_logging_metric" "ingest_events" {
  name        = "reel_ingest_events"
  description = "Rating events ingestRating stored, by decision (applied, stale, duplicate, ...)."
  filter      = "${local.function_logs.ingest_rating} AND jsonPayload.decision:*"
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
    labels {
      key         = "decision"
      value_type  = "STRING"
      description = "What the last-write-wins rule decided."
    }
  }
  label_extractors = {
    decision = "EXTRACT(jsonPayload.decision)"
  }
}

# From the push's arrival to the user's recommendations written (jsonPayload.latencyMs): the
# part of rating -> recommendations the product controls; Pub/Sub's delivery comes before it.
resource "google_logging_metric" "ingest_latency" {
  name            = "reel_ingest_latency"
  description     = "ingestRating: ms from receiving a rating to the user's recommendations written."
  filter          = "${local.function_logs.ingest_rating} AND jsonPayload.decision:* AND jsonPayload.latencyMs:*"
  value_extractor = "EXTRACT(jsonPayload.latencyMs)"
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "DISTRIBUTION"
    unit        = "ms"
  }
  bucket_options {
    exponential_buckets {
      num_finite_buckets = 64
      growth_factor      = 1.2
      scale              = 1
    }
  }
}

resource "google_logging_metric" "ingest_dead_lettered" {
  name        = "reel_ingest_dead_lettered"
  description = "Rating events ingestRating rejected to ratings-dead-letter (invalid, unknown movie)."
  filter      = "${local.function_logs.ingest_rating} AND jsonPayload.message=\"rating dead-lettered\""
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }
}

# A failure Pub/Sub retries (BigQuery, Firestore or the model unreachable).
resource "google_logging_metric" "ingest_failures" {
  name        = "reel_ingest_failures"
  description = "ingestRating deliveries that failed and will be retried (ERROR entries)."
  filter      = "${local.function_logs.ingest_rating} AND severity=ERROR"
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }
}

resource "google_logging_metric" "models_published" {
  name        = "reel_models_published"
  description = "Models the retrain published (the pointer moved to a new version)."
  filter      = "${local.function_logs.retrain_model} AND jsonPayload.message=\"model published\""
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }
}

resource "google_logging_metric" "retrain_failures" {
  name        = "reel_retrain_failures"
  description = "Retrains that failed (ERROR entries of retrainModel); the serving model stays."
  filter      = "${local.function_logs.retrain_model} AND severity=ERROR"
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }
}

# --- Dashboard

resource "google_monitoring_dashboard" "reel" {
  dashboard_json = templatefile("${path.module}/dashboard.json.tftpl", {
    dead_letter_subscription = google_pubsub_subscription.ratings_dead_letter_hold.name
    retrain_service          = local.functions.retrain_model.name
    latency_target_ms        = var.ingest_latency_target_ms
  })

  # The metrics must exist before a chart can name them.
  depends_on = [
    google_logging_metric.ingest_events,
    google_logging_metric.ingest_latency,
    google_logging_metric.ingest_dead_lettered,
    google_logging_metric.ingest_failures,
    google_logging_metric.models_published,
    google_logging_metric.retrain_failures,
  ]
}

# --- Alert policies

resource "google_monitoring_alert_policy" "dead_letter_backlog" {
  display_name          = "Reel: dead letters waiting"
  combiner              = "OR"
  notification_channels = var.notification_channels
  documentation {
    content   = "Rating events sit in ${google_pubsub_subscription.ratings_dead_letter_hold.name}: read them with `gcloud pubsub subscriptions pull ${google_pubsub_subscription.ratings_dead_letter_hold.name} --limit 10` (each carries the reason), fix the cause, then replay or acknowledge them."
    mime_type = "text/markdown"
  }
  conditions {
    display_name = "undelivered dead letters > 0 for 10 min"
    condition_threshold {
      filter          = "resource.type = \"pubsub_subscription\" AND resource.labels.subscription_id = \"${google_pubsub_subscription.ratings_dead_letter_hold.name}\" AND metric.type = \"pubsub.googleapis.com/subscription/num_undelivered_messages\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "600s"
      aggregations {
        alignment_period   = "60s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }
  depends_on = [google_project_service.enabled]
}

resource "google_monitoring_alert_policy" "ingest_errors" {
  display_name          = "Reel: ingest failing"
  combiner              = "OR"
  notification_channels = var.notification_channels
  documentation {
    content   = "More than ${var.ingest_error_rate_percent}% of ingestRating deliveries failed over 10 minutes. The ERROR entries of the ${local.functions.ingest_rating.name} service say why (BigQuery, Firestore or the model files); Pub/Sub retries them and dead-letters after ${var.dead_letter_max_delivery_attempts} attempts."
    mime_type = "text/markdown"
  }
  conditions {
    display_name = "failed deliveries / all deliveries > ${var.ingest_error_rate_percent}%"
    condition_prometheus_query_language {
      query               = "sum(rate(logging_googleapis_com:user_reel_ingest_failures[10m])) / (sum(rate(logging_googleapis_com:user_reel_ingest_failures[10m])) + sum(rate(logging_googleapis_com:user_reel_ingest_events[10m])) + sum(rate(logging_googleapis_com:user_reel_ingest_dead_lettered[10m]))) * 100 > ${var.ingest_error_rate_percent}"
      duration            = "300s"
      evaluation_interval = "60s"
    }
  }
  depends_on = [google_logging_metric.ingest_failures, google_logging_metric.ingest_events, google_logging_metric.ingest_dead_lettered]
}

resource "google_monitoring_alert_policy" "no_model_published" {
  display_name          = "Reel: no model published in 36 h"
  combiner              = "OR"
  notification_channels = var.notification_channels
  documentation {
    content   = "The nightly retrain has not published a model for 36 hours: the serving model is getting old. Look at the ${local.functions.retrain_model.name} service's logs for `retrain failed` or `retrain refused`, and at the Cloud Scheduler job's last run."
    mime_type = "text/markdown"
  }
  conditions {
    display_name = "models published in the last 36 h < 1"
    condition_prometheus_query_language {
      # `or vector(0)`: no series at all (nothing ever published) counts as zero.
      query               = "(sum(increase(logging_googleapis_com:user_reel_models_published[36h])) or vector(0)) < 1"
      duration            = "0s"
      evaluation_interval = "300s"
    }
  }
  depends_on = [google_logging_metric.models_published]
}

resource "google_monitoring_alert_policy" "ingest_latency" {
  display_name          = "Reel: recommendations slow"
  combiner              = "OR"
  notification_channels = var.notification_channels
  documentation {
    content   = "The 95th percentile of ingestRating's time from a rating to the user's new recommendations is above ${var.ingest_latency_target_ms} ms. Check the function's instances (cold starts, max_instances) and the bigqueryMs / firestoreMs fields of its log entries."
    mime_type = "text/markdown"
  }
  conditions {
    display_name = "p95 ingest latency > ${var.ingest_latency_target_ms} ms for 10 min"
    condition_threshold {
      filter          = "resource.type = \"cloud_run_revision\" AND metric.type = \"${local.log_metric_prefix}${google_logging_metric.ingest_latency.name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = var.ingest_latency_target_ms
      duration        = "600s"
      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_DELTA"
        cross_series_reducer = "REDUCE_PERCENTILE_95"
      }
    }
  }
}
