"""Where greendc's built-in data live: inside the installed package, found through
``importlib.resources`` (never relative to a repository checkout).

- ``DATA_DIR``: ``catalogue/*.yaml``, ``sites/*.nc`` and ``SOURCES.md`` (package ``greendc.data``);
- ``STUDIES_DIR``: the reference study scenarios and notebook (package ``greendc.studies``).

In a development checkout these are the repository's ``data/`` and ``studies/`` folders
(mapped by ``pyproject.toml``); in a wheel they are folders of the installed package.
"""

from __future__ import annotations

import pathlib
from importlib.resources import files


def _package_dir(package: str) -> pathlib.Path:
    # Installed as plain folders (wheel or editable), so the traversable is a real path.
    return pathlib.Path(str(files(package)))


DATA_DIR = _package_dir("greendc.data")
STUDIES_DIR = _package_dir("greendc.studies")
SITES_DIR = DATA_DIR / "sites"
CATALOGUE_DIR = DATA_DIR / "catalogue"

__all__ = ["CATALOGUE_DIR", "DATA_DIR", "SITES_DIR", "STUDIES_DIR"]
