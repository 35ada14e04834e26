"""check_site_dataset / read_site_file on small in-memory datasets (no data extras needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from greendc.errors import DataError
from greendc.sitedata.checks import check_site_dataset
from greendc.sitedata.io import read_site_file, write_site_file
from tests.conftest import synthetic_site

ORIGIN = "sites/test.nc"


def good(n: int = 8760, start: str = "2018-01-01") -> xr.Dataset:
    return synthetic_site(n, start)


def problems(ds: xr.Dataset) -> str:
    with pytest.raises(DataError) as err:
        check_site_dataset(ds, origin=ORIGIN)
    msg = str(err.value)
    assert ORIGIN in msg
    return msg


def test_good_dataset_passes():
    check_site_dataset(good(), origin=ORIGIN)


def test_missing_required_variable():
    msg = problems(good().drop_vars(["wind_cf", "heat_demand"]))
    assert "missing required variable" in msg and "wind_cf" in msg and "heat_demand" in msg


def test_optional_variable_is_checked_if_present():
    ds = good()
    ds["ghi"][5] = -10.0
    msg = problems(ds)
    assert "ghi" in msg and "-10" in msg
    check_site_dataset(good().drop_vars(["ghi", "wind_speed", "pv_cf_onsite"]), ORIGIN)


def test_nan_and_inf_counted_with_first_timestamp():
    ds = good()
    ds["grid_price"][[10, 20]] = np.nan
    ds["grid_price"][30] = np.inf
    msg = problems(ds)
    assert "grid_price" in msg and "2 NaN" in msg and "1 infinite" in msg
    assert "2018-01-01 10:00" in msg


def test_length_8759():
    msg = problems(good(8759))
    assert "8,759" in msg and "8,760" in msg and "1 hour(s) missing" in msg


def test_length_leap_year():
    msg = problems(good(8784, "2020-01-01"))
    assert "8,784" in msg and "leap year" in msg and "29 February" in msg


def test_duplicated_timestamps():
    ds = good()
    t = ds.time.values.copy()
    t[101] = t[100]
    msg = problems(ds.assign_coords(time=t))
    assert "duplicated" in msg and "2018-01-05 04:00" in msg


def test_unsorted_timestamps():
    ds = good()
    t = ds.time.values.copy()
    t[[50, 51]] = t[[51, 50]]
    msg = problems(ds.assign_coords(time=t))
    assert "not sorted" in msg


def test_non_hourly_steps():
    ds = good()
    t = pd.date_range("2018-01-01", periods=8760, freq="30min").values
    msg = problems(ds.assign_coords(time=t))
    assert "non-hourly" in msg and "0.5 h" in msg


def test_tz_aware_time_is_refused():
    ds = good()
    t = pd.date_range("2018-01-01", periods=8760, freq="h", tz="Europe/Paris")
    ds = ds.assign_coords(time=np.array(list(t), dtype=object))
    msg = problems(ds)
    assert "+0100" in msg and "UTC" in msg


def test_time_zone_attribute_not_utc():
    ds = good()
    ds.attrs["time_zone"] = "Europe/Paris"
    assert "Europe/Paris" in problems(ds)


def test_kelvin_by_values():
    ds = good()
    ds["air_temperature"] = ds["air_temperature"] + 273.15
    msg = problems(ds)
    assert "air_temperature" in msg and "looks like Kelvin" in msg and "degC" in msg


def test_kelvin_by_units_attribute():
    ds = good()
    ds["air_temperature"].attrs["units"] = "K"
    assert "Kelvin" in problems(ds)


def test_temperature_out_of_range():
    ds = good()
    ds["air_temperature"][3] = -75.0
    msg = problems(ds)
    assert "-75" in msg and "[-60, 60]" in msg and "2018-01-01 03:00" in msg


def test_relative_humidity_range_and_fraction_hint():
    ds = good()
    ds["relative_humidity"][0] = 130.0
    assert "[0, 100] %" in problems(ds)
    ds = good()
    ds["relative_humidity"] = ds["relative_humidity"] / 100
    assert "looks like a fraction" in problems(ds)


@pytest.mark.parametrize("name", ["pv_cf", "wind_cf", "pv_cf_onsite"])
def test_capacity_factor_percent_hint(name):
    ds = good()
    ds[name] = ds[name] * 100
    msg = problems(ds)
    assert name in msg and "percent given instead of a share 0-1" in msg


def test_capacity_factor_negative():
    ds = good()
    ds["wind_cf"][7] = -0.2
    msg = problems(ds)
    assert "wind_cf" in msg and "[0, 1]" in msg and "percent" not in msg


def test_carbon_intensity_range():
    ds = good()
    ds["grid_carbon_intensity"][0] = -5.0
    ds["grid_carbon_intensity"][1] = 2500.0
    msg = problems(ds)
    assert "grid_carbon_intensity" in msg and "2 value(s) outside" in msg and "2000" in msg


def test_negative_heat_demand():
    ds = good()
    ds["heat_demand"][9] = -1.0
    msg = problems(ds)
    assert "heat_demand" in msg and "2018-01-01 09:00" in msg


def test_price_range():
    ds = good()
    ds["grid_price"][0] = 6000.0
    msg = problems(ds)
    assert "grid_price" in msg and "[-500, 5000] EUR/MWh" in msg


def test_all_problems_reported_together():
    ds = good().drop_vars("wind_cf")
    ds["air_temperature"] = ds["air_temperature"] + 273.15
    ds["pv_cf"] = ds["pv_cf"] * 100
    msg = problems(ds)
    assert "3 problem(s)" in msg
    assert "wind_cf" in msg and "Kelvin" in msg and "pv_cf" in msg


# ---- read_site_file / write_site_file -------------------------------------------------------

def test_netcdf_round_trip(tmp_path):
    path = write_site_file(good(), tmp_path / "x.nc")
    ds = read_site_file(path, site_id="x")
    assert ds.sizes["time"] == 8760 and ds.time.dtype.kind == "M"
    assert pd.Timestamp(ds.time.values[0]) == pd.Timestamp("2018-01-01")
    xr.testing.assert_allclose(ds, good(), rtol=1e-6)
    assert not list(tmp_path.glob("*.tmp"))
    path.unlink()  # file must be closed after reading


def test_netcdf_bad_content_names_file(tmp_path):
    write_site_file(good().drop_vars("pv_cf"), tmp_path / "bad.nc")
    with pytest.raises(DataError, match=r"bad\.nc.*pv_cf"):
        read_site_file(tmp_path / "bad.nc")


def _csv(ds: xr.Dataset, path, fmt="%Y-%m-%dT%H:%M", suffix=""):
    df = ds.to_dataframe().reset_index()
    df["time"] = df["time"].dt.strftime(fmt) + suffix
    df.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("suffix", ["", "Z", "+00:00"])
def test_csv_utc(tmp_path, suffix):
    ds = read_site_file(_csv(good(), tmp_path / "s.csv", suffix=suffix))
    assert ds.sizes["time"] == 8760 and ds.time.dtype.kind == "M"
    np.testing.assert_allclose(ds["pv_cf"], good()["pv_cf"])


def test_csv_offset_refused(tmp_path):
    with pytest.raises(DataError, match=r"s\.csv.*\+01:00"):
        read_site_file(_csv(good(), tmp_path / "s.csv", suffix="+01:00"))


def test_csv_problems_named(tmp_path):
    ds = good()
    ds["relative_humidity"] = ds["relative_humidity"] / 100
    with pytest.raises(DataError, match="looks like a fraction"):
        read_site_file(_csv(ds, tmp_path / "s.csv"))


def test_csv_without_time_column(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match=r"s\.csv.*'time'"):
        read_site_file(p)


def test_unreadable_and_unknown_files(tmp_path):
    p = tmp_path / "broken.nc"
    p.write_bytes(b"not a netcdf file")
    with pytest.raises(DataError, match=r"broken\.nc"):
        read_site_file(p)
    q = tmp_path / "x.xlsx"
    q.write_text("x")
    with pytest.raises(DataError, match=r"x\.xlsx.*format"):
        read_site_file(q)
    with pytest.raises(DataError, match="not found"):
        read_site_file(tmp_path / "missing.nc")
