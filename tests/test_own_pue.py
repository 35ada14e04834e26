"""Own PUE (issue 15): a site file's hourly ``pue_<cooling_id>`` or a scenario's design PUE
curve vs outdoor dry bulb replace the physics model, labelled ``pue_source``; an unknown
site-file variable (a bare ``pue`` column used to be ignored) is an error."""

from __future__ import annotations

import pathlib

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml

from greendc.errors import DataError, ScenarioError
from greendc.sitedata.files import reference_file
from greendc.sitedata.io import read_site_file
from greendc.study import load_study, solve_study


def _csv(path: pathlib.Path, **extra) -> pathlib.Path:
    df = xr.open_dataset(reference_file("fr-essonne")).load().to_dataframe()
    for name, value in extra.items():
        df[name] = value
    df.to_csv(path, index_label="time", date_format="%Y-%m-%dT%H:%M")
    return path


def _scenario(folder: pathlib.Path, **changes) -> pathlib.Path:
    raw = {"name": "own-pue", "sites": [{"id": "fr-essonne", "file": "site.csv"}],
           "servers": ["gb200_nvl72_rack"], "cooling": ["direct_liquid", "air_chiller"],
           "compute": {"required_pflops": 2000}, "horizon": {"hours": 24},
           "options": {"heat_export": False, "battery": False}, "solver": {"workers": 1},
           **changes}
    path = folder / "study.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def test_bare_pue_column_is_an_error_naming_file_variable_and_accepted_names(tmp_path):
    """Before: accepted and silently ignored."""
    path = _csv(tmp_path / "site.csv", pue=1.2)
    with pytest.raises(DataError) as err:
        read_site_file(path)
    text = str(err.value)
    for fragment in [str(path), "pue: unknown variable", "pue_<cooling_id>",
                     "air_temperature", "grid_cfe_share"]:
        assert fragment in text


def test_unknown_variable_is_an_error_with_did_you_mean(tmp_path):
    path = _csv(tmp_path / "site.csv", grid_prices=50.0)
    with pytest.raises(DataError, match=r"grid_prices: unknown variable.*did you mean "
                       r"'grid_price'\?"):
        read_site_file(path)


@pytest.mark.parametrize("value", [0.95, 3.2])
def test_site_file_pue_outside_1_to_3_is_refused(tmp_path, value):
    path = _csv(tmp_path / "site.csv", pue_direct_liquid=value)
    with pytest.raises(DataError, match=rf"pue_direct_liquid: min {value:g}, max {value:g}.*"
                       r"within \[1, 3\] 1"):
        read_site_file(path)


def test_site_file_pue_replaces_the_physics_for_that_cooling(tmp_path):
    _csv(tmp_path / "site.csv", pue_direct_liquid=1.07)
    st = load_study(_scenario(tmp_path))
    pue = st.inputs["pue"].sel(site="fr-essonne")
    assert np.allclose(pue.sel(cooling="direct_liquid"), 1.07)
    assert st.inputs["pue_source"].sel(site="fr-essonne").values.tolist() == [
        "site_file", "physics"]
    assert not np.allclose(pue.sel(cooling="air_chiller"), 1.07)


def test_scenario_curve_is_piecewise_linear_in_dry_bulb(tmp_path):
    """Curve (0 degC, 1.10), (20 degC, 1.20), (30 degC, 1.40): at T degC the PUE is
    1.10 + 0.005 T between 0 and 20, 1.20 + 0.02 (T - 20) between 20 and 30, 1.10 below 0."""
    _csv(tmp_path / "site.csv")
    curve = [{"dry_bulb_c": 0, "pue": 1.1}, {"dry_bulb_c": 20, "pue": 1.2},
             {"dry_bulb_c": 30, "pue": 1.4}]
    st = load_study(_scenario(tmp_path, pue_curves={"air_chiller": curve}))
    t = st.inputs["air_temperature_c"].sel(site="fr-essonne").values
    expected = np.where(t <= 0, 1.1, np.where(t <= 20, 1.1 + 0.005 * t, 1.2 + 0.02 * (t - 20)))
    assert np.allclose(st.inputs["pue"].sel(site="fr-essonne", cooling="air_chiller"),
                       np.minimum(expected, 1.4))
    assert st.inputs["pue_source"].sel(cooling="air_chiller").item() == "scenario_curve"


def test_site_file_wins_over_the_scenario_curve_at_its_site(tmp_path):
    _csv(tmp_path / "site.csv", pue_direct_liquid=1.07)
    curve = [{"dry_bulb_c": 0, "pue": 1.3}, {"dry_bulb_c": 30, "pue": 1.3}]
    st = load_study(_scenario(tmp_path, pue_curves={"direct_liquid": curve}))
    assert np.allclose(st.inputs["pue"].sel(cooling="direct_liquid"), 1.07)


@pytest.mark.parametrize(("curves", "fragment"), [
    ({"direct_liqid": [{"dry_bulb_c": 0, "pue": 1.1}, {"dry_bulb_c": 9, "pue": 1.2}]},
     "pue_curves.direct_liqid: unknown cooling 'direct_liqid'; did you mean 'direct_liquid'"),
    ({"direct_liquid": [{"dry_bulb_c": 0, "pue": 1.1}]}, "a PUE curve needs at least 2 points"),
    ({"direct_liquid": [{"dry_bulb_c": 10, "pue": 1.1}, {"dry_bulb_c": 5, "pue": 1.2}]},
     "expected strictly increasing temperatures"),
    ({"direct_liquid": [{"dry_bulb_c": 0, "pue": 0.9}, {"dry_bulb_c": 5, "pue": 1.2}]},
     "pue_curves.direct_liquid.0.pue = 0.9"),
])
def test_bad_pue_curve_is_refused(tmp_path, curves, fragment):
    _csv(tmp_path / "site.csv")
    with pytest.raises(ScenarioError) as err:
        load_study(_scenario(tmp_path, pue_curves=curves))
    assert fragment in str(err.value)


def test_site_file_pue_of_an_unknown_cooling_is_an_error(tmp_path):
    _csv(tmp_path / "site.csv", pue_direct_liqid=1.1)
    with pytest.raises(ScenarioError, match=r"variable 'pue_direct_liqid': unknown cooling "
                       r"'direct_liqid'; did you mean 'direct_liquid'"):
        load_study(_scenario(tmp_path))


def test_solved_design_runs_on_the_own_pue_and_says_so(tmp_path):
    """Constant own PUE 1.25 for direct liquid, no heat export: facility energy is exactly
    1.25 x IT energy, so the energy-weighted mean PUE of the design is 1.25 (24 h)."""
    _csv(tmp_path / "site.csv", pue_direct_liquid=1.25)
    res = solve_study(load_study(_scenario(tmp_path, cooling=["direct_liquid"])))
    assert float(res["mean_pue"]) == pytest.approx(1.25, rel=1e-9)
    assert res["candidate_pue_source"].sel(site="fr-essonne",
                                           cooling="direct_liquid").item() == "site_file"
    assert pd.Series(res["candidate_pue"].values.ravel()).eq(np.float32(1.25)).all()


def test_heat_recovery_saving_is_capped_by_the_own_pue(tmp_path):
    """With an own PUE of 1.02, the cooling plant draws at most 0.02 MW per MW of IT, so the
    electricity a heat pump saves per MW_th it recovers (at most rho x IT) is capped at
    (1.02 - 1) / rho: facility power never falls below IT power."""
    _csv(tmp_path / "site.csv", pue_air_chiller=1.02)
    st = load_study(_scenario(tmp_path, options={"battery": False},
                              sites=[{"id": "fr-essonne", "file": "site.csv", "country": "FR"}]))
    rho = float(st.inputs["recoverable_heat_share"].sel(cooling="air_chiller"))
    saving = st.inputs["cooling_offload_kw_per_kw_th"].sel(site="fr-essonne",
                                                           cooling="air_chiller")
    assert float(saving.max()) <= 0.02 / rho + 1e-12
    # the physics saving of the same plant is larger (so the cap acts)
    assert st.inputs["pue_source"].sel(cooling="direct_liquid").item() == "physics"
    ref = load_study(_scenario(tmp_path, options={"battery": False}, sites=["fr-essonne"]))
    assert float(ref.inputs["cooling_offload_kw_per_kw_th"].sel(cooling="air_chiller").max()) \
        > 0.02 / rho
