"""Pre-build checks on prepared inputs: messages name the quantity, the value and the fix."""

from __future__ import annotations

import numpy as np
import pytest

from greendc.checks import check_feasibility_hints, check_physics
from greendc.errors import DataError, ScenarioError
from tests.conftest import tiny_inputs


def test_pue_below_one():
    pue = np.full((2, 3, 4), 1.2)
    pue[1, 2, 3] = 0.97
    with pytest.raises(DataError) as err:
        check_physics(tiny_inputs(pue=pue), "s.yaml")
    text = str(err.value)
    assert "PUE = 0.9700 < 1" in text and "'site': 'B'" in text and "'cooling': 'imm'" in text


def test_cop_not_above_one():
    cop = np.full((2, 3, 4), 3.0)
    cop[0, 0, 0] = 0.0
    with pytest.raises(DataError, match=r"heat-pump COP = 0 at .*expected COP > 1"):
        check_physics(tiny_inputs(heat_pump_cop=cop), "s.yaml")


def test_cap_below_physical_minimum():
    """g2: 0.5 t/yr per node, 3 PFLOP/s -> 1/6 t per PFLOP/s; g1 0.2 t per PFLOP/s:
    3 PFLOP/s need at least 0.5 t/yr of embodied emissions."""
    inputs = tiny_inputs(node_embodied_t_per_yr=[0.2, 0.5])
    with pytest.raises(ScenarioError) as err:
        check_feasibility_hints(inputs, "s.yaml", 0.4, "emissions")
    assert "emissions_cap_t_per_yr = 0.4 tCO2e/yr is below the physical minimum 0.5" in str(err.value)
    check_feasibility_hints(inputs, "s.yaml", 0.6, "emissions")
    # with avoided heat emissions credited, exported heat can offset embodied emissions
    inputs.attrs["credit_avoided_heat_emissions"] = 1
    check_feasibility_hints(inputs, "s.yaml", 0.4, "emissions")


def test_compute_not_hostable_by_any_server_cooling_pair():
    with pytest.raises(ScenarioError, match="no server type fits the racks of any candidate cooling"):
        check_feasibility_hints(tiny_inputs(nodes_per_rack=np.zeros((2, 3))), "s.yaml", None,
                                "emissions")


def test_eu_only_hardware_with_only_non_eu_servers():
    inputs = tiny_inputs(node_non_eu=[1.0, 1.0], max_non_eu_hardware_share=0.0)
    with pytest.raises(ScenarioError, match="every server type .* non-EU vendor"):
        check_feasibility_hints(inputs, "s.yaml", None, "emissions")


def test_chillerless_cooling_where_the_weather_exceeds_its_limit_is_explained_before_solving():
    """Madrid reaches 38.3 degC, 76 h above the 35 degC default limit of the chiller-less
    economiser: a study with only that cooling fails before any solve, in domain words,
    even on a January day (the limit is judged on the site's whole weather year)."""
    from greendc.errors import ScenarioError
    from greendc.resources import STUDIES_DIR
    from greendc.scenario import scenario_from_dict
    from greendc.study import load_study
    raw = {"name": "chillerless", "sites": ["es-madrid"], "servers": ["h100_sxm_node"],
           "cooling": ["free_air_chillerless"], "compute": {"required_pflops": 100},
           "horizon": {"start_hour": 0, "hours": 24}}
    with pytest.raises(ScenarioError) as err:
        load_study(scenario_from_dict(raw, "chillerless.yaml", STUDIES_DIR))
    text = str(err.value)
    assert "site es-madrid" in text and "76 h" in text and "max 38.3 degC" in text
    assert "max_dry_bulb_c = 35 degC" in text
    raw["overrides"] = {"cooling.free_air_chillerless.parameters.max_dry_bulb_c": 39.0}
    load_study(scenario_from_dict(raw, "chillerless.yaml", STUDIES_DIR))  # user's limit: ok


def test_heat_network_carbon_content_by_country_or_site_fact_and_error_when_missing():
    """Stockholm's network: 82 gCO2e/kWh_th from the country table (SE), a site fact
    overrides it, and a site that can export heat without any value is an error before
    solving that names both fields."""
    from greendc.errors import ScenarioError
    from greendc.resources import STUDIES_DIR
    from greendc.scenario import scenario_from_dict
    from greendc.study import load_study
    raw = {"name": "dh", "sites": ["se-stockholm"], "servers": ["h100_sxm_node"],
           "cooling": ["free_air"], "compute": {"required_pflops": 100},
           "horizon": {"start_hour": 0, "hours": 24}}
    study = load_study(scenario_from_dict(raw, "dh.yaml", STUDIES_DIR))
    assert float(study.inputs["heat_network_ci_g_per_kwh_th"].sel(site="se-stockholm")) == 82.0
    fact = {"value": 45.0, "unit": "gCO2e/kWh_th", "source": "Stockholm Exergi"}
    own = {**raw, "sites": [{"id": "se-stockholm",
                             "facts": {"heat_network_carbon_g_per_kwh_th": fact}}]}
    study = load_study(scenario_from_dict(own, "dh.yaml", STUDIES_DIR))
    assert float(study.inputs["heat_network_ci_g_per_kwh_th"].sel(site="se-stockholm")) == 45.0
    empty = {**raw, "overrides": {"heat.district_heating.network_carbon_g_per_kwh_th": {}}}
    with pytest.raises(ScenarioError, match="network_carbon_g_per_kwh_th has no 'SE' entry"):
        load_study(scenario_from_dict(empty, "dh.yaml", STUDIES_DIR))
