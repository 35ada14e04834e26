"""Several sites built by the multi-cut design/dispatch decomposition (greendc.multisite),
on the tiny case of tests/conftest.py, solved on paper, and against the one MILP.

Two sites A (grid 10 EUR/MWh) and B (20 EUR/MWh), immersion cooling (PUE 1.1), 6 PFLOP/s
required, at most 2 sites, A with 1 m2 of floor: one rack of one node. A g2 node (2 MW,
3 PFLOP/s, 250 EUR/yr) costs 250 + 2 x 1.1 x 4 h x w x 10 = 250 + 88 w EUR/yr at A and
250 + 176 w at B (w the weight of each of the 4 steps [h]); g1 nodes (1 MW, 1 PFLOP/s,
100 EUR/yr) cost more per PFLOP/s. So one g2 at each site: 500 + 264 w EUR/yr, against
500 + 352 w for both at B.
"""

from __future__ import annotations

import pytest

from greendc.multisite import (SiteModels, SitesMaster, coupling_rows, run_master, site_block,
                               solve_sites)
from greendc.problem import ModelSpec
from greendc.solve import SolverSettings
from tests.conftest import COOLINGS, SITES, solve_tiny, tiny_inputs


def _inputs(weight: float):
    return tiny_inputs(weight=weight, required_pflops=6.0, max_sites=2,
                       floor_area_m2=[1.0, 1e4])


def _spec() -> ModelSpec:
    return ModelSpec(objective="cost", cap_scope="emissions", cap_t_co2=None,
                     settings=SolverSettings(mip_rel_gap=1e-9))


COMBOS = [(s, c) for s in SITES for c in COOLINGS]


@pytest.mark.parametrize("weight", [1.0, 2.0])
def test_each_site_hosts_what_its_floor_holds(weight):
    solved, table, gap = solve_sites(_inputs(weight), _spec(), COMBOS, max_sites=2)
    assert table is None and gap <= 1e-9
    assert solved.status.objective == pytest.approx(500 + 264 * weight, rel=1e-9)
    res = solved.results
    assert res["build"].values.tolist() == [1.0, 1.0]
    nodes = res["nodes"].sel(cooling="imm")
    assert nodes.sel(server="g2").values.tolist() == [1.0, 1.0]
    assert float(res["nodes"].sum()) == 2.0
    status, mono, _ = solve_tiny(_inputs(weight))  # the one MILP agrees
    assert mono["cost_eur_per_yr"] == pytest.approx(float(res["cost_eur_per_yr"]), rel=1e-9)


@pytest.mark.parametrize("weight", [1.0, 2.0])
def test_first_cuts_hold_for_a_share_of_the_compute(weight):
    """B's LP alone hosts all 6 PFLOP/s (852 w-scaled EUR/yr at 2 g2 nodes). Its cut must
    stay below v_B at the optimum's share, one g2 (250 + 176 w): without the shared rows'
    duals in its slope it would claim about the cost of hosting everything."""
    inputs, spec = _inputs(weight), _spec()
    jobs = {s: (inputs.sel(site=[s]), COOLINGS) for s in SITES}
    blocks = [site_block(spec, jobs[s][0], COOLINGS, 2)[0] for s in SITES]
    assert blocks[1].lp_alone["imm"] == pytest.approx(2 * (250 + 176 * weight), rel=1e-6)
    assert "imm" not in blocks[0].lp_alone  # A cannot host it all: a share only
    models = SiteModels(spec, jobs, {b.site: b for b in blocks})
    result = run_master(SitesMaster(blocks, 1, 1e-9), models, 1e-9, 0.0, None)
    assert result.status == "optimal"
    for block, x in zip(blocks, result.design):
        d, _ = models.get(block.site)
        _, value, _, _ = d.dispatch(x)
        for cut_value, slope, at in block.cuts:
            assert cut_value + slope @ (x - at) <= value + 1e-6 * max(1.0, abs(value))
    assert result.values[1] == pytest.approx(250 + 176 * weight, rel=1e-9)


def test_a_cfe_target_couples_the_sites():
    inputs = tiny_inputs(min_cfe_share=0.1, max_sites=2)
    assert coupling_rows(_spec(), inputs) == ["cfe_target"]
    assert coupling_rows(_spec(), tiny_inputs(max_sites=2)) == []


def test_ctrl_c_during_a_dispatch_stops_the_loop_as_interrupted():
    """A dispatch LP stopped by Ctrl-C is no solver error: the loop ends ``interrupted``."""
    from greendc.solve import SolveStatus

    inputs, spec = _inputs(1.0), _spec()
    jobs = {s: (inputs.sel(site=[s]), COOLINGS) for s in SITES}
    blocks = [site_block(spec, jobs[s][0], COOLINGS, 2)[0] for s in SITES]
    models = SiteModels(spec, jobs, {b.site: b for b in blocks})
    for s in SITES:
        d, _ = models.get(s)
        d.dispatch = lambda x: (SolveStatus(status="interrupted"), None, None, None)
    result = run_master(SitesMaster(blocks, 1, 1e-9), models, 1e-9, 0.0, None)
    assert result.status == "interrupted" and result.design is None
