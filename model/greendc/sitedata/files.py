"""Where a site's data year lives: ``<folder>/<site_id>_<year>.nc`` (one file per site and year).

Each file holds the site's typical-year weather (identical in every year) and that year's real
or generated grid series on that year's UTC hour axis. ``DEFAULT_DATA_YEAR`` is used when a
scenario gives no ``data_year``. A folder of the older single-year layout (``<site_id>.nc``)
still works for scenarios without ``data_year``.
"""

from __future__ import annotations

import pathlib
import re

DEFAULT_DATA_YEAR = 2018  # the only year with real SMARD day-ahead prices (see data/SOURCES.md)
_NAME = re.compile(r"^(?P<site>.+)_(?P<year>\d{4})$")


def site_year_path(folder: pathlib.Path, site_id: str, year: int) -> pathlib.Path:
    return pathlib.Path(folder) / f"{site_id}_{int(year)}.nc"


def split_name(path: pathlib.Path) -> tuple[str, int | None]:
    """(site_id, year) of a site file name; year None for a single-year ``<site_id>.nc``."""
    m = _NAME.match(pathlib.Path(path).stem)
    return (m["site"], int(m["year"])) if m else (pathlib.Path(path).stem, None)


def catalogue(folder: pathlib.Path) -> dict[str, list[int | None]]:
    """site_id -> sorted available years (None for a single-year file) of a site folder."""
    out: dict[str, list[int | None]] = {}
    for p in sorted(pathlib.Path(folder).glob("*.nc")):
        site, year = split_name(p)
        out.setdefault(site, []).append(year)
    return {s: sorted(ys, key=lambda y: -1 if y is None else y) for s, ys in out.items()}


def resolve(folder: pathlib.Path, site_id: str, year: int | None) -> pathlib.Path | None:
    """The file of ``site_id`` for ``year`` (None: the default year, else a single-year file)."""
    folder = pathlib.Path(folder)
    path = site_year_path(folder, site_id, year or DEFAULT_DATA_YEAR)
    if path.exists():
        return path
    legacy = folder / f"{site_id}.nc"
    if year is None and legacy.exists():
        return legacy
    return None


def reference_file(site_id: str, year: int | None = None) -> pathlib.Path:
    """Path of a built-in reference site file (default year unless given)."""
    from greendc.resources import SITES_DIR

    return site_year_path(SITES_DIR, site_id, year or DEFAULT_DATA_YEAR)
