"""A planner's own technologies and costs solved end to end (one site, one cooling, 24 h of
the reference data): the objective's cost breakdown carries the costs as quoted, and the PPA
switch gives exactly the no-PPA case."""

from __future__ import annotations

import pytest

from greendc.results import summary
from greendc.study import run
from tests.test_inputs import project, q

SOLVER = {"workers": 1, "mip_rel_gap": 1e-9}
NO_EXTRAS = {"battery": False, "heat_export": False}


def solve(tmp_path, layers, **fields):
    fields.setdefault("solver", SOLVER)
    fields["options"] = {**NO_EXTRAS, **fields.get("options", {})}
    return summary(run(project(tmp_path, layers, **fields)))


def design(s: dict) -> dict:
    keep = ("site", "cooling", "servers", "supply_mw", "battery_mwh", "cost_eur_per_yr",
            "cost_breakdown_eur_per_yr", "emissions_t_per_yr", "grid_energy_mwh_per_yr")
    return {k: s[k] for k in keep}


BLADE = {"name": "Own blade", "vendor": "Own", "origin": "FR", "accelerators_per_node": 4,
         "power_kw": q(5.6, "kW"), "idle_power_kw": q(1.9, "kW"),
         "performance_pflops": q(9.0, "PFLOP/s"), "embodied_kg_co2": q(1800, "kgCO2e"),
         "lifetime_yr": q(5, "yr"), "max_nodes_per_rack": q(4, "nodes/rack")}


@pytest.mark.parametrize("cost, per_node", [
    # annualised as quoted, whatever the scenario's 20 %
    ({"annualised_cost_eur_per_yr": q(40, "kEUR/yr")}, 40_000),
    # 100,000 EUR over 2 yr at the blade's own 10 %: CRF = 0.1 x 1.21 / 0.21 = 0.5761905
    ({"price_eur": q(100_000, "EUR"), "lifetime_yr": q(2, "yr"),
      "discount_rate": q(0.1, "1/yr")}, 57_619.0476),
])
def test_server_cost_as_quoted_in_the_breakdown(tmp_path, cost, per_node):
    """400 PFLOP/s of own 9-PFLOP/s blades: ceil(400 / 9) = 45 nodes; servers cost
    45 x the annual cost per node (1,800,000 and 2,592,857.14 EUR/yr)."""
    blade = {**BLADE, **cost}
    s = solve(tmp_path, {"cat.yaml": {"servers": {"blade": blade}}}, servers=["blade"],
              finance={"discount_rate": 0.2})
    assert s["servers"] == {"blade": 45}
    assert s["cost_breakdown_eur_per_yr"]["servers"] == pytest.approx(45 * per_node, rel=1e-8)


def test_capacity_priced_ppa_in_the_breakdown(tmp_path):
    """A wind PPA at 5,000 EUR/MW/yr and no energy price is worth contracting to its 0.5 MW
    potential (below the ~0.6 MW facility load, so every MWh is used): supply cost
    0.5 x 5,000 = 2,500 EUR/yr; as a PPA its energy used on site pays
    the network charges and its life cycle counts as operational emissions."""
    ppa = {"kind": "ppa", "capacity_factor_variable": "wind_cf",
           "annualised_cost_eur_per_mw_yr": q(5, "kEUR/MW/yr"),
           "lifecycle_g_co2_per_kwh": q(11, "gCO2e/kWh")}
    site = {"id": "fr-essonne", "facts": {"supply_potential_mw": {
        "wind_cap": {"value": 500, "unit": "kW", "source": "test"}}}}
    s = solve(tmp_path, {"cat.yaml": {"supply": {"wind_cap": ppa}}}, sites=[site],
              options={"supply_techs": ["wind_cap"], "surplus_sale": False})
    assert s["supply_mw"]["wind_cap"] == pytest.approx(0.5)
    costs = s["cost_breakdown_eur_per_yr"]
    assert costs["solar_wind_supply"] == pytest.approx(2_500, rel=1e-9)
    assert costs["ppa_network"] > 0
    assert s["emissions_t_per_yr"]["operational_ppa_lifecycle"] > 0
    assert s["emissions_t_per_yr"]["embodied_supply"] == 0


def test_ppa_off_is_exactly_the_case_without_ppas(tmp_path):
    """Wind PPAs at 10 EUR/MWh in France are bought when allowed; options.ppa: false gives
    the very design and cost of a supply list without any PPA."""
    cheap = {"overrides": {"supply.wind_ppa.strike_eur_per_mwh.FR": 10}}
    on = solve(tmp_path, {}, **cheap)
    off = solve(tmp_path, {}, options={"ppa": False}, **cheap)
    none = solve(tmp_path, {}, options={"supply_techs": ["solar_onsite"]}, **cheap)
    assert on["supply_mw"]["wind_ppa"] > 1
    assert design(off) == design(none)
    assert off["cost_eur_per_yr"] > on["cost_eur_per_yr"]
