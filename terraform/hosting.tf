# Firebase on the project: the Hosting site, the web app whose config the site is built with,
# and Authentication with anonymous sign-in (the site signs every visitor in anonymously).
# firebase.json, firestore.rules and firestore.indexes.json are deployed by
# `firebase deploy --only hosting,firestore`; they are not Terraform's.

resource "google_firebase_project" "default" {
  provider   = google-beta
  project    = var.project_id
  depends_on = [google_project_service.enabled]
}

resource "google_firebase_web_app" "site" {
  provider        = google-beta
  project         = var.project_id
  display_name    = "Reel"
  deletion_policy = "DELETE"
  depends_on      = [google_firebase_project.default]
}

data "google_firebase_web_app_config" "site" {
  provider   = google-beta
  project    = var.project_id
  web_app_id = google_firebase_web_app.site.app_id
}

# The default site (id = project id), which firebase.json deploys to without naming it.
resource "google_firebase_hosting_site" "default" {
  provider = google-beta
  project  = var.project_id
  site_id  = var.project_id
  app_id   = google_firebase_web_app.site.app_id
}

resource "google_identity_platform_config" "auth" {
  project = var.project_id

  sign_in {
    allow_duplicate_emails = false
    anonymous {
      enabled = true
    }
  }

  # Sign-in is accepted from these origins only.
  authorized_domains = concat(
    ["localhost", "${var.project_id}.web.app", "${var.project_id}.firebaseapp.com"],
    [for origin in var.allowed_origins : regex("^https://([^:/]+)", origin)[0]],
  )

  depends_on = [google_firebase_project.default]
}
