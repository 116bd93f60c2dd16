#!/usr/bin/env bash
# Creates the project-local Python venv that runs the BigQuery and Cloud Storage emulators and
# the benchmark peers. Idempotent: re-runs only when requirements.txt changed.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
stamp="$venv/.requirements.sha256"
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
echo "setting up the Python venv in $venv (emulators and benchmark peers)" >&2
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt
echo "$want" >"$stamp"
