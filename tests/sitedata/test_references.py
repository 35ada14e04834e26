"""Every reference site-year file against published national annual figures (issue 14).

Each row: (annual life-cycle carbon intensity [gCO2e/kWh], carbon-free share [0-1], annual
mean day-ahead price [EUR/MWh]) of the site's country and year.

Sources (same year as the row):
- intensity and carbon-free share: Ember, Yearly Electricity Data Europe (2025), via Our World
  in Data energy dataset (owid/energy-data), ``carbon_intensity_elec`` and (nuclear + hydro +
  wind + solar + other renewables excl. bioenergy) / ``electricity_generation``;
- price: EPEX SPOT annual reviews (FR, NL, DE), OMIE annual reports (ES, PT), Nord Pool area
  prices via Fingrid (FI) and Fortum (SE3) annual reports, N2EX GB day-ahead (Ofgem) at the ECB
  annual EUR/GBP rate (GB).
Tolerances: intensity 15 % or 12 g (IPCC 2014 factors on the ENTSO-E mix vs Ember's reported
emissions), carbon-free share 0.03, price 6 % for a real series (SMARD vs exchange; SE4 data
vs SE3 reference) and 1 % for a generated one (calibrated to the reference).
"""

from __future__ import annotations

import pytest

from greendc.sitedata.files import reference_file
from greendc.sitedata.io import read_site_file
from greendc.sitedata.national import ANNUAL_PRICE, NATIONAL_GENERATION
from greendc.sitedata.recipes import RECIPES
from greendc.sitedata.reference_check import compare

CI_REL, CI_ABS, CFE_ABS, PRICE_REAL, PRICE_GENERATED = 0.15, 12.0, 0.03, 0.06, 0.01

PUBLISHED = {
    ("fr-essonne", 2017): (78.31, 0.8682, 44.97),
    ("fr-essonne", 2018): (59.92, 0.8996, 50.2),
    ("fr-essonne", 2019): (59.79, 0.8899, 39.45),
    ("fr-essonne", 2020): (59.08, 0.8916, 32.2),
    ("se-stockholm", 2017): (42.5, 0.9053, 31.2),
    ("se-stockholm", 2018): (42.73, 0.9047, 44.6),
    ("se-stockholm", 2019): (42.34, 0.9027, 38.4),
    ("de-frankfurt", 2017): (469.71, 0.3741, 34.19),
    ("de-frankfurt", 2018): (454.55, 0.3925, 44.47),
    ("de-frankfurt", 2019): (392.51, 0.4435, 37.67),
    ("de-frankfurt", 2020): (355.61, 0.4675, 30.47),
    ("es-madrid", 2017): (329.17, 0.5136, 52.24),
    ("es-madrid", 2018): (290.86, 0.5664, 57.29),
    ("es-madrid", 2019): (246.67, 0.5684, 47.68),
    ("es-madrid", 2020): (199.1, 0.6396, 33.96),
    ("gb-london", 2017): (302.2, 0.4060, 50.76),
    ("gb-london", 2018): (285.65, 0.4197, 64.88),
    ("gb-london", 2019): (268.41, 0.4229, 48.87),
    ("gb-london", 2020): (242.54, 0.4682, 39.79),
    ("nl-amsterdam", 2017): (489.66, 0.1399, 39.31),
    ("nl-amsterdam", 2018): (467.11, 0.1577, 52.53),
    ("nl-amsterdam", 2019): (410.0, 0.1740, 41.2),
    ("nl-amsterdam", 2020): (342.9, 0.2294, 32.24),
    ("fi-helsinki", 2017): (186.17, 0.6234, 33.19),
    ("fi-helsinki", 2018): (193.37, 0.5983, 46.8),
    ("fi-helsinki", 2019): (171.55, 0.6189, 44.04),
    ("fi-helsinki", 2020): (130.27, 0.6882, 28.02),
    ("pt-lisbon", 2017): (433.76, 0.3362, 52.48),
    ("pt-lisbon", 2018): (358.7, 0.4499, 57.45),
    ("pt-lisbon", 2019): (300.97, 0.4661, 47.87),
    ("pt-lisbon", 2020): (248.3, 0.5122, 33.99),
}


@pytest.mark.parametrize("site_year", sorted(PUBLISHED), ids=lambda k: f"{k[0]}-{k[1]}")
def test_site_year_matches_published_annual_figures(site_year):
    site, year = site_year
    ci_ref, cfe_ref, price_ref = PUBLISHED[site_year]
    ds = read_site_file(reference_file(site, year))
    assert int(ds.attrs["data_year"]) == year
    ci = float(ds["grid_carbon_intensity"].mean())
    assert abs(ci - ci_ref) <= max(CI_REL * ci_ref, CI_ABS), (site, year, ci, ci_ref)
    cfe = float(ds["grid_cfe_share"].mean())
    assert abs(cfe - cfe_ref) <= CFE_ABS, (site, year, cfe, cfe_ref)
    generated = ds["grid_price"].attrs["method"].startswith("generated")
    price = float(ds["grid_price"].mean())
    tol = (PRICE_GENERATED if generated else PRICE_REAL) * price_ref
    assert abs(price - price_ref) <= tol, (site, year, price, price_ref, generated)
    # `greendc data check` asserts the same references
    assert all(c.ok for c in compare(ds)), [c.line(site) for c in compare(ds) if not c.ok]


def test_product_references_are_the_published_ones():
    """greendc.sitedata.national (used by the build and `data check`) holds the same values."""
    for (site, year), (ci, cfe, price) in PUBLISHED.items():
        cc = RECIPES[site].country
        assert NATIONAL_GENERATION[(cc, year)].ci_gco2_per_kwh == ci
        assert NATIONAL_GENERATION[(cc, year)].cfe_share == pytest.approx(cfe, abs=5e-5)
        assert ANNUAL_PRICE[(cc, year)].eur_per_mwh == price


def test_every_packaged_year_is_shipped():
    """One file per reference site and grid year: 2017-2020, Sweden 2017-2019."""
    expected = {(s, y) for s in RECIPES for y in (2017, 2018, 2019, 2020)
                if not (RECIPES[s].country == "SE" and y == 2020)}
    assert set(PUBLISHED) == expected
    for site, year in expected:
        assert reference_file(site, year).is_file(), (site, year)
