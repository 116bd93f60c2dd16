# Topics and the subscriptions that deliver them. The functions are triggered by push
# subscriptions declared here (Google's "direct Pub/Sub trigger") rather than by Eventarc, so
# that message ordering, the retry backoff and the dead-letter policy are part of the plan
# instead of settings of a subscription Eventarc creates and Terraform cannot see. It is the
# same mechanism the local stack uses against the emulator: a push to the function's URL ending
# in /projects/P/topics/T, which the Functions Framework turns into a CloudEvent.

resource "google_pubsub_topic" "ratings" {
  #checkov:skip=CKV_GCP_83:Google-managed encryption at rest; customer keys (Cloud KMS) would add a key ring to run, pay for and never lose, for ratings that are MovieLens data and anonymous visitors' stars
  name       = "ratings"
  labels     = local.labels
  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_topic" "retrain" {
  #checkov:skip=CKV_GCP_83:retrain requests carry no data; Google-managed encryption at rest
  name       = "retrain"
  labels     = local.labels
  depends_on = [google_project_service.enabled]
}

# Receives both the events ingestRating rejects (published with the reason) and the ones Pub/Sub
# gave up on after var.dead_letter_max_delivery_attempts deliveries.
resource "google_pubsub_topic" "ratings_dead_letter" {
  #checkov:skip=CKV_GCP_83:Google-managed encryption at rest; customer keys (Cloud KMS) would add a key ring to run, pay for and never lose, for ratings that are MovieLens data and anonymous visitors' stars
  name       = "ratings-dead-letter"
  labels     = local.labels
  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_subscription" "ratings_ingest" {
  name  = "ratings-ingest"
  topic = google_pubsub_topic.ratings.id

  # One user's events arrive in the order the api function published them (ordering key = uid).
  enable_message_ordering = true
  # Above the function's timeout, so a slow success is not redelivered.
  ack_deadline_seconds       = local.ingest_timeout_seconds + 30
  message_retention_duration = "604800s"

  push_config {
    push_endpoint = "${google_cloudfunctions2_function.function["ingest_rating"].service_config[0].uri}/${google_pubsub_topic.ratings.id}"
    oidc_token {
      service_account_email = google_service_account.ratings_push.email
      audience              = google_cloudfunctions2_function.function["ingest_rating"].service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = "5s"
    maximum_backoff = "300s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.ratings_dead_letter.id
    max_delivery_attempts = var.dead_letter_max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  labels = local.labels

  # The dead-letter grants must exist before Pub/Sub forwards the first failure.
  depends_on = [
    google_pubsub_topic_iam_member.dead_letter_publisher_pubsub_agent,
    google_cloud_run_service_iam_member.ingest_rating_invoker,
  ]
}

resource "google_pubsub_subscription" "retrain_model" {
  name  = "retrain-model"
  topic = google_pubsub_topic.retrain.id

  # Pub/Sub's maximum; the retrain's timeout (at most 540 s) stays below it.
  ack_deadline_seconds = 600
  # A failed retrain is retried with backoff for an hour, then dropped: the next scheduled
  # run tries again, and a retry loop of a large training would only cost money.
  message_retention_duration = "3600s"

  push_config {
    push_endpoint = "${google_cloudfunctions2_function.function["retrain_model"].service_config[0].uri}/${google_pubsub_topic.retrain.id}"
    oidc_token {
      service_account_email = google_service_account.retrain_push.email
      audience              = google_cloudfunctions2_function.function["retrain_model"].service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = "60s"
    maximum_backoff = "600s"
  }

  expiration_policy {
    ttl = ""
  }

  labels     = local.labels
  depends_on = [google_cloud_run_service_iam_member.retrain_model_invoker]
}

# A topic keeps nothing without a subscription: this one holds dead letters for a week so they
# can be read (gcloud pubsub subscriptions pull ratings-dead-letter-hold) and replayed.
resource "google_pubsub_subscription" "ratings_dead_letter_hold" {
  name                       = "ratings-dead-letter-hold"
  topic                      = google_pubsub_topic.ratings_dead_letter.id
  message_retention_duration = "604800s"
  ack_deadline_seconds       = 60

  expiration_policy {
    ttl = ""
  }

  labels = local.labels
}

# --- Republish: the publish step (in retrainModel, or npm run rollback) fans the republish of
# every user, movie and the popularity list out as one message per shard; republishUsers
# handles one shard per delivery. A shard is idempotent (writes are conditional on the model
# serial), so a failed or timed-out delivery is simply delivered again and finishes the shard.

resource "google_pubsub_topic" "republish" {
  #checkov:skip=CKV_GCP_83:republish shards carry user ids and model versions only; Google-managed encryption at rest
  name       = "republish"
  labels     = local.labels
  depends_on = [google_project_service.enabled]
}

# Shards Pub/Sub gave up on after var.dead_letter_max_delivery_attempts deliveries; replaying one
# (publishing it to republish again) finishes its part of the republish.
resource "google_pubsub_topic" "republish_dead_letter" {
  #checkov:skip=CKV_GCP_83:failed republish shards (user ids and model versions only); Google-managed encryption at rest
  name       = "republish-dead-letter"
  labels     = local.labels
  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_subscription" "republish_users" {
  name  = "republish-users"
  topic = google_pubsub_topic.republish.id

  # Above the function's timeout, so a slow shard is not redelivered while it runs.
  ack_deadline_seconds = local.republish_timeout_seconds + 30
  # A republish older than a day has long been superseded or finished.
  message_retention_duration = "86400s"

  push_config {
    push_endpoint = "${google_cloudfunctions2_function.function["republish_users"].service_config[0].uri}/${google_pubsub_topic.republish.id}"
    oidc_token {
      service_account_email = google_service_account.republish_push.email
      audience              = google_cloudfunctions2_function.function["republish_users"].service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.republish_dead_letter.id
    max_delivery_attempts = var.dead_letter_max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  labels = local.labels

  depends_on = [
    google_pubsub_topic_iam_member.republish_dead_letter_publisher_pubsub_agent,
    google_cloud_run_service_iam_member.republish_users_invoker,
  ]
}

resource "google_pubsub_subscription" "republish_dead_letter_hold" {
  name                       = "republish-dead-letter-hold"
  topic                      = google_pubsub_topic.republish_dead_letter.id
  message_retention_duration = "604800s"
  ack_deadline_seconds       = 60

  expiration_policy {
    ttl = ""
  }

  labels = local.labels
}
