#!/usr/bin/env bash
# A Python venv for the export round-trip test (crates/loupe-data/tests/export_pyarrow.rs):
# pyarrow and GeoPandas from PyPI read what Loupe writes. Creates .venv-test/ once and prints
# the interpreter's path; the test finds it through LOUPE_PYTHON.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-test
if ! "$venv/bin/python" -c 'import pyarrow, geopandas' 2>/dev/null; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check pyarrow geopandas >&2
fi
echo "$PWD/$venv/bin/python"
