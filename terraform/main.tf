# Values derived from the variables and shared by the other files.

locals {
  labels = merge(var.labels, { app = "reel" })

  # The DDL and view files the local stack uses too (pipelines/src/sql/sql-files.ts).
  sql_dir = "${path.module}/../pipelines/sql"

  function_source_dir = coalesce(var.function_source_dir, abspath("${path.module}/../.reel/functions-source"))

  firestore_location = coalesce(var.firestore_location, var.region)

  site_origins = [
    "https://${var.project_id}.web.app",
    "https://${var.project_id}.firebaseapp.com",
  ]

  # Only the hyper-parameters the caller set, in the shape of functions/src/model/config.ts.
  model_config = {
    for part, values in {
      explicit = { factors = var.model.explicit_factors, iterations = var.model.iterations }
      ranking  = { factors = var.model.ranking_factors, iterations = var.model.iterations }
    } : part => { for k, v in values : k => v if v != null }
  }
  model_config_overrides = { for part, values in local.model_config : part => values if length(values) > 0 }
}
