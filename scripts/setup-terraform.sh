#!/usr/bin/env bash
# Installs what `npm run check:terraform` needs and cannot get from npm: checkov in a venv of its
# own, and the google, google-beta, archive and random provider schemas, derived from PyPI's cdktn bindings (the
# providers themselves are not downloadable here, so `terraform validate` cannot run).
# Idempotent: re-runs only when its inputs changed.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=.reel/terraform-tools
stamp="$tools/.inputs.sha256"
want=$(cat terraform/tools/requirements.txt terraform/tools/provider-schemas.txt \
  terraform/provider-schema.ts terraform/derive-provider-schema.ts "$0" | sha256sum | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
echo "setting up the Terraform checks in $tools (checkov, provider schemas)" >&2
mkdir -p "$tools/wheels" "$tools/schemas"
python3 -m venv "$tools/venv"
"$tools/venv/bin/pip" install --quiet --disable-pip-version-check -r terraform/tools/requirements.txt
"$tools/venv/bin/pip" download --quiet --disable-pip-version-check --no-deps --require-hashes \
  -r terraform/tools/provider-schemas.txt -d "$tools/wheels"

for provider in google google-beta archive random; do
  wheel=$(ls "$tools/wheels/cdktn_provider_${provider//-/_}-"*.whl)
  work=$(mktemp -d)
  python3 -m zipfile -e "$wheel" "$work"
  tar -xzf "$work"/cdktn_provider_*/_jsii/*.jsii.tgz -C "$work"
  node --import tsx terraform/derive-provider-schema.ts "$work/package/.jsii" \
    "$(basename "$wheel")" "$tools/schemas/$provider.json"
  rm -rf "$work"
done
echo "$want" >"$stamp"
