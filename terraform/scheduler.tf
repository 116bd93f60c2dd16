# The nightly retrain: Cloud Scheduler publishes one message to the retrain topic.
#
# It calls the Pub/Sub API as an HTTP target with an OAuth token of its own service account
# instead of using a pubsub_target: a pubsub_target publishes as the Cloud Scheduler service
# agent, whose role may publish to every topic in the project, while this identity may publish
# to the retrain topic only (iam.tf).

resource "google_cloud_scheduler_job" "retrain_nightly" {
  name             = "reel-retrain-nightly"
  region           = var.region
  description      = "Publishes to the retrain topic; retrainModel trains, evaluates and publishes a model."
  schedule         = var.retrain_schedule
  time_zone        = var.retrain_time_zone
  attempt_deadline = "60s"

  retry_config {
    retry_count          = 3
    min_backoff_duration = "30s"
    max_backoff_duration = "300s"
  }

  http_target {
    http_method = "POST"
    uri         = "https://pubsub.googleapis.com/v1/${google_pubsub_topic.retrain.id}:publish"
    headers = {
      "Content-Type" = "application/json"
    }
    body = base64encode(jsonencode({
      messages = [{
        data       = base64encode(jsonencode({ trigger = "schedule" }))
        attributes = { trigger = "schedule" }
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
