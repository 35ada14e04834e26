"""Locate files inside installed data packages without importing those packages."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import pathlib

from greendc.errors import MissingExtraError

INSTALL_HINT = "run `bash scripts/install_data_deps.sh` (installs the data extra and data packages)"
_DIST = {"accim": "accim-samples"}


def package_dir(name: str) -> pathlib.Path:
    """Folder of an installed package, found with ``find_spec`` (the package is not imported)."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise MissingExtraError(
            f"data package {_DIST.get(name, name)!r} is not installed; it is needed to rebuild "
            f"site data: {INSTALL_HINT}")
    return pathlib.Path(list(spec.submodule_search_locations)[0])


def package_file(name: str, relpath: str) -> pathlib.Path:
    path = package_dir(name) / relpath
    if not path.is_file():
        raise MissingExtraError(
            f"{path}: file not found in the installed {_DIST.get(name, name)!r}; the pinned "
            f"version is needed: {INSTALL_HINT}")
    return path


def version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def require_module(name: str):
    """Import a computational extra (pvlib, windpowerlib, demandlib) or raise MissingExtraError."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise MissingExtraError(f"{name} is not installed; it is needed to rebuild site data: "
                                f"{INSTALL_HINT}") from None
