# What the deploy script and people need after an apply: `terraform output`.

output "site_url" {
  description = "The site (Firebase Hosting default domain)."
  value       = google_firebase_hosting_site.default.default_url
}

output "api_url" {
  description = "The API as the site calls it: same origin, through the Hosting rewrite /api/** -> api (paths /v1/...)."
  value       = "${google_firebase_hosting_site.default.default_url}/api"
}

output "api_function_url" {
  description = "The api function's own URL (the rewrite's target; for smoke tests with curl: $URL/v1/stats)."
  value       = google_cloudfunctions2_function.function["api"].service_config[0].uri
}

output "hosting_rewrite" {
  description = "What firebase.json's /api/** rewrite must name: the api function's Cloud Run service and its region."
  value = {
    serviceId = google_cloudfunctions2_function.function["api"].name
    region    = var.region
  }
}

output "models_bucket" {
  description = "Bucket of models/{version}/ and the pointer models/current.json."
  value       = google_storage_bucket.models.name
}

output "function_sources_bucket" {
  description = "Bucket of the functions' source archives."
  value       = google_storage_bucket.function_sources.name
}

output "topics" {
  description = "Pub/Sub topic names."
  value = {
    ratings             = google_pubsub_topic.ratings.name
    retrain             = google_pubsub_topic.retrain.name
    ratings_dead_letter = google_pubsub_topic.ratings_dead_letter.name
  }
}

output "dead_letter_subscription" {
  description = "Pull subscription holding dead letters for inspection."
  value       = google_pubsub_subscription.ratings_dead_letter_hold.name
}

output "bigquery_dataset" {
  description = "Dataset of rating_events and current_ratings."
  value       = google_bigquery_dataset.reel.dataset_id
}

# The web config is public by design (it ships in the site's JavaScript), but the provider
# marks the API key sensitive, so the output must be too; read it with -json.
output "firebase_web_config" {
  description = "Firebase web app config the site is built with (PUBLIC_FIREBASE_* variables)."
  sensitive   = true
  value = {
    apiKey            = data.google_firebase_web_app_config.site.api_key
    authDomain        = data.google_firebase_web_app_config.site.auth_domain
    projectId         = var.project_id
    appId             = google_firebase_web_app.site.app_id
    messagingSenderId = data.google_firebase_web_app_config.site.messaging_sender_id
    storageBucket     = data.google_firebase_web_app_config.site.storage_bucket
  }
}

output "app_check_site_key" {
  description = "reCAPTCHA Enterprise site key of the site's App Check provider (PUBLIC_APP_CHECK_SITE_KEY of the site build); public, it ships in the site's JavaScript."
  value       = google_recaptcha_enterprise_key.site.name
}
