"""Plain numpy view of the inputs Dataset, taken once before building.

``add_*`` functions read arrays from here by position (site i, cooling j, server k, tech r,
hour t), never ``.sel()`` inside an hourly rule: that keeps the build linear in the horizon.

Two per-step numbers, never interchangeable (``greendc.inputs``):
- ``step_h`` = ``dt_h[t]`` [h], the step's duration: intertemporal equations only
  (``battery_soc`` and its typical-day variant).
- ``weight_h[t]`` [h of the year the step stands for]: annual sums only (cost, emissions,
  CFE target, energy, water).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from greendc.errors import DataError


@dataclass(frozen=True)
class ModelData:
    sites: list[str]
    coolings: list[str]
    servers: list[str]
    techs: list[str]
    hours: int
    arrays: dict[str, np.ndarray]
    attrs: dict[str, Any]
    backups: tuple[str, ...] = ()  # backup gensets (dim ``backup``, only with continuity)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]

    @property
    def step_h(self) -> np.ndarray:
        """Duration of each time step [h] (intertemporal equations)."""
        return self.arrays["dt_h"]

    @property
    def weight_h(self) -> np.ndarray:
        """Hours of the year each step stands for [h] (annual sums)."""
        return self.arrays["weight_h"]

    def index(self, dim: str, label: str) -> int:
        return getattr(self, {"site": "sites", "cooling": "coolings", "server": "servers",
                              "tech": "techs"}[dim]).index(label)


def model_data(inputs: xr.Dataset) -> ModelData:
    """Extract every inputs variable as a numpy array in canonical dim order."""
    for name in ("dt_h", "weight_h"):
        if name not in inputs:
            raise DataError(f"inputs lack {name!r} [h] (time step duration and annual weight "
                            "are both required; see greendc.inputs)")
    order = ("site", "server", "cooling", "tech", "backup", "time")
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
        backups=tuple(str(g) for g in inputs["backup"].values) if "backup" in inputs.coords
        else (),
    )
