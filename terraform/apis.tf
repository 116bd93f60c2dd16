# The Google APIs the system uses. They stay enabled on destroy: other things in the project
# may use them too, and disabling an API can take resources of its own down with it.

locals {
  services = toset([
    "artifactregistry.googleapis.com", # images of the functions' builds
    "bigquery.googleapis.com",         # rating log, current-ratings view, training reads
    "bigquerystorage.googleapis.com",  # the ingest's appends (Storage Write API)
    "cloudbuild.googleapis.com",       # builds the functions from source
    "cloudfunctions.googleapis.com",   # the three functions (2nd gen)
    "cloudresourcemanager.googleapis.com",
    "cloudscheduler.googleapis.com",  # the nightly retrain
    "dataproc.googleapis.com",        # Spark training batches (dataproc.tf)
    "firebase.googleapis.com",        # Firebase on the project
    "firebasehosting.googleapis.com", # the site
    "firebaserules.googleapis.com",   # firestore.rules, deployed by firebase deploy
    "firestore.googleapis.com",       # users, recommendations, popularity, similar movies
    "iam.googleapis.com",             # service accounts
    "iamcredentials.googleapis.com",  # OIDC/OAuth tokens of the push and scheduler identities
    "identitytoolkit.googleapis.com", # Firebase Authentication (anonymous sign-in)
    "logging.googleapis.com",         # log-based metrics (monitoring.tf)
    "monitoring.googleapis.com",      # dashboard and alert policies
    "pubsub.googleapis.com",          # ratings, retrain, dead letters
    "run.googleapis.com",             # 2nd gen functions run as Cloud Run services
    "serviceusage.googleapis.com",
    "storage.googleapis.com", # model files and function sources
  ])
}

resource "google_project_service" "enabled" {
  for_each           = local.services
  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}
