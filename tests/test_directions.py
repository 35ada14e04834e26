"""Direction tests on the full model with the real reference-site data (one week of hours).

Each test changes one thing a planner would change and checks that the design moves the way
an engineer expects. Scenario dicts are built here; `base_dir` is the studies folder so the
reference sites resolve as in a real study.
"""

from __future__ import annotations

import pathlib

import pytest

from greendc.results import summary
from greendc.scenario import scenario_from_dict
from greendc.study import run

from greendc.resources import STUDIES_DIR as STUDIES
WEEK = {"start_hour": 0, "hours": 168}


def solve(**fields):
    raw = {"name": "direction", "servers": ["h100_sxm_node"], "compute": {"required_pflops": 400},
           "horizon": WEEK, "options": {"battery": False, "surplus_sale": False},
           "solver": {"workers": 1, "mip_rel_gap": 1e-6}}
    raw.update(fields)
    return summary(run(scenario_from_dict(raw, "direction.yaml", STUDIES)))


def test_cold_dry_climate_picks_free_air_over_chillers():
    """Stockholm in winter: with equal cooling capex (override), the economiser's lower hourly
    PUE decides; the chiller design would pay ~20 % more electricity."""
    same_capex = {"cooling.free_air.capex_eur_per_kw_it": 2000}
    s = solve(sites=["se-stockholm"], cooling=["air_chiller", "free_air"], overrides=same_capex,
              options={"heat_export": False, "battery": False, "surplus_sale": False})
    assert s["cooling"] == "free_air"
    assert s["mean_pue"] < 1.15


def test_high_heat_price_builds_heat_pump_and_exports():
    """Stockholm winter week: at 19 EUR/MWh_th the heat pump does not pay; at 150 it does."""
    cheap = solve(sites=["se-stockholm"], cooling=["immersion"])
    dear = solve(sites=["se-stockholm"], cooling=["immersion"],
                 overrides={"sites.se-stockholm.heat_price_eur_per_mwh": 150})
    assert cheap["heat_pump_mw"] == pytest.approx(0.0, abs=1e-6)
    assert dear["heat_pump_mw"] > 0.1 and dear["heat_sold_mwh_per_yr"] > 0.0


def no_tariff(site: str) -> dict[str, float]:
    """Overrides that remove a site's grid tariff above spot (margin, network, levies)."""
    return {f"sites.{site}.grid_{part}_eur_per_mwh": 0
            for part in ("supply_margin", "network", "levies")}


def test_dirty_cheapest_site_loses_under_the_emissions_objective():
    """Frankfurt made the cheapest (low network adder) but its grid is ~7x dirtier than
    Essonne's: least cost builds in Frankfurt, least emissions in Essonne."""
    fields = dict(sites=["de-frankfurt", "fr-essonne"], cooling=["immersion"],
                  overrides=no_tariff("de-frankfurt"))
    assert solve(**fields)["site"] == "de-frankfurt"
    assert solve(objective="emissions", **fields)["site"] == "fr-essonne"


def test_eu_only_rule_removes_the_london_site():
    fields = dict(sites=["gb-london", "fr-essonne"], cooling=["immersion"],
                  overrides=no_tariff("gb-london"))
    assert solve(**fields)["site"] == "gb-london"
    eu = solve(sovereignty={"allowed_jurisdictions": ["EU"]}, **fields)
    assert eu["site"] == "fr-essonne"


def test_tightening_the_emissions_cap_never_lowers_cost():
    fields = dict(sites=["de-frankfurt", "fr-essonne"], cooling=["immersion"],
                  overrides=no_tariff("de-frankfurt"),
                  options={"battery": True, "surplus_sale": False})
    free = solve(**fields)
    total = free["emissions_t_per_yr"]["total"]
    costs = [free["cost_eur_per_yr"]]
    for share in (0.8, 0.5, 0.3):
        costs.append(solve(emissions_cap_t_per_yr=share * total, **fields)["cost_eur_per_yr"])
    assert all(b >= a - 1e-6 * abs(a) for a, b in zip(costs, costs[1:]))
    assert costs[-1] > costs[0]


def test_grid_price_scale_multiplies_the_positive_hourly_price():
    from greendc.study import load_study

    raw = {"name": "price", "sites": ["fr-essonne"], "compute": {"required_pflops": 100},
           "horizon": {"hours": 24}}
    base = load_study(scenario_from_dict(raw, "p.yaml", STUDIES)).inputs
    raw["finance"] = {"grid_price_scale": 2.0}
    double = load_study(scenario_from_dict(raw, "p.yaml", STUDIES)).inputs
    spot = base["grid_price_eur_per_mwh"]
    # positive hours doubled; negative hours keep their price (finance.grid_price_scale_negative)
    assert (double["grid_price_eur_per_mwh"] == spot.where(spot <= 0, 2 * spot)).all()
