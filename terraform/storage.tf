# Buckets: the models (read by every ingest, written by the retrain) and the functions' source
# archives (read by Cloud Build).

resource "google_storage_bucket" "models" {
  #checkov:skip=CKV_GCP_62:object reads and writes are in Cloud Audit Logs (Data Access logs, enabled per project or organisation); usage logs would need a second bucket and parsing
  name                        = "${var.project_id}-reel-models"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = !var.deletion_protection
  labels                      = local.labels

  # models/current.json is overwritten at every publish; its old generations are the history
  # of what was served, and a deleted model file stays recoverable for a while.
  versioning {
    enabled = true
  }

  # Only noncurrent generations expire. Live objects never do, whatever their age: the pointer
  # may keep naming an old models/{version}/ for months (every retrain since may have been
  # rejected), and rollback needs the versions before it. Pruning old versions is the
  # retrain's job, because only it knows which versions the pointer and rollback still need.
  lifecycle_rule {
    condition {
      with_state                 = "ARCHIVED"
      days_since_noncurrent_time = var.model_noncurrent_retention_days
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      age = 1
    }
    action {
      type = "AbortIncompleteMultipartUpload"
    }
  }

  # Versioning already keeps deleted objects; soft delete would bill them a second time.
  soft_delete_policy {
    retention_duration_seconds = 0
  }

  depends_on = [google_project_service.enabled]
}

resource "google_storage_bucket" "function_sources" {
  #checkov:skip=CKV_GCP_62:holds only build archives of public code; Cloud Audit Logs record access
  #checkov:skip=CKV_GCP_78:archives are named by content hash and never overwritten; versions would only keep deleted archives
  name                        = "${var.project_id}-reel-function-sources"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  # Nothing here is precious: every archive is rebuilt from the repository.
  force_destroy = true
  labels        = local.labels

  soft_delete_policy {
    retention_duration_seconds = 0
  }

  depends_on = [google_project_service.enabled]
}

data "archive_file" "functions_source" {
  type        = "zip"
  source_dir  = local.function_source_dir
  output_path = "${path.module}/.terraform/functions-source.zip"

  lifecycle {
    precondition {
      condition     = fileexists("${local.function_source_dir}/package.json")
      error_message = "No staged functions package in ${local.function_source_dir}. Run `npm run stage:functions` (or `npm run deploy`) first."
    }
  }
}

# Named by content: a changed package is a new object, which makes every function rebuild;
# an unchanged one plans no change at all.
resource "google_storage_bucket_object" "functions_source" {
  name   = "functions/${data.archive_file.functions_source.output_md5}.zip"
  bucket = google_storage_bucket.function_sources.name
  source = data.archive_file.functions_source.output_path
}
