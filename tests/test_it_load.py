"""``compute.it_load_mw`` through the scenario file (issue 15): a given IT power [MW] or an
hourly profile file instead of ``required_pflops``, with no servers modelled or the count of
one chosen type sized to the peak."""

from __future__ import annotations

import math
import pathlib

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml

from greendc.errors import ScenarioError
from greendc.scenario import scenario_from_dict
from greendc.study import load_study, solve_study

BASE = {"name": "it", "sites": ["fr-essonne"], "cooling": ["direct_liquid"],
        "compute": {"it_load_mw": 10}, "horizon": {"hours": 24},
        "options": {"heat_export": False, "battery": False, "supply_techs": ["solar_ppa"]},
        "solver": {"workers": 1}}


def _write(folder: pathlib.Path, **changes) -> pathlib.Path:
    path = folder / "study.yaml"
    path.write_text(yaml.safe_dump({**BASE, **changes}), encoding="utf-8")
    return path


@pytest.mark.parametrize(("compute", "fragment"), [
    ({"required_pflops": 100, "it_load_mw": 10}, "exactly one of required_pflops"),
    ({}, "exactly one of required_pflops [PFLOP/s] (servers chosen by the optimiser) and "
         "it_load_mw [MW]"),
    ({"required_pflops": 100, "server": "b200_node"}, "server = 'b200_node' applies to "
                                                      "it_load_mw only"),
    ({"it_load_mw": 10, "utilisation_share": 0.5}, "utilisation_share applies to "
                                                   "required_pflops only"),
    ({"it_load_mw": 20000}, "it_load_mw = 20000: expected an IT power in MW in (0, 5000]"),
    ({"it_load_mw": -3}, "it_load_mw = -3"),
])
def test_compute_basis_errors(compute, fragment):
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict({**BASE, "compute": compute}, origin="s.yaml")
    assert "s.yaml" in str(err.value) and fragment in str(err.value)


@pytest.mark.parametrize(("changes", "fragment"), [
    ({"max_sites": 2}, "max_sites = 2: a given compute.it_load_mw is hosted at one site"),
    ({"servers": ["b200_node"]}, "name one type as compute.server"),
    ({"sovereignty": {"max_non_eu_hardware_share": 0.5}}, "set compute.server"),
])
def test_it_load_scenario_rules(changes, fragment):
    with pytest.raises(ScenarioError, match=fragment.replace(".", r"\.")):
        scenario_from_dict({**BASE, **changes}, origin="s.yaml")


def test_unknown_server_type_is_named(tmp_path):
    path = _write(tmp_path, compute={"it_load_mw": 10, "server": "gb200_nvl72"})
    with pytest.raises(ScenarioError, match=r"compute\.server: unknown \['gb200_nvl72'\]; did "
                       r"you mean 'gb200_nvl72_rack'"):
        load_study(path)


def test_given_it_load_without_servers_end_to_end(tmp_path):
    """10 MW over 24 h standing for the year: IT energy 10 x 8760 = 87,600 MWh/yr; facility
    energy = sum_t w x PUE[t] x 10; no server cost or embodied, stated in the results."""
    st = load_study(_write(tmp_path))
    res = solve_study(st)
    pue = st.inputs["pue"].sel(site="fr-essonne", cooling="direct_liquid").values
    assert float(res["it_energy_mwh_per_yr"]) == pytest.approx(87600)
    assert float(res["facility_energy_mwh_per_yr"]) == pytest.approx(
        float((pue * 10 * 365).sum()), rel=1e-9)
    assert float(res["cost_servers_eur_per_yr"]) == 0.0
    assert float(res["embodied_servers_t_per_yr"]) == 0.0
    assert res.sizes["server"] == 0
    assert "not counted" in res.attrs["server_accounting"]
    assert res.attrs["it_load_peak_mw"] == 10.0


def test_chosen_server_count_is_sized_to_the_peak(tmp_path):
    """gb200_nvl72_rack peaks at 132 kW: 10 MW needs ceil(10,000 / 132) = 76 racks."""
    st = load_study(_write(tmp_path, compute={"it_load_mw": 10, "server": "gb200_nvl72_rack"}))
    res = solve_study(st)
    assert int(res["nodes"].sum()) == math.ceil(10000 / 132) == 76
    assert float(res["cost_servers_eur_per_yr"]) > 0
    assert "counted" in res.attrs["server_accounting"] and "not" not in \
        res.attrs["server_accounting"]
    assert float(res["it_energy_mwh_per_yr"]) == pytest.approx(87600)


def test_hourly_profile_file(tmp_path):
    """8 MW at night (hours 0-7, 20-23), 12 MW by day: the peak 12 MW sizes the plant, the
    24 h energy is 12 x 8 + 12 x 12 = 240 MWh, times 365 for the year = 87,600 MWh/yr."""
    mw = np.where((np.arange(8760) % 24 >= 8) & (np.arange(8760) % 24 < 20), 12.0, 8.0)
    pd.DataFrame({"it_load_mw": mw}).to_csv(tmp_path / "load.csv", index=False)
    st = load_study(_write(tmp_path, compute={"it_load_mw": "load.csv"}))
    assert st.inputs.attrs["it_load_peak_mw"] == 12.0
    assert st.inputs["it_load_share"].values[:9].tolist() == [8 / 12] * 8 + [1.0]
    res = solve_study(st)
    assert float(res["it_energy_mwh_per_yr"]) == pytest.approx(240 * 365)
    assert float(res["it_peak_mw"].sum()) == pytest.approx(12.0)


@pytest.mark.parametrize(("frame", "fragment"), [
    (pd.DataFrame({"load": np.ones(8760)}), "no column 'it_load_mw'"),
    (pd.DataFrame({"it_load_mw": np.ones(100)}), "100 values; expected 8,760 hourly values "
                                                 "or the horizon's 24"),
    (pd.DataFrame({"it_load_mw": np.r_[np.ones(10), -1.0, np.ones(8749)]}),
     "value -1.0 at hour 10: expected a finite IT power >= 0 [MW]"),
])
def test_bad_profile_file_is_refused_before_any_solve(tmp_path, frame, fragment):
    frame.to_csv(tmp_path / "load.csv", index=False)
    with pytest.raises(ScenarioError) as err:
        load_study(_write(tmp_path, compute={"it_load_mw": "load.csv"}))
    assert "compute.it_load_mw = 'load.csv'" in str(err.value) and fragment in str(err.value)


def test_horizon_length_profile_is_used_as_is(tmp_path):
    pd.DataFrame({"it_load_mw": np.linspace(5, 10, 24)}).to_csv(tmp_path / "p.csv",
                                                                 index=False)
    st = load_study(_write(tmp_path, compute={"it_load_mw": "p.csv"}))
    assert st.inputs["it_load_share"].values[-1] == 1.0
    assert st.inputs["it_load_share"].values[0] == pytest.approx(0.5)


def test_netcdf_profile_units_are_converted(tmp_path):
    """A NetCDF profile in kW: 8,000-12,000 kW is 8-12 MW."""
    mw = np.where(np.arange(8760) % 2 == 0, 12000.0, 8000.0)
    ds = xr.Dataset({"it_load_mw": ("time", mw, {"units": "kW"})})
    ds.to_netcdf(tmp_path / "load.nc")
    st = load_study(_write(tmp_path, compute={"it_load_mw": "load.nc"}))
    assert st.inputs.attrs["it_load_peak_mw"] == pytest.approx(12.0)
    assert st.inputs["it_load_share"].values[:2] == pytest.approx([1.0, 8 / 12])
