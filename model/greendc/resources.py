"""Where greendc's built-in data live: inside the installed package, found through
``importlib.resources`` (never relative to a repository checkout).

- ``DATA_DIR``: ``catalogue/*.yaml``, ``sites/*.nc`` and ``SOURCES.md`` (package ``greendc.data``);
- ``STUDIES_DIR``: the reference study scenarios and notebook (package ``greendc.studies``).

In a development checkout these are the repository's ``data/`` and ``studies/`` folders
(mapped by ``pyproject.toml``); in a wheel they are folders of the installed package.

``study_path(name)``: a scenario argument that is not an existing file but the name of a
built-in study (``reference_sites``, ``heat_reuse.yaml`` ...) means that study, so
``greendc run reference_sites`` works from any folder.
"""

from __future__ import annotations

import os
import pathlib
from importlib.resources import files


def _package_dir(package: str) -> pathlib.Path:
    # Installed as plain folders (wheel or editable), so the traversable is a real path.
    return pathlib.Path(str(files(package)))


DATA_DIR = _package_dir("greendc.data")
STUDIES_DIR = _package_dir("greendc.studies")
SITES_DIR = DATA_DIR / "sites"
CATALOGUE_DIR = DATA_DIR / "catalogue"



def study_path(source: str | os.PathLike) -> pathlib.Path:
    """``source`` when it exists or is a path with folders; else the built-in study of that
    name in ``STUDIES_DIR`` if there is one; else ``source`` (the loader names the missing file)."""
    path = pathlib.Path(source)
    if path.exists() or len(path.parts) != 1:
        return path
    builtin = STUDIES_DIR / (path.name if path.suffix in (".yaml", ".yml") else f"{path.name}.yaml")
    return builtin if builtin.is_file() else path


__all__ = ["CATALOGUE_DIR", "DATA_DIR", "SITES_DIR", "STUDIES_DIR", "study_path"]
