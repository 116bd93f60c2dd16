# Inputs. Every variable that takes free input is validated here, so a typo fails at plan
# time with a message that says what to write instead, not halfway through an apply.

variable "project_id" {
  description = "Google Cloud project to deploy into (needs billing). Never a demo- project: those are the emulator-only ids of the local stack."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a Google Cloud project id: 6-30 characters, lowercase letters, digits and hyphens, starting with a letter."
  }
  validation {
    condition     = !startswith(var.project_id, "demo-")
    error_message = "project_id starts with demo-, the prefix of emulator-only projects (the local stack uses demo-reel). Use a real project with billing enabled."
  }
}

variable "region" {
  description = "Region for the functions, buckets, BigQuery dataset, Artifact Registry and Scheduler."
  type        = string
  default     = "us-central1"
  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a Google Cloud region such as us-central1 or europe-west1 (not a zone like us-central1-a, not a multi-region)."
  }
}

variable "firestore_location" {
  description = "Location of the (default) Firestore database: a region, or a multi-region (nam5, eur3). Null uses var.region. Cannot change after creation."
  type        = string
  default     = null
  validation {
    condition     = var.firestore_location == null || can(regex("^([a-z]+-[a-z]+[0-9]+|nam5|eur3)$", var.firestore_location))
    error_message = "firestore_location must be a region (e.g. us-central1) or one of the multi-regions nam5, eur3."
  }
}

variable "retrain_schedule" {
  description = "Cron schedule (5 fields, Cloud Scheduler syntax) of the retrain. Default: nightly at 03:00."
  type        = string
  default     = "0 3 * * *"
  validation {
    # Minute, hour and day of month are numeric; month and day of week also take names (JAN, MON).
    condition     = can(regex("^[0-9*/,-]+( [0-9*/,-]+){2}( ([0-9*/,-]|[A-Za-z]{3})+){2}$", var.retrain_schedule))
    error_message = "retrain_schedule must be a 5-field cron expression (minute hour day-of-month month day-of-week) of digits, *, /, , and -, with names allowed for month and day of week, e.g. \"0 3 * * *\" for nightly at 03:00 or \"0 3 * * MON\" for Mondays."
  }
}

variable "retrain_time_zone" {
  description = "IANA time zone the retrain schedule is read in."
  type        = string
  default     = "Etc/UTC"
  validation {
    condition     = can(regex("^[A-Za-z]+(/[A-Za-z0-9_+-]+)+$", var.retrain_time_zone)) || var.retrain_time_zone == "UTC"
    error_message = "retrain_time_zone must be an IANA time zone such as Etc/UTC or Europe/Paris."
  }
}

variable "model" {
  description = "Overrides of the model's hyper-parameters, passed to the functions as REEL_MODEL_CONFIG (JSON). Unset fields keep the defaults in functions/src/model/config.ts."
  type = object({
    ranking_factors  = optional(number)
    explicit_factors = optional(number)
    iterations       = optional(number)
  })
  default = {}
  validation {
    condition = alltrue([
      for k in [var.model.ranking_factors, var.model.explicit_factors] :
      k == null ? true : (floor(k) == k && k >= 1 && k <= 512)
    ])
    error_message = "model.ranking_factors and model.explicit_factors (the latent dimension k) must be whole numbers from 1 to 512."
  }
  validation {
    condition     = var.model.iterations == null ? true : (floor(var.model.iterations) == var.model.iterations && var.model.iterations >= 1 && var.model.iterations <= 100)
    error_message = "model.iterations must be a whole number from 1 to 100."
  }
}

variable "function_memory_mib" {
  description = "Memory of each function in MiB. The CPU follows from it (Cloud Run's minimum for that memory), except the retrain's, which is var.retrain_cpu."
  type = object({
    api             = optional(number, 1024)
    ingest_rating   = optional(number, 1024)
    retrain_model   = optional(number, 8192)
    republish_users = optional(number, 1024)
  })
  default = {}
  validation {
    condition = alltrue([
      for mib in values(var.function_memory_mib) : contains([256, 512, 1024, 2048, 4096, 8192, 16384, 24576, 32768], mib)
    ])
    error_message = "function_memory_mib values must be one of 256, 512, 1024, 2048, 4096, 8192, 16384, 24576, 32768 (32768 = 32 GiB is Cloud Run's maximum)."
  }
  validation {
    condition     = var.function_memory_mib.api <= 4096 && var.function_memory_mib.ingest_rating <= 4096 && var.function_memory_mib.republish_users <= 4096
    error_message = "api, ingest_rating and republish_users run on 1 vCPU, which allows at most 4096 MiB; they need far less."
  }
}

variable "retrain_cpu" {
  description = "vCPUs of the retrain function (the trainer uses them in parallel)."
  type        = number
  default     = 4
  validation {
    condition     = contains([1, 2, 4, 6, 8], var.retrain_cpu)
    error_message = "retrain_cpu must be 1, 2, 4, 6 or 8."
  }
  validation {
    # Cloud Run's pairs: 1 vCPU up to 4 GiB, 2 up to 8, 4 from 2 to 16, 6 from 4 to 24, 8 from 4 to 32.
    condition = (
      var.function_memory_mib.retrain_model <= var.retrain_cpu * 4096 &&
      var.function_memory_mib.retrain_model >= (var.retrain_cpu >= 6 ? 4096 : var.retrain_cpu == 4 ? 2048 : 0)
    )
    error_message = "retrain_cpu does not fit function_memory_mib.retrain_model. Cloud Run allows: 1 vCPU with up to 4096 MiB, 2 with up to 8192, 4 with 2048-16384, 6 with 4096-24576, 8 with 4096-32768."
  }
}

variable "retrain_timeout_seconds" {
  description = "Timeout of one retrain. At most 540 s: the retrain is delivered by a Pub/Sub push, whose acknowledgement deadline is at most 600 s, and a longer run would be redelivered while still running."
  type        = number
  default     = 540
  validation {
    condition     = floor(var.retrain_timeout_seconds) == var.retrain_timeout_seconds && var.retrain_timeout_seconds >= 60 && var.retrain_timeout_seconds <= 540
    error_message = "retrain_timeout_seconds must be a whole number from 60 to 540. Larger trainings need the BigQuery ML path (see the README's scale notes), not a longer timeout."
  }
}

variable "max_instances" {
  description = "Upper bound on instances per function: the cost ceiling under a traffic spike."
  type = object({
    api             = optional(number, 20)
    ingest_rating   = optional(number, 20)
    republish_users = optional(number, 50)
  })
  default = {}
  validation {
    condition     = alltrue([for n in values(var.max_instances) : floor(n) == n && n >= 1 && n <= 1000])
    error_message = "max_instances values must be whole numbers from 1 to 1000."
  }
}

variable "allowed_origins" {
  description = "Extra browser origins allowed to call the rating API (CORS), besides the site's own https://PROJECT.web.app and https://PROJECT.firebaseapp.com."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for o in var.allowed_origins : can(regex("^https://[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$", o))])
    error_message = "allowed_origins must be origins like https://reel.example.com: https, lowercase host, optional port, no path, no trailing slash, no wildcard."
  }
}

variable "rate_limit_per_minute" {
  description = "Ratings one user may post per minute before the API answers 429."
  type        = number
  default     = 60
  validation {
    condition     = floor(var.rate_limit_per_minute) == var.rate_limit_per_minute && var.rate_limit_per_minute >= 1 && var.rate_limit_per_minute <= 1000
    error_message = "rate_limit_per_minute must be a whole number from 1 to 1000."
  }
}

variable "rate_limit_per_address_per_minute" {
  description = "Writes (ratings, withdrawals, deletions) one client address may make per minute, whatever the accounts, before the API answers 429: what bounds the fresh anonymous accounts one address can write with."
  type        = number
  default     = 300
  validation {
    condition     = floor(var.rate_limit_per_address_per_minute) == var.rate_limit_per_address_per_minute && var.rate_limit_per_address_per_minute >= 1 && var.rate_limit_per_address_per_minute <= 100000
    error_message = "rate_limit_per_address_per_minute must be a whole number from 1 to 100000."
  }
}

variable "top_n" {
  description = "Length of each user's recommendation list."
  type        = number
  default     = 20
  validation {
    condition     = floor(var.top_n) == var.top_n && var.top_n >= 1 && var.top_n <= 200
    error_message = "top_n must be a whole number from 1 to 200."
  }
}

variable "retrain_max_regression" {
  description = "How much a new model may score below the current one on the held-out split and still be published. Null keeps the functions' default."
  type        = number
  default     = null
  validation {
    condition     = var.retrain_max_regression == null ? true : (var.retrain_max_regression >= 0 && var.retrain_max_regression <= 1)
    error_message = "retrain_max_regression must be from 0 to 1 (a difference of metric values), or null for the default."
  }
}

variable "dead_letter_max_delivery_attempts" {
  description = "Deliveries of a rating event before Pub/Sub moves it to ratings-dead-letter."
  type        = number
  default     = 5
  validation {
    condition     = floor(var.dead_letter_max_delivery_attempts) == var.dead_letter_max_delivery_attempts && var.dead_letter_max_delivery_attempts >= 5 && var.dead_letter_max_delivery_attempts <= 100
    error_message = "dead_letter_max_delivery_attempts must be a whole number from 5 to 100 (Pub/Sub's allowed range)."
  }
}

variable "model_noncurrent_retention_days" {
  description = "Days an overwritten or deleted object in the models bucket (an old models/current.json, a removed model file) is kept before it is deleted."
  type        = number
  default     = 30
  validation {
    condition     = floor(var.model_noncurrent_retention_days) == var.model_noncurrent_retention_days && var.model_noncurrent_retention_days >= 1 && var.model_noncurrent_retention_days <= 3650
    error_message = "model_noncurrent_retention_days must be a whole number from 1 to 3650."
  }
}

variable "app_check_enforced" {
  description = "Refuse writes (the HTTP function) and Firestore reads that carry no valid Firebase App Check token. The site's provider (reCAPTCHA Enterprise, privacy.tf) is registered and sends tokens either way: turn this on once App Check's metrics show the site's requests verified. Off by default and always off locally."
  type        = bool
  default     = false
}

variable "deletion_protection" {
  description = "Protects the rating log, the Firestore database and the models bucket from terraform destroy. Set false and apply before tearing down."
  type        = bool
  default     = true
}

variable "function_source_dir" {
  description = "Directory holding the staged functions package (compiled dist/ + production package.json), made by `npm run deploy` or `npm run stage:functions`. Null uses .reel/functions-source at the repository root."
  type        = string
  default     = null
}

variable "labels" {
  description = "Labels put on every resource that takes them."
  type        = map(string)
  default     = {}
  validation {
    condition = alltrue([
      for k, v in var.labels : can(regex("^[a-z][a-z0-9_-]{0,62}$", k)) && can(regex("^[a-z0-9_-]{0,63}$", v))
    ])
    error_message = "labels keys must start with a lowercase letter and, like values, hold at most 63 lowercase letters, digits, _ or -."
  }
}

variable "notification_channels" {
  description = "Cloud Monitoring notification channels the alert policies notify, as projects/PROJECT/notificationChannels/ID (create one with `gcloud beta monitoring channels create` or in the console). Empty: alerts show in the console only."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for c in var.notification_channels : can(regex("^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/notificationChannels/[0-9]+$", c))])
    error_message = "notification_channels must be full names like projects/my-reel-project/notificationChannels/1234567890."
  }
}

variable "ingest_latency_target_ms" {
  description = "Alert when the 95th percentile of ingestRating's rating -> recommendations time is above this, in ms."
  type        = number
  default     = 2000
  validation {
    condition     = var.ingest_latency_target_ms >= 100 && var.ingest_latency_target_ms <= 600000
    error_message = "ingest_latency_target_ms must be from 100 to 600000 (10 minutes)."
  }
}

variable "ingest_error_rate_percent" {
  description = "Alert when more than this percentage of ingestRating deliveries fail over 10 minutes."
  type        = number
  default     = 5
  validation {
    condition     = var.ingest_error_rate_percent > 0 && var.ingest_error_rate_percent <= 100
    error_message = "ingest_error_rate_percent must be above 0 and at most 100."
  }
}

variable "spark_runtime_version" {
  description = "Serverless for Apache Spark runtime of the training batches (docs/spark.md): 2.2 runs Spark 3.5 with Java 17; the job also runs on Spark 4.0 (runtime 3.0, and pyspark 4.0.1 locally)."
  type        = string
  default     = "2.2"
  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+$", var.spark_runtime_version))
    error_message = "spark_runtime_version must be a runtime version such as 2.2 or 3.0."
  }
}

variable "spark_executors" {
  description = "Executors of each training batch (4 vCPUs, 16 GiB each by default); docs/spark.md works out how many a data size needs."
  type        = number
  default     = 2
  validation {
    condition     = floor(var.spark_executors) == var.spark_executors && var.spark_executors >= 2 && var.spark_executors <= 1000
    error_message = "spark_executors must be a whole number from 2 (Dataproc Serverless's minimum) to 1000."
  }
}

variable "republish_users_per_shard" {
  description = "People per republish shard (one Pub/Sub message, one republishUsers delivery). See docs/capacity.md for why a shard this size fits the function's timeout."
  type        = number
  default     = 250
  validation {
    condition     = floor(var.republish_users_per_shard) == var.republish_users_per_shard && var.republish_users_per_shard >= 1 && var.republish_users_per_shard <= 5000
    error_message = "republish_users_per_shard must be a whole number from 1 to 5000."
  }
}

variable "rollback_targets" {
  description = "Published model versions older than the serving one kept for rollback; older ones are deleted after each publish."
  type        = number
  default     = 3
  validation {
    condition     = floor(var.rollback_targets) == var.rollback_targets && var.rollback_targets >= 0 && var.rollback_targets <= 100
    error_message = "rollback_targets must be a whole number from 0 to 100."
  }
}
