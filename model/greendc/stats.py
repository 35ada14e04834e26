"""Tidy KPI tables for notebooks: ``greendc.statistics(results)``.

One row per scalar KPI of a results Dataset (``greendc.solve_study``), with its value, unit
and meaning, in a pandas DataFrame (index ``kpi``). A front Dataset (``greendc.pareto``)
gives one row per (point, KPI): filter or pivot it
(``table.pivot(index="point", columns="kpi", values="value")``).
"""

from __future__ import annotations

import pandas as pd
import xarray as xr


def statistics(results: xr.Dataset) -> pd.DataFrame:
    """KPIs of a results or front Dataset as a tidy table: columns ``value``, ``units``,
    ``description`` (index ``kpi``; a front adds the column ``point``)."""
    if not isinstance(results, xr.Dataset):
        raise TypeError(f"statistics() takes a results or front xarray.Dataset, got "
                        f"{type(results).__name__}")
    if "point" in results.dims:
        names = [v for v in results.data_vars if results[v].dims == ("point",)
                 and results[v].dtype.kind in "fiub"]
        rows = [{"point": int(p), "kpi": v, "value": _number(results[v].sel(point=p)),
                 "units": results[v].attrs.get("units", ""),
                 "description": results[v].attrs.get("long_name", "")}
                for p in results.point.values for v in names]
        return pd.DataFrame(rows, columns=["point", "kpi", "value", "units", "description"])
    names = [v for v in results.data_vars if results[v].ndim == 0
             and results[v].dtype.kind in "fiub"]
    table = pd.DataFrame({"value": [_number(results[v]) for v in names],
                          "units": [results[v].attrs.get("units", "") for v in names],
                          "description": [results[v].attrs.get("long_name", "") for v in names]},
                         index=pd.Index(names, name="kpi"))
    return table


def _number(da: xr.DataArray):
    value = da.values.item()
    if isinstance(value, bool):
        return value
    return int(value) if float(value).is_integer() and da.dtype.kind in "iu" else float(value)
