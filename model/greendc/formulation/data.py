"""Plain numpy view of the inputs Dataset, taken once before building.

``add_*`` functions read arrays from here by position (site i, cooling j, server k, tech r,
hour t), never ``.sel()`` inside an hourly rule: that keeps the build linear in the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr


@dataclass(frozen=True)
class ModelData:
    sites: list[str]
    coolings: list[str]
    servers: list[str]
    techs: list[str]
    hours: int
    arrays: dict[str, np.ndarray]
    attrs: dict[str, Any]

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]

    def index(self, dim: str, label: str) -> int:
        return getattr(self, {"site": "sites", "cooling": "coolings", "server": "servers",
                              "tech": "techs"}[dim]).index(label)


def model_data(inputs: xr.Dataset) -> ModelData:
    """Extract every inputs variable as a numpy array in canonical dim order."""
    order = ("site", "server", "cooling", "tech", "time")
    arrays = {}
    for name, da in inputs.data_vars.items():
        dims = tuple(d for d in order if d in da.dims)
        arrays[name] = da.transpose(*dims).values
    return ModelData(
        sites=[str(s) for s in inputs.site.values],
        coolings=[str(c) for c in inputs.cooling.values],
        servers=[str(k) for k in inputs.server.values],
        techs=[str(r) for r in inputs.tech.values],
        hours=int(inputs.sizes["time"]),
        arrays=arrays,
        attrs=dict(inputs.attrs),
    )
