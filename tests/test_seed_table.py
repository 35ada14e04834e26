"""The seed-article study: the article's rows, the GPT-3 reproduction, and one row set per
reference site (not one per site file: each site ships several data years)."""

from __future__ import annotations

import pytest

from greendc.resources import SITES_DIR
from greendc.sitedata.files import DEFAULT_DATA_YEAR, catalogue
from greendc.studies.seed_table import COOLINGS, STARTS, seed_table


@pytest.fixture(scope="module")
def table():
    return seed_table()


def test_one_row_set_per_reference_site_at_the_default_year(table):
    sites = catalogue(SITES_DIR)
    at_sites = table[table["case"] == "reference site"]
    assert len(at_sites) == len(sites) * len(COOLINGS) * len(STARTS)
    assert {w.split(" ")[0] for w in at_sites["where"]} == set(sites)
    assert all(w.split(" ")[1] == str(DEFAULT_DATA_YEAR) for w in at_sites["where"])


def test_gpt3_reproduction_matches_patterson(table):
    """10,000 V100 x 330 W x 355.2 h = 1,172.2 MWh IT; x PUE 1.1 = 1,289.4 MWh;
    x 0.429 tCO2e/MWh = 553.1 tCO2e (Patterson et al. 2021: 1,287 MWh, 552 tCO2e)."""
    row = table.query("case == 'reproduced'").iloc[0]
    assert row["energy_mwh"] == pytest.approx(10_000 * 0.330 * 355.2 / 1000 * 1.1, rel=1e-9)
    assert row["emissions_t"] == pytest.approx(row["energy_mwh"] * 0.429, rel=1e-9)
    assert row["energy_mwh"] == pytest.approx(1287.0, rel=0.01)
