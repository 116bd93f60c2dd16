#!/usr/bin/env bash
# Creates the project-local Python venv that runs the BigQuery and Cloud Storage emulators and
# the benchmark peers. Idempotent: re-runs only when requirements.txt or this script changed.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv
stamp="$venv/.requirements.sha256"
want=$(cat requirements.txt "$0" | sha256sum | cut -d' ' -f1)
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
echo "setting up the Python venv in $venv (emulators and benchmark peers)" >&2
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt

# DuckDB looks for extensions under $HOME/.duckdb/extensions; the stack runs bqemulator with
# HOME=$venv/duckdb-home, so installing the wheels' extension files there keeps bqemulator from
# downloading them at start (and keeps the user's own ~/.duckdb untouched).
"$venv/bin/python" - "$venv/duckdb-home/.duckdb/extensions" <<'PY'
import pathlib, sys
import duckdb
import duckdb_extension_avro, duckdb_extension_spatial

target = sys.argv[1]
connection = duckdb.connect(config={"extension_directory": target})
for module, name in ((duckdb_extension_spatial, "spatial"), (duckdb_extension_avro, "avro")):
    files = list(pathlib.Path(module.__file__).parent.glob(f"extensions/v*/{name}.duckdb_extension"))
    if len(files) != 1:
        sys.exit(f"expected one {name}.duckdb_extension in {module.__name__}, found {files}")
    connection.execute(f"FORCE INSTALL '{files[0]}'")
installed = connection.execute(
    "SELECT extension_name FROM duckdb_extensions() WHERE installed AND extension_name IN ('spatial', 'avro')"
).fetchall()
if len(installed) != 2:
    sys.exit(f"DuckDB extensions not installed into {target}: {installed}")
PY
echo "$want" >"$stamp"
