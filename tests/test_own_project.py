"""Issue 15's inputs together, from a planner's own folder outside the repository: 20 MW IT,
a vendor PUE curve, two own CSV sites with their country set, kept in ../data."""

from __future__ import annotations

import pandas as pd
import pytest
import xarray as xr
import yaml

from greendc.sitedata.files import reference_file
from greendc.study import load_study, solve_study
from tests.conftest import OWN_SITE_FACTS

FACTS = {**{k: v for k, v in OWN_SITE_FACTS.items() if k != "name"},
         "floor_area_m2": {"value": 100000, "unit": "ft2"}}


def test_twenty_mw_vendor_curve_two_own_csv_sites(tmp_path):
    data, project = tmp_path / "data", tmp_path / "project"
    data.mkdir()
    project.mkdir()
    for site, ref, years in (("paris-dc", "fr-essonne", 3), ("oslo-dc", "se-stockholm", 3)):
        df = xr.open_dataset(reference_file(ref)).load().to_dataframe()
        df.index = df.index + pd.DateOffset(years=years)  # the planner's own year, 2021
        df.to_csv(data / f"{site}.csv", index_label="time", date_format="%Y-%m-%dT%H:%M")
    curve = [{"dry_bulb_c": -10, "pue": 1.05}, {"dry_bulb_c": 25, "pue": 1.08},
             {"dry_bulb_c": 40, "pue": 1.15}]
    raw = {"name": "my-project", "compute": {"it_load_mw": 20},
           "sites": [{"id": "paris-dc", "file": "../data/paris-dc.csv", "country": "FR",
                      "facts": {"name": "Paris DC", **FACTS}},
                     {"id": "oslo-dc", "file": "../data/oslo-dc.csv", "country": "NO",
                      "facts": {"name": "Oslo DC", "heat_network_carbon_g_per_kwh_th": 50,
                                **FACTS}}],
           "cooling": ["direct_liquid"], "pue_curves": {"direct_liquid": curve},
           "sovereignty": {"allowed_jurisdictions": ["EU"]},
           "horizon": {"hours": 48}, "solver": {"workers": 1}}
    path = project / "study.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    study = load_study(path)
    res = solve_study(study)
    # Norway is EEA, not EU: only Paris is allowed
    assert res["build"].sel(site="paris-dc") == 1 and res["build"].sel(site="oslo-dc") == 0
    assert float(res["it_energy_mwh_per_yr"]) == pytest.approx(20 * 8760)
    assert set(res["candidate_pue_source"].values.ravel()) == {"scenario_curve"}
    assert 1.05 <= float(res["mean_pue"]) <= 1.15
    assert "not counted" in res.attrs["server_accounting"]
    assert study.inputs.attrs["data_years"] == '{"paris-dc": 2021, "oslo-dc": 2021}'
