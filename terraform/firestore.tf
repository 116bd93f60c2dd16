# The (default) Firestore database in Native mode. Its security rules and indexes are deployed
# by `firebase deploy --only firestore` from firestore.rules and firestore.indexes.json.

resource "google_firestore_database" "default" {
  name                              = "(default)"
  location_id                       = local.firestore_location
  type                              = "FIRESTORE_NATIVE"
  concurrency_mode                  = "OPTIMISTIC"
  app_engine_integration_mode       = "DISABLED"
  point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_DISABLED"
  delete_protection_state           = var.deletion_protection ? "DELETE_PROTECTION_ENABLED" : "DELETE_PROTECTION_DISABLED"
  # The default, ABANDON, would leave the database behind on destroy.
  deletion_policy = "DELETE"

  depends_on = [google_project_service.enabled]
}
