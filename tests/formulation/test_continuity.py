"""Supply continuity (``formulation.continuity``): each constraint family on the tiny case,
solved on paper, with step weight 1 and 2.

Tiny case (tests/conftest.py): the optimum without backup is A / imm / 1 x g2 (2 MW IT peak,
PUE 1.1), cost 250 + 2 MW x 1.1 x 4 h x 10 EUR/MWh x w = 250 + 88 w EUR (338 at w = 1, 426 at
w = 2). The backup need is PUEmax x IT peak = 1.1 x 2 = 2.2 MW. Backup costs are annual design
costs: they do not scale with the step weight w. Genset units U = 1 MW unless said.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest

from greendc.errors import ScenarioError
from greendc.formulation import CONTINUITY_FAMILIES, build_model
from greendc.solve import HighsModel
from tests.conftest import solve_tiny, tiny_inputs

BASE = {1.0: 338.0, 2.0: 426.0}


def with_continuity(ds, autonomy_h=1.0, redundancy="N", unit_mw=1.0, gensets=None, battery=0):
    """Add the inputs ``greendc.inputs._add_continuity`` would make. ``gensets``: id ->
    (a [EUR/MW/yr], f [EUR/MWh_e/yr], c [EUR/MW/yr], e [tCO2e/MW/yr])."""
    gensets = {"diesel": (100.0, 0.0, 0.0, 0.0)} if gensets is None else gensets
    ds = ds.assign_coords(backup=list(gensets))
    cols = np.array(list(gensets.values()), dtype=float).reshape(len(gensets), 4)
    for k, name in enumerate(("backup_cost_eur_per_mw_yr", "backup_fuel_storage_cost_eur_per_mwh_yr",
                              "backup_test_cost_eur_per_mw_yr", "backup_test_t_per_mw_yr")):
        ds[name] = ("backup", cols[:, k])
    ds["pue_peak"] = ds["pue"].max("time")
    ds.attrs.update(continuity_autonomy_h=autonomy_h, continuity_redundancy=redundancy,
                    continuity_unit_mw=unit_mw, continuity_battery=battery,
                    continuity_technologies=",".join([*gensets, *(["battery"] if battery else [])]))
    return ds


def solve(weight=1.0, inputs_changes=None, **cont):
    status, res, m = solve_tiny(with_continuity(
        tiny_inputs(weight=weight, **(inputs_changes or {})), **cont))
    assert status.has_solution, status
    return res, m


@pytest.mark.parametrize("weight", [1.0, 2.0])
@pytest.mark.parametrize("redundancy,units", [("N", 3), ("N+1", 4), ("2N", 5)])
def test_backup_cover(weight, redundancy, units):
    """backup_cover: gensets of 1 MW at 100 EUR/MW/yr must give 2.2 MW (N: 3 units),
    2.2 + 1 = 3.2 MW (N+1: 4 units) or 2 x 2.2 = 4.4 MW (2N: 5 units); the fuel store is
    free. Cost = base + 100 x units."""
    res, _ = solve(weight, redundancy=redundancy)
    assert float(res["backup_units"].sel(site="A", backup="diesel")) == pytest.approx(units)
    assert float(res["backup_need_mw"].sel(site="A")) == pytest.approx(2.2)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(BASE[weight] + 100.0 * units)


@pytest.mark.parametrize("weight", [1.0, 2.0])
def test_backup_energy_sizes_the_fuel_store(weight):
    """backup_energy: A = 2 h, N, fuel store 10 EUR/MWh_e/yr: 3 units (300) and fuel
    2 h x 2.2 MW = 4.4 MWh_e (44 EUR); backup_fuel_rate allows 2 h x 3 MW = 6 >= 4.4.
    2N stores twice: 8.8 MWh_e (88 EUR) with 5 units (500)."""
    res, _ = solve(weight, autonomy_h=2.0, gensets={"diesel": (100.0, 10.0, 0.0, 0.0)})
    assert float(res["backup_fuel_mwh"].sel(site="A", backup="diesel")) == pytest.approx(4.4)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(BASE[weight] + 300.0 + 44.0)
    res, _ = solve(weight, autonomy_h=2.0, redundancy="2N",
                   gensets={"diesel": (100.0, 10.0, 0.0, 0.0)})
    assert float(res["backup_fuel_mwh"].sel(site="A", backup="diesel")) == pytest.approx(8.8)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(BASE[weight] + 500.0 + 88.0)


@pytest.mark.parametrize("weight", [1.0, 2.0])
def test_backup_fuel_rate_and_battery_backup_power(weight):
    """backup_fuel_rate: gensets 100 EUR/MW/yr, fuel store free, battery power 1 EUR/MW/yr,
    energy 50 EUR/MWh/yr (eta 1), A = 1 h, N. Without the rate row, 2.2 MW of battery power
    plus free fuel with no genset would cost 2.2 EUR. With it, fuel <= 1 h x genset MW, so
    the cheapest backup is the battery alone: battery_backup_power 2.2 MW <= battery_mw
    (2.2 EUR), reserve 2.2 MWh (110 EUR): base + 112.2. The whole battery is reserved."""
    res, _ = solve(weight, battery=1, inputs_changes=dict(
        battery_power_cost_eur_per_mw_yr=1.0, battery_energy_cost_eur_per_mwh_yr=50.0))
    assert float(res["cost_eur_per_yr"]) == pytest.approx(BASE[weight] + 112.2)
    assert float(res["backup_units"].sum()) == pytest.approx(0.0)
    assert float(res["battery_backup_mw"].sel(site="A")) == pytest.approx(2.2)
    assert float(res["battery_mw"].sel(site="A")) == pytest.approx(2.2)
    assert float(res["battery_reserve_mwh"].sel(site="A")) == pytest.approx(2.2)
    assert float(res["battery_reserve_share"].sel(site="A")) == pytest.approx(1.0)


@pytest.mark.parametrize("weight", [1.0, 2.0])
def test_battery_power_without_energy_is_no_backup(weight):
    """battery_backup_rate (equality): N+1 with 1 MW gensets at 100 EUR/MW/yr, fuel store
    free, battery power 1 EUR/MW/yr and energy 50 EUR/MWh/yr, A = 1 h. With a mere upper
    bound on the reserve, 3.2 MW of battery power with 2.2 MWh (113.2) would pass, though
    once a 1 MW block fails the other 2.2 MW hold only 2.2 x 2.2 / 3.2 = 1.5 MWh. Exact: each
    MW of battery power holds 1 h of energy (51 EUR/MW), so the battery alone is 3.2 MW and
    3.2 MWh (163.2), cheaper than 4 gensets (400) or 3 gensets + 0.2 MW of battery (310.2)."""
    res, _ = solve(weight, redundancy="N+1", battery=1, inputs_changes=dict(
        battery_power_cost_eur_per_mw_yr=1.0, battery_energy_cost_eur_per_mwh_yr=50.0))
    assert float(res["cost_eur_per_yr"]) == pytest.approx(BASE[weight] + 163.2)
    assert float(res["battery_reserve_mwh"].sel(site="A")) == pytest.approx(
        float(res["battery_backup_mw"].sel(site="A")) * 1.0)


@pytest.mark.parametrize("weight", [1.0, 2.0])
def test_battery_backup_rate(weight):
    """battery_backup_rate: as above but battery power 200 EUR/MW/yr and fuel store
    1000 EUR/MWh_e/yr. Without the rate row: 3 gensets for power (300) + 2.2 MWh of battery
    reserve with no committed power (110) = 410. With it, the reserve needs 2.2 MW committed
    (440), which then carries the power too: 440 + 110 = 550 (gensets + fuel: 300 + 2200)."""
    res, _ = solve(weight, battery=1, gensets={"diesel": (100.0, 1000.0, 0.0, 0.0)},
                   inputs_changes=dict(battery_power_cost_eur_per_mw_yr=200.0,
                                       battery_energy_cost_eur_per_mwh_yr=50.0))
    assert float(res["cost_eur_per_yr"]) == pytest.approx(BASE[weight] + 550.0)
    assert float(res["battery_backup_mw"].sel(site="A")) == pytest.approx(2.2)


def test_reserved_energy_is_not_used_for_arbitrage():
    """battery_energy with the reserve: at A (B excluded) grid prices alternate 0 / 100
    EUR/MWh over the 4 hours, eta 1, battery 1 EUR/MWh/yr and 1 EUR/MW/yr, battery-only
    backup of 1 h. Arbitrage: charge 2.2 MWh in each 0-price hour, carry the load in the next
    hour: grid cost 0, 2.2 MW of power. The backup reserve 2.2 MWh comes on top, so the
    battery is 2.2 + 2.2 = 4.4 MWh (not 2.2 shared by both): cost 250 + 4.4 + 2.2 = 256.6."""
    changes = dict(grid_cost_eur_per_mwh=[[0.0, 100.0, 0.0, 100.0], [1e3] * 4],
                   battery_power_cost_eur_per_mw_yr=1.0, battery_energy_cost_eur_per_mwh_yr=1.0,
                   site_jurisdiction_allowed=[1.0, 0.0])
    res, m = solve(1.0, battery=1, gensets={}, inputs_changes=changes)
    assert float(res["battery_reserve_mwh"].sel(site="A")) == pytest.approx(2.2)
    assert float(res["battery_mwh"].sel(site="A")) == pytest.approx(4.4)
    assert float(res["battery_reserve_share"].sel(site="A")) == pytest.approx(0.5)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(256.6)


@pytest.mark.parametrize("weight", [1.0, 2.0])
def test_backup_at_built_site(weight):
    """backup_at_built_site: with A built and B not, the most gensets the model admits are
    M_A = ceil(4 x 100 MW / 1 MW) + 1 = 401 at A and 0 at B (without the row: unbounded).
    With free gensets the cost is the base cost."""
    from greendc.solve import SolverSettings

    for site, most in (("A", 401.0), ("B", 0.0)):
        m = build_model(with_continuity(tiny_inputs(weight=weight),
                                        gensets={"diesel": (0.0, 0.0, 0.0, 0.0)}))
        m.build["A"].fix(1)
        m.build["B"].fix(0)
        hm = HighsModel(m, SolverSettings(mip_rel_gap=1e-9))
        hm.set_objective(m.backup_units[site, "diesel"], sense=-1.0)  # the most units
        status = hm.solve()
        assert status.status == "optimal", status
        hm.load_solution()
        assert pyo.value(m.backup_units[site, "diesel"]) == pytest.approx(most)
    res, _ = solve(weight, gensets={"diesel": (0.0, 0.0, 0.0, 0.0)})
    assert float(res["cost_eur_per_yr"]) == pytest.approx(BASE[weight])


@pytest.mark.parametrize("weight", [1.0, 2.0])
def test_test_runs_cost_and_emissions(weight):
    """Test runs: 10 h/yr at 0.5 load = 5 full-load h/yr per MW; fuel 20 EUR/MWh_e ->
    c = 100 EUR/MW/yr, factor 800 g/kWh_e -> e = 4 tCO2e/MW/yr. N, 3 units of 1 MW at
    100 + 100: cost base + 600; test emissions 12 t, added to operational emissions
    (grid 2.2 MW x 4 h x w x 100 g/kWh / 1000 = 0.88 w t)."""
    res, _ = solve(weight, gensets={"diesel": (100.0, 0.0, 100.0, 4.0)})
    assert float(res["cost_eur_per_yr"]) == pytest.approx(BASE[weight] + 600.0)
    assert float(res["backup_test_t_per_yr"]) == pytest.approx(12.0)
    assert float(res["operational_t_per_yr"]) == pytest.approx(12.0 + 0.88 * weight)


@pytest.mark.parametrize("weight", [1.0, 2.0])
def test_neutral_continuity_equals_off(weight):
    """On with neutral parameters (free gensets, store and tests, no emissions) the objective
    is that of the model without continuity."""
    res, _ = solve(weight, gensets={"diesel": (0.0, 0.0, 0.0, 0.0)})
    status, off, _ = solve_tiny(tiny_inputs(weight=weight))
    assert float(res["cost_eur_per_yr"]) == pytest.approx(float(off["cost_eur_per_yr"]))
    assert float(res["emissions_t_per_yr"]) == pytest.approx(float(off["emissions_t_per_yr"]))


def test_off_builds_nothing_new():
    """Off: no continuity component, no continuity result, and the only new variable, the
    battery reserve, is fixed at 0 and eliminated from the solver's matrix."""
    m = build_model(tiny_inputs())
    names = {c.local_name for c in m.component_objects((pyo.Var, pyo.Constraint, pyo.Expression))}
    assert not names & set(CONTINUITY_FAMILIES)
    assert not {n for n in names if n.startswith("backup") or n == "battery_backup_mw"}
    assert all(m.battery_reserve_mwh[s].fixed and m.battery_reserve_mwh[s].value == 0
               for s in m.S)
    hm = HighsModel(m)
    assert all(hm.column(m.battery_reserve_mwh[s]) is None for s in m.S)
    status, res, _ = solve_tiny(tiny_inputs())
    assert "backup_mw" not in res and "backup" not in res.coords
    from greendc.results import summary
    assert "continuity" not in summary(res)


def test_summary_reports_continuity():
    res, _ = solve(1.0, gensets={"diesel": (100.0, 0.0, 100.0, 4.0)})
    from greendc.results import summary, summary_rows
    info = summary(res)
    cont = info["continuity"]
    assert cont["backup_mw"] == {"diesel": pytest.approx(3.0)}
    assert cont["cost_eur_per_yr"] == pytest.approx(600.0)
    assert cont["test_emissions_t_per_yr"] == pytest.approx(12.0)
    assert info["cost_breakdown_eur_per_yr"]["backup"] == pytest.approx(600.0)
    assert any(label == "backup" and "diesel 3.00 MW" in text for label, text in summary_rows(info))


def test_checks_battery_only_backup_without_battery():
    """Only the battery may back up, but options.battery is off: explained before solving."""
    from greendc.checks import check_feasibility_hints
    ds = with_continuity(tiny_inputs(battery_enabled=0), gensets={}, battery=0)
    ds.attrs["continuity_technologies"] = "battery"
    with pytest.raises(ScenarioError, match="options.battery"):
        check_feasibility_hints(ds, "s.yaml", None, "emissions")


# --- the block with the solve strategies and the study path (short horizons) --------------
def test_decomposition_with_continuity_equals_monolithic():
    from greendc.solve import SolverSettings
    from greendc.study import ModelSpec, solve_decomposed, solve_inputs
    from tests.conftest import COOLINGS, SITES

    inputs = with_continuity(tiny_inputs(battery_power_cost_eur_per_mw_yr=1.0,
                                         battery_energy_cost_eur_per_mwh_yr=50.0),
                             redundancy="N+1", battery=1)
    spec = ModelSpec("cost", "emissions", None, SolverSettings(mip_rel_gap=1e-9))
    mono = solve_inputs(spec, inputs)
    best, _, _ = solve_decomposed(inputs, spec, [(s, c) for s in SITES for c in COOLINGS],
                                  workers=1)
    # battery-only N+1: 2.2 + 1 MW of power (3.2 EUR), each MW with its 1 h: 3.2 MWh (160 EUR)
    assert best.status.objective == pytest.approx(mono.status.objective, rel=1e-9)
    assert best.status.objective == pytest.approx(338.0 + 3.2 + 160.0)


def test_typical_days_keep_the_backup_design():
    """Typical days (tsam): the backup is sized on the typical days' peak PUE (computed from
    the full horizon, kept by the aggregation) and the re-evaluation hour by hour keeps it."""
    pytest.importorskip("tsam")
    from greendc.solve import SolverSettings
    from greendc.study import ModelSpec, solve_inputs
    from greendc.typical import aggregate_inputs, reevaluate

    hours = 28 * 24
    t = np.arange(hours)
    inp = tiny_inputs(hours=hours, sites=["A"], battery_energy_cost_eur_per_mwh_yr=500.0,
                      battery_power_cost_eur_per_mw_yr=500.0, grid_connection_mw=5.0)
    inp = inp.sel(cooling=["imm"])
    inp["grid_cost_eur_per_mwh"] = (("site", "time"),
                                    (50 + 30 * np.sin(2 * np.pi * (t % 24) / 24))[None])
    inp["pue"] = (("site", "cooling", "time"), (1.1 + 0.1 * (t == 300))[None, None, :])
    inp = with_continuity(inp, autonomy_h=0.5, redundancy="N+1", battery=1)
    assert float(inp["pue_peak"].max()) == pytest.approx(1.2)
    spec = ModelSpec("cost", "emissions", None, SolverSettings(mip_rel_gap=1e-9))
    typical = aggregate_inputs(inp, 5)
    typ = solve_inputs(spec, typical)
    assert typ.status.status == "optimal"
    assert float(typ.results["backup_need_mw"].sel(site="A")) == pytest.approx(1.2 * 2.0)
    solved, _ = reevaluate(spec, inp, typ.results)
    assert solved.status.status == "optimal"
    for name in ("backup_units", "battery_backup_mw"):
        np.testing.assert_allclose(solved.results[name].values, typ.results[name].values,
                                   atol=1e-6)


def test_study_with_continuity_on_a_cut_horizon():
    """A reference site over 48 h: the catalogue's backup, N+1 with 12 h of diesel or HVO;
    the backup covers IT peak x peak PUE plus one 2.5 MW unit."""
    from greendc.study import load_study, solve_study

    raw = {"name": "cont", "sites": ["se-stockholm"], "compute": {"required_pflops": 2000},
           "cooling": ["direct_liquid"], "horizon": {"start_hour": 4000, "hours": 48},
           "continuity": {"autonomy_h": 12, "redundancy": "N+1",
                          "technologies": ["diesel_genset", "hvo_genset"]}}
    res = solve_study(load_study(raw))
    need = float(res["backup_need_mw"].sum())
    total = float(res["backup_mw"].sum())
    assert need > 0 and total >= need + 2.5 - 1e-6 and total < need + 2.5 + 2.5
    assert float(res["backup_mw"].sel(backup="diesel_genset").sum()) == pytest.approx(total)
    assert float(res["backup_fuel_mwh"].sum()) == pytest.approx(12 * need, rel=1e-6)
    assert float(res["backup_test_t_per_yr"]) > 0


def test_study_refuses_battery_only_backup_without_battery():
    from greendc.study import load_study

    raw = {"name": "cont", "sites": ["se-stockholm"], "compute": {"required_pflops": 2000},
           "horizon": {"hours": 24}, "options": {"battery": False},
           "continuity": {"autonomy_h": 0.25, "technologies": ["battery"]}}
    with pytest.raises(ScenarioError, match="options.battery is false"):
        load_study(raw)
    with pytest.raises(ScenarioError, match="continuity.technologies: unknown"):
        load_study({**raw, "continuity": {"autonomy_h": 1, "technologies": ["diesel"]}})
