# Terraform and provider pins. Each provider is pinned to one exact release: the one whose
# schema `npm run check:terraform` checks every resource against (terraform/tools/
# provider-schemas.txt); raise them together with that file, after reading the changelogs.

terraform {
  # 1.9 is the first release whose variable validations may refer to other variables.
  required_version = ">= 1.9.0, < 2.0.0"
  # State in the project's own bucket (PROJECT-reel-tfstate, made by npm run deploy), so a
  # teardown works from any clone: terraform init -backend-config=bucket=PROJECT-reel-tfstate
  backend "gcs" {
    prefix = "reel"
  }
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "8.7.0"
    }
    google-beta = {
      source  = "hashicorp/google-beta"
      version = "8.7.0"
    }
    # Zips the staged functions package at plan time, so no zip tool is needed on the machine.
    archive = {
      source  = "hashicorp/archive"
      version = "2.8.1"
    }
    # The log key (privacy.tf), generated once and kept in the state.
    random = {
      source  = "hashicorp/random"
      version = "3.9.1"
    }
  }
}

# Firebase and Identity Platform APIs bill quota to the caller's project; with user credentials
# (gcloud auth application-default login) that needs user_project_override.
provider "google" {
  project               = var.project_id
  region                = var.region
  user_project_override = true
  billing_project       = var.project_id
}

provider "google-beta" {
  project               = var.project_id
  region                = var.region
  user_project_override = true
  billing_project       = var.project_id
}
