"""Flexible training load (``greendc.formulation.flexible``): one hand-solved case per
constraint family, each run with every 1 h step standing for w = 1 h and w = 3 h of the year.

Case (tests/conftest.py tiny case cut down): site A, cooling imm (PUE 1.1), one server type g1
with peak 2 MW, idle 0 and 1 MW at the utilisation (so its work power is 1 MW per node),
1 PFLOP/s, 100 EUR/yr; 3 PFLOP/s required (3 nodes, work 3 MW, installed peak 6 MW); 4 hours
of 1 h. Off, the nodes draw 3 MW every hour. f = training share, H = period length [h].
"""

from __future__ import annotations

import numpy as np
import pytest

from greendc.formulation import FLEXIBLE_FAMILIES, build_model
from tests.conftest import solve_tiny, tiny_inputs


@pytest.fixture(params=[1.0, 3.0], ids=["w1", "w3"])
def w(request) -> float:
    return request.param


def flex_inputs(w: float, prices, f: float = 1.0, period_h: float = 2.0, floor: float = 0.0,
                ramp: float = np.nan, kappa: float = 0.0, cost: float = 0.0,
                node_cost: float = 100.0, hours: int = 4):
    ds = tiny_inputs(hours=hours, sites=["A"], weight=w).sel(server=["g1"], cooling=["imm"])
    ds["node_peak_mw"] = ("server", [2.0])
    ds["node_power_mw"] = ("server", [1.0])
    ds["node_idle_mw"] = ("server", [0.0])
    ds["node_cost_eur_per_yr"] = ("server", [node_cost])
    ds["grid_cost_eur_per_mwh"] = (("site", "time"), np.array([prices], dtype=float))
    ds.attrs.update(flex_training_share=f, flex_period_h=period_h, flex_floor_share=floor,
                    flex_max_ramp_share_per_h=ramp, flex_curtailable_share=kappa,
                    flex_curtailment_cost_eur_per_mwh=cost)
    return ds


def built_constraints(m) -> set[str]:
    return {c.local_name for c in m.component_objects() if c.ctype.__name__ == "Constraint"}


def test_training_energy_moves_to_the_cheap_hours(w):
    """training_energy: f = 1, H = 2 h, prices 10/30/10/30 EUR/MWh. Each period needs
    3 MW x 2 h = 6 MWh; training_peak lets 6 MW (3 nodes at full load) run in the 10 EUR hour:
    train 6, 0, 6, 0. Cost 300 + 1.1 x 6 x 10 x 2 w = 300 + 132 w (off: 300 + 1.1 x 3 x 80 w
    = 300 + 264 w). Shifted energy: (6 - 3) x 2 hours x w = 6 w MWh/yr; IT utilisation: the
    average IT power 3 MW of a 6 MW peak = 50 %."""
    status, res, m = solve_tiny(flex_inputs(w, [10, 30, 10, 30]))
    assert status.status == "optimal"
    assert float(res["cost_eur_per_yr"]) == pytest.approx(300 + 132 * w)
    assert res["it_power_mw"].sel(site="A").values.tolist() == pytest.approx([6, 0, 6, 0])
    assert float(res["training_shifted_mwh_per_yr"]) == pytest.approx(6 * w)
    assert float(res["it_energy_mwh_per_yr"]) == pytest.approx(12 * w)
    assert float(res["mean_it_utilisation_share"]) == pytest.approx(0.5)
    assert float(res["mean_pue"]) == pytest.approx(1.1)
    assert "training_energy" in built_constraints(m)


def test_training_peak_and_work_nodes_buy_peak_when_it_pays(w):
    """training_peak + work_within_nodes + work_requirement: f = 1, H = 4 h, prices 10/30/30/30.
    12 MWh of work; with n nodes the peak is 2n MW, so 2n MWh run at 10 and 12 - 2n at 30.
    Each node beyond 3 moves 2 MWh from 30 to 10: saves 2 x 20 x 1.1 w = 44 w for 100 EUR.
    w = 1: 3 nodes, 300 + 1.1 (60 + 180) = 564; w = 3: 6 nodes (peak 12 MW, all work in hour 0),
    600 + 1.1 x 120 x 3 = 996. The work stays 3 PFLOP/s either way."""
    status, res, m = solve_tiny(flex_inputs(w, [10, 30, 30, 30], period_h=4.0))
    nodes = 3 if w == 1 else 6
    assert float(res["nodes"].sum()) == pytest.approx(nodes)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(564 if w == 1 else 996)
    assert float(res["work_pflops"]) == pytest.approx(3.0)
    assert float(res["installed_pflops"]) == pytest.approx(nodes)
    assert float(res["it_power_mw"].sel(site="A")[0]) == pytest.approx(2 * nodes)
    assert {"training_peak", "work_within_nodes", "work_requirement"} <= built_constraints(m)


def test_idle_power_and_work_power_are_columns_of_the_node_sums(w):
    """idle_power / work_power: g1 idles at 0.5 MW, so each node's work power is 1 - 0.5 =
    0.5 MW: 3 nodes, idle_mw = 1.5 and work_mw = 1.5 MW. f = 1, H = 2 h, flat prices 10: each
    period's 1.5 MW x 2 h = 3 MWh run flat, IT 1.5 + 1.5 = 3 MW every hour, cost 300 +
    1.1 x 3 x 4 h x 10 w = 300 + 132 w. Bounds at M = 10 nodes: 0.5 x 10 = 5 MW each. The
    hourly rows (training_peak, energy_balance) hold the idle column, no node count."""
    from pyomo.repn import generate_standard_repn

    ds = flex_inputs(w, [10, 10, 10, 10])
    ds["node_idle_mw"] = ("server", [0.5])
    status, res, m = solve_tiny(ds)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(300 + 132 * w)
    assert float(res["nodes"].sum()) == pytest.approx(3)
    assert m.idle_mw["A", "imm"].value == pytest.approx(1.5)
    assert m.work_mw["A", "imm"].value == pytest.approx(1.5)
    assert (m.idle_mw["A", "imm"].ub, m.work_mw["A", "imm"].ub) == (5.0, 5.0)
    for row in (m.training_peak["A", "imm", 1], m.energy_balance["A", 1]):
        names = {v.parent_component().local_name
                 for v in generate_standard_repn(row.body).linear_vars}
        assert not names & {"nodes", "work_nodes"}, row.name
        assert "idle_mw" in names, row.name  # work_mw has coefficient 1 - f = 0 here
    assert {"idle_power", "work_power"} <= built_constraints(m)


def test_training_floor(w):
    """training_floor: as the energy case with floor 0.5: train >= 0.5 x 3 = 1.5 MW in every
    hour, so 4.5 at 10 and 1.5 at 30 per period: 300 + 1.1 x (45 + 45) x 2 w = 300 + 198 w."""
    status, res, m = solve_tiny(flex_inputs(w, [10, 30, 10, 30], floor=0.5))
    assert float(res["cost_eur_per_yr"]) == pytest.approx(300 + 198 * w)
    assert res["training_mw"].sel(site="A").values.tolist() == pytest.approx([4.5, 1.5] * 2)
    assert "training_floor" in built_constraints(m)


def test_training_ramp(w):
    """training_ramp: as the energy case with r = 0.25 of the 6 MW peak per h = 1.5 MW/h.
    x0 + x1 = 6, x0 - x1 <= 1.5 -> 3.75 / 2.25; x2 <= x1 + 1.5 = 3.75 -> 3.75 / 2.25.
    Cost 300 + 1.1 x (37.5 + 67.5) x 2 w = 300 + 231 w (a node more widens the ramp by
    0.5 MW/h, saving 1.1 x 10 w < 100 EUR: not bought)."""
    status, res, m = solve_tiny(flex_inputs(w, [10, 30, 10, 30], ramp=0.25))
    assert float(res["cost_eur_per_yr"]) == pytest.approx(300 + 231 * w)
    assert res["it_power_mw"].sel(site="A").values.tolist() == pytest.approx(
        [3.75, 2.25, 3.75, 2.25])
    assert "training_ramp" in built_constraints(m)


def test_training_curtailment_at_its_cost(w):
    """training_curtailment: H = 4 h, prices 10/30/30/30, half of the 12 MWh may be dropped at
    15 EUR/MWh (nodes at 1000 EUR, so no extra peak is bought). Dropping saves 1.1 x 30 = 33 >
    15 per MWh: 6 MWh run at 10 (the 6 MW peak), 6 are dropped. a_p = 4 w / 4 h = w:
    3000 + w (1.1 x 60 + 15 x 6) = 3000 + 156 w; curtailed 6 w MWh/yr."""
    status, res, m = solve_tiny(flex_inputs(w, [10, 30, 30, 30], period_h=4.0, kappa=0.5,
                                            cost=15.0, node_cost=1000.0))
    assert float(res["cost_eur_per_yr"]) == pytest.approx(3000 + 156 * w)
    assert float(res["training_curtailed_mwh_per_yr"]) == pytest.approx(6 * w)
    assert float(res["cost_training_curtailed_eur_per_yr"]) == pytest.approx(90 * w)
    assert "training_curtailment" in built_constraints(m)


def test_heat_recoverable_follows_the_hourly_it_power(w):
    """heat_recoverable with a flexible load: export <= rho x COP/(COP-1) x it_hour_mw. As the
    energy case, plus a network (10 MW_th demand, 100 EUR/MWh_th), rho 0.5, COP 3: the bound is
    0.5 x 1.5 x IT power = 4.5 MW_th in hours 0 and 2 (IT 6 MW), 0 in hours 1 and 3. Heat
    revenue does not depend on the hour, so the IT schedule stays 6/0/6/0. Cost: 300 + grid
    (1.1 x 6 + 4.5 / 3) x 10 x 2 w = 162 w - heat 100 x 4.5 x 2 w = 900 w: 300 - 738 w.
    work_requirement is an equality: heat at 75 EUR per MWh of IT beats the 11 EUR/MWh
    electricity, yet no extra work is run as a heater (the work stays 3 PFLOP/s)."""
    ds = flex_inputs(w, [10, 30, 10, 30])
    ds["recoverable_heat_share"] = ("cooling", [0.5])
    ds["heat_demand_mw"] = (("site", "time"), np.full((1, 4), 10.0))
    ds["heat_price_eur_per_mwh"] = ("site", [100.0])
    status, res, m = solve_tiny(ds)
    assert res["heat_export_mw_th"].sel(site="A").values.tolist() == pytest.approx([4.5, 0] * 2)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(300 - 738 * w)
    assert float(res["work_pflops"]) == pytest.approx(3.0)


def test_given_load_training_fills_the_valleys(w):
    """Given load (compute.it_load_mw, no servers): peak L = 2 MW, profile 1/0.5/0.5/1, f = 0.5,
    H = 4 h, prices 40/10/10/40. Inference 0.5 x u x 2 = 1/0.5/0.5/1 MW; training energy
    0.5 x 3 h x 2 MW = 3 MWh fits in the 1.5 MW of room in hours 1 and 2 (peak L):
    IT 1/2/2/1 MW, cost 1.1 x (40 + 20 + 20 + 40) w = 132 w (off: 1.1 x 2 x 90 w = 198 w)."""
    ds = flex_inputs(w, [40, 10, 10, 40], f=0.5, period_h=4.0).sel(server=[])
    ds["it_load_share"] = ("time", [1.0, 0.5, 0.5, 1.0])
    del ds.attrs["required_pflops"]
    ds.attrs.update(compute_basis="it_load_mw", it_load_peak_mw=2.0)
    status, res, m = solve_tiny(ds)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(132 * w)
    assert res["it_power_mw"].sel(site="A").values.tolist() == pytest.approx([1, 2, 2, 1])
    assert not hasattr(m, "work_nodes")


def test_zero_share_gives_the_objective_of_off(w):
    """Neutral parameters: f = 0 on the tiny case (3 PFLOP/s = 1 x g2 exactly, idle half the
    power) gives the off objective 250 + 88 w, and off builds no flexible component."""
    off = tiny_inputs(weight=w)
    status, res_off, m_off = solve_tiny(off)
    on = off.copy()
    on["node_idle_mw"] = ("server", [0.5, 1.0])
    on.attrs.update(flex_training_share=0.0, flex_period_h=24.0, flex_floor_share=0.0,
                    flex_max_ramp_share_per_h=np.nan, flex_curtailable_share=0.0,
                    flex_curtailment_cost_eur_per_mwh=0.0)
    status, res_on, m_on = solve_tiny(on)
    assert float(res_on["cost_eur_per_yr"]) == pytest.approx(float(res_off["cost_eur_per_yr"]))
    assert float(res_off["cost_eur_per_yr"]) == pytest.approx(250 + 88 * w)
    for name in ("FLEX", "train_mw", "work_nodes", "it_hour_mw", "cost_training_curtailed_eur"):
        assert not hasattr(m_off, name) and hasattr(m_on, name)
    assert "it_power_mw" not in res_off and "cost_training_curtailed_eur_per_yr" not in res_off


def test_every_flexible_family_is_built():
    m = build_model(flex_inputs(1.0, [10, 30, 10, 30], floor=0.1, ramp=0.5, kappa=0.1))
    assert set(FLEXIBLE_FAMILIES) <= built_constraints(m)
